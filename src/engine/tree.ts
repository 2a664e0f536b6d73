/**
 * Content hash of a local source tree (--src, local()). Per-file hashes are remembered by
 * (size, mtime, inode) like git's index; when no file's stat changed (one digest over all of
 * them), the tree's hash is reused without reading the per-file index at all.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from './atomic.ts';
import { sha256 } from './hash.ts';

const SKIP = new Set(['.git', '.svn', '.hg', 'node_modules']);

interface Stated { readonly path: string; readonly kind: 'f' | 'x' | 'l'; readonly key: string }

/** Every file and symlink with its stat key, in a stable order (paths relative, '/' separators). */
function statTree(root: string): Stated[] {
  const out: Stated[] = [];
  const walk = (dir: string, prefix: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP.has(entry.name)) walk(full, rel);
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      const st = lstatSync(full);
      const kind = entry.isSymbolicLink() ? 'l' : (st.mode & 0o111) !== 0 ? 'x' : 'f';
      out.push({ path: rel, kind, key: `${st.size}:${st.mtimeMs}:${st.ino}` });
    }
  };
  walk(root, '');
  return out;
}

/** Where the per-file index of a tree lives under the build folder. */
export function treeCacheFile(buildDir: string, tree: string): string {
  return join(buildDir, 'trees', `${sha256(tree).slice(0, 16)}.json`);
}

interface TreeIndex { stat: string; hash: string; files: Record<string, string> }

export function hashTree(root: string, cacheFile: string): string {
  const entries = statTree(root);
  const statDigest = createHash('sha256');
  for (const e of entries) statDigest.update(`${e.path}\0${e.kind}\0${e.key}\n`);
  const stat = statDigest.digest('hex');
  let index: TreeIndex | undefined;
  try { index = JSON.parse(readFileSync(`${cacheFile}.head`, 'utf8')) as TreeIndex; } catch { /* first time */ }
  if (index?.stat === stat) return index.hash;

  let files: Record<string, string> = {};
  try { files = (JSON.parse(readFileSync(cacheFile, 'utf8')) as Partial<TreeIndex>).files ?? {}; } catch { /* first time or unreadable: rehash */ }
  const next: Record<string, string> = {};
  const whole = createHash('sha256');
  for (const e of entries) {
    const id = `${e.path}\0${e.key}`;
    const full = join(root, e.path);
    const hash = files[id] ?? (e.kind === 'l' ? sha256(readlinkSync(full)) : sha256(readFileSync(full)));
    next[id] = hash;
    whole.update(`${e.path}\0${e.kind}\0${hash}\n`);
  }
  const hash = whole.digest('hex');
  writeAtomic(cacheFile, JSON.stringify({ stat, hash, files: next }));
  writeAtomic(`${cacheFile}.head`, JSON.stringify({ stat, hash, files: {} }));
  return hash;
}
