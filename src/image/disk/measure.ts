/** Bytes a file or folder holds, counted in whole 4 KiB blocks per file (what a file system spends). */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function treeBytes(path: string): number {
  const st = lstatSync(path);
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let bytes = 4096;
  for (const name of readdirSync(path)) {
    const child = treeBytes(join(path, name));
    bytes += Math.ceil(child / 4096) * 4096 || 4096;
  }
  return bytes;
}
