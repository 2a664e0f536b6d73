/**
 * Where a recipe's fetched source lives, and whether it is still the pinned one (no fetching code
 * loaded: planning needs only the path, a stat and, for a changed file, its sha256).
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Source } from './types.ts';
import { isRecordedVerified, recordVerified } from './verified.ts';

export function gitMirrorPath(downloads: string, url: string): string {
  const name = basename(url.replace(/\/+$/, '')).replace(/\.git$/, '');
  return join(downloads, 'git', `${name}-${createHash('sha256').update(url).digest('hex').slice(0, 12)}.git`);
}

/** The downloaded file or git mirror, or undefined when the source is a local tree or none. */
export function downloadOf(recipe: { readonly source: Source }, downloads: string, localTree: string | undefined): string | undefined {
  if (localTree) return undefined;
  const source = recipe.source;
  if (source.type === 'tarball') return join(downloads, source.filename);
  if (source.type === 'git') return gitMirrorPath(downloads, source.url);
  return undefined;
}

/** A name beside `file` that no other process uses: `<file>.part-<pid>-<random>`. */
export function partPath(file: string): string {
  return `${file}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** The sha256 of a file, read synchronously (planning is synchronous). */
export function hashFileSync(file: string): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, n));
  } finally { closeSync(fd); }
  return hash.digest('hex');
}

/**
 * Whether a download is there and is the pinned file: trusted by its record when the stat still
 * matches, else hashed in full (and the record renewed when it matches). `actual` names what a
 * file that is there but not the pinned one hashes to.
 */
export function checkDownloadSync(file: string, sha256hex: string): { ok: boolean; actual?: string } {
  if (isRecordedVerified(file, sha256hex)) return { ok: true };
  let actual: string;
  try { actual = hashFileSync(file); } catch { return { ok: false }; }
  if (actual !== sha256hex) return { ok: false, actual };
  recordVerified(file, actual);
  return { ok: true };
}

/** Whether a recipe's download is present and (for a file) still the pinned one; true when it has none. */
export function downloadPresent(recipe: { readonly source: Source }, downloads: string, localTree: string | undefined): boolean {
  const download = downloadOf(recipe, downloads, localTree);
  if (download === undefined) return true;
  const source = recipe.source;
  if (source.type === 'tarball') return checkDownloadSync(download, source.sha256).ok;
  try { return statSync(download).isDirectory(); } catch { return false; }
}
