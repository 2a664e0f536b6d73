/**
 * A cache entry is checked before it is used. files.json beside manifest.json records every file of
 * the entry (type, mode, size, mtime, inode, sha256 or link target) and is itself tied to the
 * signature and to its own sha256. As in git's index, a file whose stat is as recorded is trusted
 * without being read, unless it is "racy" (its mtime not older than the record, so a same-size
 * rewrite in the same clock tick would not show); any other file is hashed, and only a difference
 * of content, type, mode or link target, or a file added or removed, makes the entry corrupt.
 */
import { createHash, hash as hashOnce } from 'node:crypto';
import { closeSync, existsSync, fstatSync, lstatSync, openSync, readFileSync, readSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { writeAtomic } from './atomic.ts';
import { signManifest, type InputManifest } from './hash.ts';

const RECORD = 'files.json';
const FORMAT = 'jhbuild-files-v1';
/** What a record covers: a record's own temp file beside it is no part of the result. */
const COVERED = ['manifest.json', 'out'];
const OUT = ['out'];

export interface TreeItem {
  /** Relative to the walked folder with '/' separators; items come in walk order (names sorted, depth first). */
  readonly path: string;
  readonly type: 'f' | 'd' | 'l' | 'o';
  /** Permission bits (not for links, whose bits mean nothing on Linux). */
  readonly mode?: number;
  readonly size?: number;
  readonly mtimeMs?: number;
  readonly ino?: number;
  readonly sha256?: string;
  readonly target?: string;
}

interface EntryRecord { readonly format: string; readonly signature: string; readonly files: readonly TreeItem[] }
/** The record's last field: the sha256 of its text before that field (raw text, so checking it costs one hash). */
const SELF = ',"sha256":"';

/** An entry as statEntry sees it, and whether it has an out/ folder (what statEntry must be asked to walk). */
export interface EntryStat { readonly text: string; readonly out: boolean }

export type EntryCheck =
  /** `stat`: the entry as statEntry sees it while it matches its record; none while a file is racy. */
  | { readonly state: 'ok'; readonly stat?: EntryStat }
  | { readonly state: 'missing' }
  | { readonly state: 'corrupt' | 'unverifiable'; readonly problems: readonly string[] };

const KIND = { f: 'a file', d: 'a folder', l: 'a symlink', o: 'a special file' } as const;

function typeOf(st: Stats): TreeItem['type'] {
  return st.isSymbolicLink() ? 'l' : st.isDirectory() ? 'd' : st.isFile() ? 'f' : 'o';
}

function itemOf(path: string, full: string, st: Stats): TreeItem {
  const type = typeOf(st);
  const mode = st.mode & 0o7777;
  return type === 'f' ? { path, type, mode, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino }
    : type === 'l' ? { path, type, target: readlinkSync(full) } : { path, type, mode };
}

/** Visits every item under `root` (only the top-level names in `only`, when given) with its stat, in walk order. */
function walkTree(root: string, only: readonly string[] | undefined, visit: (item: TreeItem, full: string) => void): void {
  const walk = (rel: string, names: readonly string[]) => {
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const full = `${root}/${path}`;
      const st = lstatSync(full, { throwIfNoEntry: false });
      if (!st) continue;
      const item = itemOf(path, full, st);
      visit(item, full);
      if (item.type === 'd') walk(path, readdirSync(full).sort());
    }
  };
  if (only) walk('', only);
  else if (existsSync(root)) walk('', readdirSync(root).sort());
}

/** sha256 of a file read in chunks, so a disk image is never held in memory whole. */
export function sha256File(file: string): string {
  const digest = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, 'r');
  try {
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0;) digest.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return digest.digest('hex');
}

/** The tree under `root` with every file's sha256: the one walk behind records and output hashes. */
export function listTree(root: string, only?: readonly string[]): TreeItem[] {
  const items: TreeItem[] = [];
  walkTree(root, only, (item, full) => items.push(item.type === 'f' ? { ...item, sha256: sha256File(full) } : item));
  return items;
}

const sha256 = (text: string) => hashOnce('sha256', text);

function writeRecord(entry: string, signature: string, files: readonly TreeItem[]): void {
  const body = JSON.stringify({ format: FORMAT, signature, files } satisfies EntryRecord);
  writeAtomic(`${entry}/${RECORD}`, `${body.slice(0, -1)}${SELF}${sha256(body)}"}`);
}

interface FileStat { readonly size: number; readonly mtimeMs: number; readonly ino: number }

const recordLine = (st: FileStat) => `${RECORD}\0${st.size}\0${st.mtimeMs}\0${st.ino}\n`;
const statLine = (i: TreeItem) => `${i.path}\0${i.type}\0${i.mode ?? ''}\0${i.size ?? ''}\0${i.mtimeMs ?? ''}\0${i.ino ?? ''}\0${i.target ?? ''}\n`;

/**
 * The entry as stat sees it now (its record, manifest.json and, with `out`, every item of out/),
 * without reading a file: equal to the `stat` checkEntry gave for it exactly when nothing in it was
 * written, added or removed since. An out/ added to an entry that had none is not looked for:
 * nothing reads it, and checkEntry reports it.
 */
export function statEntry(entry: string, out: boolean): string {
  const record = lstatSync(`${entry}/${RECORD}`, { throwIfNoEntry: false });
  const manifest = lstatSync(`${entry}/manifest.json`, { throwIfNoEntry: false });
  if (!record || !manifest) return 'incomplete';
  let text = recordLine(record) + statLine(itemOf('manifest.json', `${entry}/manifest.json`, manifest));
  if (out) walkTree(entry, OUT, (item) => { text += statLine(item); });
  return text;
}

