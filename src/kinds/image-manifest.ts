/** manifest.json of a deploy folder: every file with its sha256 and the recipe, version and task signature that made it. */
import { createHash } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ManifestFile { readonly path: string; readonly recipe: string; readonly version: string; readonly signature: string | null }

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function writeManifest(dir: string, head: Record<string, unknown>, files: readonly ManifestFile[]): Promise<void> {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : 1));
  const entries = [];
  for (const f of sorted) entries.push({ path: f.path, sha256: await sha256Of(join(dir, f.path)), recipe: f.recipe, version: f.version, signature: f.signature });
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify({ ...head, files: entries }, null, 2)}\n`);
}
