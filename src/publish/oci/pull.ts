/** Fetches a published deploy folder back: every layer to its titled path, every digest verified. */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { JhError } from '../../errors.ts';
import { DEPLOY_ARTIFACT_TYPE, MANIFEST_TYPE, safeTitle, TITLE } from './artifact.ts';
import type { Descriptor, RegistryClient } from './registry.ts';

export type PullEvent =
  | { event: 'pull:file'; path: string; digest: string; size: number }
  | { event: 'pull:referrer'; artifactType: string; digest: string; path?: string };

interface Manifest { mediaType?: string; artifactType?: string; layers?: Descriptor[]; annotations?: Record<string, string> }

async function readManifest(client: RegistryClient, reference: string): Promise<Manifest> {
  const m = (await client.getManifest(reference))!;
  const parsed = JSON.parse(m.body.toString('utf8')) as Manifest;
  if ((parsed.mediaType ?? m.mediaType) !== MANIFEST_TYPE) {
    throw new JhError('E_OCI_ARTIFACT', `${reference} is a ${parsed.mediaType ?? m.mediaType}, not an OCI artifact manifest`, { hint: 'pull a reference that jhbuild publish pushed' });
  }
  return parsed;
}

async function fetchLayers(client: RegistryClient, layers: readonly Descriptor[], dir: string, emit: (e: PullEvent) => void): Promise<string[]> {
  const paths: string[] = [];
  for (const layer of layers) {
    const path = safeTitle(layer.annotations?.[TITLE]);
    if (!path) {
      throw new JhError('E_OCI_ARTIFACT', `layer ${layer.digest} has no safe file name (${TITLE}: ${JSON.stringify(layer.annotations?.[TITLE])})`, {
        hint: 'every layer needs a relative path without ".." as its title' });
    }
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    await client.downloadBlob(layer.digest, layer.size, join(dir, path));
    emit({ event: 'pull:file', path, digest: layer.digest, size: layer.size });
    paths.push(path);
  }
  return paths;
}

/** Pulls the artifact into `dir`; with `referrers`, also its SBOM and provenance into dir/.referrers. */
export async function pullArtifact(client: RegistryClient, dir: string, options: { referrers: boolean }, emit: (e: PullEvent) => void): Promise<{ digest: string; annotations: Record<string, string> }> {
  const reference = client.ref.digest ?? client.ref.tag ?? 'latest';
  const { digest } = (await client.getManifest(reference))!;
  const manifest = await readManifest(client, digest);
  if (manifest.artifactType !== DEPLOY_ARTIFACT_TYPE) {
    throw new JhError('E_OCI_ARTIFACT', `${reference} is a ${manifest.artifactType ?? 'manifest without artifactType'}, not a jhbuild deploy folder (${DEPLOY_ARTIFACT_TYPE})`, {
      hint: 'pull the tag that jhbuild publish pushed; SBOM and provenance come with --referrers' });
  }
  mkdirSync(dir, { recursive: true });
  await fetchLayers(client, manifest.layers ?? [], dir, emit);
  const { descriptors } = await client.referrers(digest);
  for (const r of descriptors) {
    let path: string | undefined;
    if (options.referrers) {
      const m = await readManifest(client, r.digest);
      [path] = await fetchLayers(client, m.layers ?? [], join(dir, '.referrers'), () => {});
    }
    emit({ event: 'pull:referrer', artifactType: r.artifactType ?? '', digest: r.digest, path: path && `.referrers/${path}` });
  }
  return { digest, annotations: manifest.annotations ?? {} };
}
