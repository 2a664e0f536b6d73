/** OCI 1.1 artifact manifests for a deploy folder and for what refers to it (SBOM, provenance). Pure. */
import type { Descriptor } from './registry.ts';

export const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';
/** What a published deploy folder is: one layer per file, each annotated with its path. */
export const DEPLOY_ARTIFACT_TYPE = 'application/vnd.jhbuild.deploy.v1';
export const FILE_MEDIA_TYPE = 'application/octet-stream';
export const TITLE = 'org.opencontainers.image.title';
export const EMPTY_CONFIG: Descriptor = { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2, data: 'e30=' };
export const EMPTY_CONFIG_BYTES = Buffer.from('{}');

export interface ArtifactManifest {
  readonly bytes: Buffer;
  readonly descriptor: Descriptor;
}

export function artifactManifest(artifactType: string, layers: readonly Descriptor[], annotations: Record<string, string>, subject?: Descriptor): Buffer {
  const manifest = {
    schemaVersion: 2,
    mediaType: MANIFEST_TYPE,
    artifactType,
    config: EMPTY_CONFIG,
    layers,
    ...(subject ? { subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size } } : {}),
    annotations: Object.fromEntries(Object.entries(annotations).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
  return Buffer.from(JSON.stringify(manifest));
}

/** The referrers index kept under the fallback tag: the old entries plus the new, one per digest. */
export function referrersIndex(existing: readonly Descriptor[], added: readonly Descriptor[]): Buffer {
  const byDigest = new Map(existing.map((d) => [d.digest, d]));
  for (const d of added) byDigest.set(d.digest, d);
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX_TYPE, manifests: [...byDigest.values()] }));
}

/** A layer's title as a safe relative path: no absolute paths, no "..", no empty parts. */
export function safeTitle(title: string | undefined): string | undefined {
  if (!title || title.startsWith('/') || title.includes('\\')) return undefined;
  const parts = title.split('/');
  return parts.every((p) => p && p !== '.' && p !== '..') ? title : undefined;
}
