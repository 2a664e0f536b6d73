/**
 * Pushes an image description as an OCI artifact: every file a blob (skipped when the registry
 * has it), the manifest under the tag, then SBOM and provenance as artifacts whose subject is that
 * manifest, listed through the referrers API or, where the registry lacks it, the fallback tag.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { ImageDescription } from '../describe.ts';
import { artifactManifest, DEPLOY_ARTIFACT_TYPE, EMPTY_CONFIG, EMPTY_CONFIG_BYTES, FILE_MEDIA_TYPE, MANIFEST_TYPE, referrersIndex, TITLE } from './artifact.ts';
import { referrersTag, sha256Digest, type Descriptor, type RegistryClient } from './registry.ts';

export type PushEvent =
  | { event: 'publish:blob'; path: string; digest: string; size: number; uploaded: boolean; ms: number }
  | { event: 'publish:manifest'; reference: string; digest: string; artifactType: string }
  | { event: 'publish:referrers'; subject: string; via: 'api' | 'tag'; count: number };

export interface Attachment {
  readonly artifactType: string;
  readonly mediaType: string;
  readonly name: string;
  readonly bytes: Buffer;
}

async function ensureBlob(client: RegistryClient, digest: string, size: number, open: (start: number, end: number) => Buffer | Readable,
  path: string, emit: (e: PushEvent) => void): Promise<void> {
  const started = Date.now();
  const present = await client.blobExists(digest);
  if (!present) await client.uploadBlob(digest, size, open);
  emit({ event: 'publish:blob', path, digest, size, uploaded: !present, ms: Date.now() - started });
}

export async function pushImage(client: RegistryClient, d: ImageDescription, annotations: Record<string, string>,
  attachments: readonly Attachment[], emit: (e: PushEvent) => void): Promise<{ digest: string; referrers: Descriptor[] }> {
  const tag = client.ref.tag ?? 'latest';
  await ensureBlob(client, EMPTY_CONFIG.digest, EMPTY_CONFIG.size, () => EMPTY_CONFIG_BYTES, '(config)', emit);
  // Small files first: an interrupted push leaves the most files in place for the rerun.
  for (const f of [...d.files].sort((a, b) => a.size - b.size || (a.path < b.path ? -1 : 1))) {
    await ensureBlob(client, `sha256:${f.sha256}`, f.size, (start, end) => (end > start ? createReadStream(f.absolute, { start, end: end - 1 }) : Buffer.alloc(0)), f.path, emit);
  }
  const layers: Descriptor[] = d.files.map((f) => ({ mediaType: FILE_MEDIA_TYPE, digest: `sha256:${f.sha256}`, size: f.size, annotations: { [TITLE]: f.path } }));
  const bytes = artifactManifest(DEPLOY_ARTIFACT_TYPE, layers, annotations);
  const pushed = await client.putManifest(tag, bytes, MANIFEST_TYPE);
  emit({ event: 'publish:manifest', reference: tag, digest: pushed.digest, artifactType: DEPLOY_ARTIFACT_TYPE });
  const subject: Descriptor = { mediaType: MANIFEST_TYPE, digest: pushed.digest, size: bytes.length };

  const referrers: Descriptor[] = [];
  let viaApi = true;
  for (const a of attachments) {
    const digest = sha256Digest(a.bytes);
    await ensureBlob(client, digest, a.bytes.length, () => a.bytes, a.name, emit);
    const manifest = artifactManifest(a.artifactType, [{ mediaType: a.mediaType, digest, size: a.bytes.length, annotations: { [TITLE]: a.name } }],
      { 'org.opencontainers.image.created': annotations['org.opencontainers.image.created']! }, subject);
    const put = await client.putManifest(sha256Digest(manifest), manifest, MANIFEST_TYPE);
    viaApi &&= put.subjectAccepted;
    referrers.push({ mediaType: MANIFEST_TYPE, digest: put.digest, size: manifest.length, artifactType: a.artifactType,
      annotations: { 'org.opencontainers.image.created': annotations['org.opencontainers.image.created']! } });
    emit({ event: 'publish:manifest', reference: put.digest, digest: put.digest, artifactType: a.artifactType });
  }
  if (referrers.length > 0 && !viaApi) {
    const fallback = referrersTag(pushed.digest);
    const existing = await client.getManifest(fallback, true);
    const old = existing ? (JSON.parse(existing.body.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? [] : [];
    const index = referrersIndex(old, referrers);
    await client.putManifest(fallback, index, 'application/vnd.oci.image.index.v1+json');
  }
  if (referrers.length > 0) emit({ event: 'publish:referrers', subject: pushed.digest, via: viaApi ? 'api' : 'tag', count: referrers.length });
  return { digest: pushed.digest, referrers };
}
