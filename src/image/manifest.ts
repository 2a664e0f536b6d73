/**
 * manifest.json of an image's deploy folder: every file with its sha256 and the recipe, version
 * and task signature that made it, and for a disk image its table and partitions. One writer and
 * one reader; the reader checks what it reads (a path that leaves the folder, a missing field)
 * and names the file and the field.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { JhError } from '../errors.ts';

export interface ManifestFile { readonly path: string; readonly recipe: string; readonly version: string; readonly signature: string | null }
export interface ImageManifestFile extends ManifestFile { readonly sha256: string }

export interface ImagePartition { readonly name: string; readonly offset: number; readonly size: number; readonly type: string; readonly uuid: string }

/** What a disk image adds: the image file, its table and whether the board can start it. */
export interface DiskManifest {
  readonly disk: string;
  readonly table: string;
  readonly diskId: string;
  readonly bootable: boolean;
  readonly notBootable?: string;
  readonly partitions: readonly ImagePartition[];
}

export interface ImageManifestHead extends Partial<DiskManifest> {
  readonly machine: string;
  readonly image: string;
}

export interface ImageManifest extends ImageManifestHead {
  readonly files: readonly ImageManifestFile[];
}

export const IMAGE_MANIFEST = 'manifest.json';

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function writeImageManifest(dir: string, head: ImageManifestHead, files: readonly ManifestFile[]): Promise<void> {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : 1));
  const entries: ImageManifestFile[] = [];
  for (const f of sorted) entries.push({ path: f.path, sha256: await sha256Of(join(dir, f.path)), recipe: f.recipe, version: f.version, signature: f.signature });
  const manifest: ImageManifest = { ...head, files: entries };
  writeFileSync(join(dir, IMAGE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** A path inside the deploy folder, never one that leaves it. */
const insideFolder = (path: unknown): path is string => typeof path === 'string' && path !== '' && !isAbsolute(path)
  && !normalize(path).split('/').includes('..');

export function readImageManifest(dir: string): ImageManifest {
  const file = join(dir, IMAGE_MANIFEST);
  const bad = (field: string, what: string) => new JhError('E_IMAGE_MANIFEST', `${field}: ${what}`, {
    file, hint: 'the deploy folder was changed after the build: rebuild it (jhbuild image) rather than edit it' });
  let value: unknown;
  try { value = JSON.parse(readFileSync(file, 'utf8')); } catch (error) {
    throw new JhError('E_IMAGE_MANIFEST', `cannot read the image's manifest: ${(error as Error).message}`, { file, hint: 'build the image first: jhbuild image' });
  }
  const m = value as Record<string, unknown>;
  if (typeof m !== 'object' || m === null) throw bad('manifest', 'not an object');
  for (const key of ['machine', 'image'] as const) if (typeof m[key] !== 'string') throw bad(key, 'missing');
  if (!Array.isArray(m.files)) throw bad('files', 'not a list');
  m.files.forEach((f: Record<string, unknown>, i: number) => {
    if (!insideFolder(f?.path)) throw bad(`files[${i}].path`, `${JSON.stringify(f?.path)} is not a path inside the folder`);
    if (typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) throw bad(`files[${i}].sha256`, 'not a sha256');
    if (typeof f.recipe !== 'string') throw bad(`files[${i}].recipe`, 'missing');
  });
  if (m.disk !== undefined) {
    if (!insideFolder(m.disk)) throw bad('disk', `${JSON.stringify(m.disk)} is not a file inside the folder`);
    if (!Array.isArray(m.partitions)) throw bad('partitions', 'not a list');
  }
  return m as unknown as ImageManifest;
}
