/**
 * Content hash of a local source tree (--src, local()). Per-file hashes are remembered by
 * (size, mtime, inode) like git's index, so an unchanged tree costs one stat per file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, readlinkSync, lstatSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sha256 } from '../core/hash.ts';

const SKIP = new Set(['.git', '.svn', '.hg', 'node_modules']);

export interface TreeEntry { readonly path: string; readonly mode: 'x' | 'f' | 'l' }

/** Files of a tree in a stable order (paths relative, with '/' separators). */
export function listTree(root: string): TreeEntry[] {
  const out: TreeEntry[] = [];
  const walk = (dir: string, prefix: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIP.has(entry.name)) walk(join(dir, entry.name), rel);
      } else if (entry.isSymbolicLink()) {
        out.push({ path: rel, mode: 'l' });
      } else if (entry.isFile()) {
        out.push({ path: rel, mode: 'f' });
      }
    }
  };
  walk(root, '');
  return out;
}

export function hashTree(root: string, cacheFile: string): string {
  let cache: Record<string, string> = {};
  try { cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, string>; } catch { /* first time */ }
  const next: Record<string, string> = {};
  const whole = createHash('sha256');
  let changed = false;
  for (const entry of listTree(root)) {
    const full = join(root, entry.path);
    const st = lstatSync(full);
    const exec = entry.mode === 'f' && (st.mode & 0o111) !== 0 ? 'x' : entry.mode;
    const key = `${entry.path}\0${st.size}\0${st.mtimeMs}\0${st.ino}`;
    let hash = cache[key];
    if (hash === undefined) {
      hash = entry.mode === 'l' ? sha256(readlinkSync(full)) : sha256(readFileSync(full));
      changed = true;
    }
    next[key] = hash;
    whole.update(`${entry.path}\0${exec}\0${hash}\n`);
  }
  if (changed || Object.keys(cache).length !== Object.keys(next).length) {
    mkdirSync(dirname(cacheFile), { recursive: true });
    const temp = `${cacheFile}.tmp-${process.pid}`;
    writeFileSync(temp, JSON.stringify(next));
    renameSync(temp, cacheFile);
  }
  return whole.digest('hex');
}