/** Records the entry's files as they are now: a freshly built entry, or one restored from a remote cache. */
export function writeEntryRecord(entry: string, signature: string): void {
  writeRecord(entry, signature, listTree(entry, COVERED));
}

/** The entry's record and the record's mtime (what "racy" compares with), or what is wrong with it. */
export function readEntryRecord(entry: string, signature: string): { files: readonly TreeItem[]; stat: FileStat } | { problem: string; old?: true } {
  let text: string;
  let stat: FileStat;
  try {
    const fd = openSync(`${entry}/${RECORD}`, 'r');
    try { stat = fstatSync(fd); text = readFileSync(fd, 'utf8'); } finally { closeSync(fd); }
  } catch {
    return { problem: `${RECORD} is missing (written by an older jhbuild, or removed): its files cannot be verified`, old: true };
  }
  const at = text.lastIndexOf(SELF);
  if (at < 0 || !text.endsWith('"}')) return { problem: `${RECORD} is truncated or not a jhbuild file record` };
  const body = `${text.slice(0, at)}}`;
  if (sha256(body) !== text.slice(at + SELF.length, -2)) return { problem: `${RECORD} is damaged: its own sha256 differs` };
  let record: Partial<EntryRecord> | null;
  try { record = JSON.parse(body) as Partial<EntryRecord> | null; } catch { return { problem: `${RECORD} is not JSON` }; }
  if (record?.format !== FORMAT || !Array.isArray(record.files)) return { problem: `${RECORD} is not a jhbuild file record` };
  if (record.signature !== signature) return { problem: `${RECORD} is the record of another entry (${String(record.signature).slice(0, 12)})` };
  return { files: record.files, stat };
}

function manifestProblem(file: string, signature: string): string | undefined {
  let manifest: unknown;
  try { manifest = JSON.parse(readFileSync(file, 'utf8')); } catch { return 'manifest.json is not JSON'; }
  const signed = signManifest(manifest as InputManifest);
  return signed === signature ? undefined : `manifest.json hashes to ${signed.slice(0, 12)}, not to the signature`;
}

/** What is wrong with an item against its record, or the item to record now (and whether it had to be read). */
function compareItem(was: TreeItem | undefined, item: TreeItem, full: string, signature: string, recordMtimeMs: number): string | { item: TreeItem; rehashed: boolean } {
  if (!was) return `${item.path}: added`;
  if (was.type !== item.type) return `${item.path}: was ${KIND[was.type]}, is ${KIND[item.type]}`;
  if (item.type === 'l' && item.target !== was.target) return `${item.path}: link target differs (${item.target}, recorded ${was.target})`;
  if (was.mode !== item.mode) return `${item.path}: mode differs (${item.mode?.toString(8)}, recorded ${was.mode?.toString(8)})`;
  if (item.type !== 'f') return { item, rehashed: false };
  if (was.size === item.size && was.mtimeMs === item.mtimeMs && was.ino === item.ino && item.mtimeMs! < recordMtimeMs) return { item: was, rehashed: false };
  // The manifest's own rule first: it names the fault better than a size or a hash would.
  const manifest = item.path === 'manifest.json' ? manifestProblem(full, signature) : undefined;
  if (manifest) return manifest;
  if (was.size !== item.size) return `${item.path}: size differs (${item.size} bytes, recorded ${was.size})`;
  const content = sha256File(full);
  if (content !== was.sha256) return `${item.path}: sha256 differs`;
  return { item: { ...item, sha256: content }, rehashed: true };
}

/**
 * Whether the entry of `signature` may be used. Files that had to be hashed and proved unchanged
 * (touched, copied, racy) get their stat recorded again, atomically, so the next check is cheap;
 * a concurrent rebuild of the same entry can at worst make that refresh stale, which costs a rehash.
 */
export function checkEntry(entry: string, signature: string): EntryCheck {
  try {
    const record = readEntryRecord(entry, signature);
    if ('problem' in record && !existsSync(entry)) return { state: 'missing' };
    if ('problem' in record) return { state: record.old ? 'unverifiable' : 'corrupt', problems: [record.problem] };
    const recorded = new Map(record.files.map((f) => [f.path, f]));
    const problems: string[] = [];
    const now: TreeItem[] = [];
    let rehashed = false;
    walkTree(entry, COVERED, (item, full) => {
      const was = recorded.get(item.path);
      recorded.delete(item.path);
      const result = compareItem(was, item, full, signature, record.stat.mtimeMs);
      if (typeof result === 'string') problems.push(result);
      else {
        now.push(result.item);
        rehashed ||= result.rehashed;
      }
    });
    for (const path of recorded.keys()) problems.push(`${path}: removed`);
    if (problems.length > 0) return { state: 'corrupt', problems };
    let stat: FileStat | undefined = record.stat;
    if (rehashed) {
      try {
        writeRecord(entry, signature, now);
        stat = lstatSync(`${entry}/${RECORD}`);
      } catch { stat = undefined; /* a read-only cache: the next check hashes again */ }
    }
    const racy = !stat || now.some((i) => i.type === 'f' && i.mtimeMs! >= stat.mtimeMs);
    return racy ? { state: 'ok' } : { state: 'ok', stat: { text: recordLine(stat!) + now.map(statLine).join(''), out: now.some((i) => i.path === 'out') } };
  } catch (error) {
    return { state: 'corrupt', problems: [`cannot be read: ${(error as Error).message}`] };
  }
}
