/**
 * Hash equivalence (BitBake's hashserv, kept in the build folder): when a task's inputs changed
 * but its result is byte-identical to an earlier one's, it takes that earlier signature as its
 * "unihash", and tasks that depend on it are signed with the unihash, so they are not rebuilt.
 * Only install and deploy results are compared (they are whole outputs; work folders are not).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../atomic.ts';
import { listTree, readEntryRecord, type TreeItem } from '../entry-check.ts';

/** sha256 over a tree: each item's path, kind, executable bit and content (or link target), in path order. */
function treeHash(items: readonly TreeItem[]): string {
  const hash = createHash('sha256');
  for (const item of items) {
    if (item.type === 'l') hash.update(`l ${item.path} ${item.target}\n`);
    else if (item.type === 'd') hash.update(`d ${item.path}\n`);
    else if (item.type === 'f') hash.update(`f ${item.path} ${item.mode! & 0o111 ? 'x' : '-'} ${item.sha256}\n`);
    else hash.update(`o ${item.path}\n`);
  }
  return hash.digest('hex');
}

export function hashOutputTree(dir: string): string {
  return treeHash(listTree(dir));
}

/** The output hash of a cache entry, from the record of its files when it has one (no second read of out/). */
export function entryOutputHash(entry: string, signature: string): string {
  const record = readEntryRecord(entry, signature);
  if ('problem' in record) return hashOutputTree(join(entry, 'out'));
  return treeHash(record.files.filter((f) => f.path.startsWith('out/')).map((f) => ({ ...f, path: f.path.slice(4) })));
}

export class EquivalenceStore {
  private readonly dir: string;

  /** `dir` beside cache/, not in it: cache/ holds only entries. */
  constructor(dir: string) {
    this.dir = dir;
  }

  /** The signature dependents are signed with: an equivalent earlier signature, or the signature itself. */
  unihash(signature: string): string {
    try { return readFileSync(join(this.dir, 'sig', signature), 'utf8').trim(); } catch { return signature; }
  }

  /** Records a result just made; returns its unihash (the first signature of `task` that gave these bytes). */
  record(task: string, signature: string, outhash: string): string {
    const byOutput = join(this.dir, 'out', createHash('sha256').update(`${task}\n${outhash}`).digest('hex'));
    let unihash = signature;
    if (existsSync(byOutput)) unihash = readFileSync(byOutput, 'utf8').trim();
    else writeAtomic(byOutput, signature);
    if (unihash !== signature) writeAtomic(join(this.dir, 'sig', signature), unihash);
    return unihash;
  }
}
