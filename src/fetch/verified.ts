/**
 * The record of a download's last full sha256 check: its hash and the stat it had then (size,
 * mtime, ctime, inode). A file whose stat differs since (replaced, rewritten, copied in with its
 * old mtime) is hashed again. One small file per download in `.verified/` beside it, written
 * atomically. Kept small: the no-op fast path loads it.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';

interface VerifiedRecord { readonly sha256: string; readonly stat: string }

const recordPath = (file: string) => join(dirname(file), '.verified', basename(file));
const statStamp = (st: Stats) => `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;

/**
 * True when `file` is as it was when last found to have `sha256hex` (or any sha256, when not
 * given): a stat and a small read, no hashing. A folder (a git mirror, whose objects are named by
 * their hashes) only has to be there.
 */
export function isRecordedVerified(file: string, sha256hex?: string): boolean {
  let st: Stats;
  try { st = statSync(file); } catch { return false; }
  if (st.isDirectory()) return true;
  let record: VerifiedRecord;
  try { record = JSON.parse(readFileSync(recordPath(file), 'utf8')) as VerifiedRecord; } catch { return false; }
  return record.stat === statStamp(st) && (sha256hex === undefined || record.sha256 === sha256hex);
}

/** Records that `file`, as it is now, has `sha256hex` (the caller has just hashed or placed it). */
export function recordVerified(file: string, sha256hex: string): void {
  const record = recordPath(file);
  try {
    mkdirSync(dirname(record), { recursive: true });
    const temp = `${record}.tmp-${process.pid}-${Math.random().toString(16).slice(2, 10)}`;
    writeFileSync(temp, JSON.stringify({ sha256: sha256hex, stat: statStamp(statSync(file)) }));
    renameSync(temp, record);
  } catch { /* no record: the next use hashes the file again */ }
}

/** Drops the record of a file that is removed or failed its check. */
export function forgetVerified(file: string): void {
  rmSync(recordPath(file), { force: true });
}
