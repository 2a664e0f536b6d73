/**
 * A reproducible initramfs: cpio "newc" written in TypeScript (no root, no host cpio), entries
 * sorted, owners root, one fixed mtime, inodes numbered in order, then gzip (header mtime 0).
 */
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';


/** The initramfs file name in an initrd recipe's install tree and in a deploy folder. */
export const INITRD_FILE = 'initrd.cpio.gz';
export type CpioEntry =
  | { readonly path: string; readonly type: 'dir'; readonly mode?: number }
  | { readonly path: string; readonly type: 'file'; readonly data: Uint8Array; readonly mode?: number }
  | { readonly path: string; readonly type: 'symlink'; readonly target: string }
  | { readonly path: string; readonly type: 'char'; readonly major: number; readonly minor: number; readonly mode?: number };

const S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000, S_IFCHR = 0o020000;

/** Entries of a staging tree (paths relative, no leading slash). Only permission bits 0755/0644 are kept. */
export function treeEntries(root: string, prefix = ''): CpioEntry[] {
  const out: CpioEntry[] = [];
  for (const name of readdirSync(root).sort()) {
    const full = join(root, name);
    const path = prefix ? `${prefix}/${name}` : name;
    const st = lstatSync(full);
    if (st.isSymbolicLink()) out.push({ path, type: 'symlink', target: readlinkSync(full) });
    else if (st.isDirectory()) out.push({ path, type: 'dir' }, ...treeEntries(full, path));
    else if (st.isFile()) out.push({ path, type: 'file', data: readFileSync(full), mode: st.mode & 0o111 ? 0o755 : 0o644 });
  }
  return out;
}

/** Later entries replace earlier ones of the same path; parents are added; the result is sorted. */
export function mergeEntries(...lists: readonly CpioEntry[][]): CpioEntry[] {
  const byPath = new Map<string, CpioEntry>();
  for (const list of lists) for (const e of list) byPath.set(e.path.replace(/^\/+/, ''), { ...e, path: e.path.replace(/^\/+/, '') } as CpioEntry);
  for (const path of [...byPath.keys()]) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (!byPath.has(parent)) byPath.set(parent, { path: parent, type: 'dir' });
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function header(fields: number[], name: string): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  const head = Buffer.from(`070701${fields.map((f) => (f >>> 0).toString(16).padStart(8, '0')).join('')}`);
  const total = head.length + nameBytes.length;
  return Buffer.concat([head, nameBytes, Buffer.alloc((4 - (total % 4)) % 4)]);
}

export function writeCpio(entries: readonly CpioEntry[], mtime: number): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of entries) {
    let mode: number;
    let data: Uint8Array = new Uint8Array(0);
    let rdev: [number, number] = [0, 0];
    switch (e.type) {
      case 'dir': mode = S_IFDIR | (e.mode ?? 0o755); break;
      case 'file': mode = S_IFREG | (e.mode ?? 0o644); data = e.data; break;
      case 'symlink': mode = S_IFLNK | 0o777; data = Buffer.from(e.target); break;
      case 'char': mode = S_IFCHR | (e.mode ?? 0o600); rdev = [e.major, e.minor]; break;
    }
    const nameSize = Buffer.byteLength(e.path) + 1;
    parts.push(header([ino++, mode, 0, 0, e.type === 'dir' ? 2 : 1, mtime, data.length, 0, 0, rdev[0], rdev[1], nameSize, 0], e.path));
    parts.push(Buffer.from(data), Buffer.alloc((4 - (data.length % 4)) % 4));
  }
  parts.push(header([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 11, 0], 'TRAILER!!!'));
  const body = Buffer.concat(parts);
  return Buffer.concat([body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

export function gzipReproducible(data: Uint8Array): Buffer {
  return gzipSync(data, { level: 9 });
}
