/**
 * Hash equivalence (BitBake's hashserv, kept in the build folder): when a task's inputs changed
 * but its result is byte-identical to an earlier one's, it takes that earlier signature as its
 * "unihash", and tasks that depend on it are signed with the unihash, so they are not rebuilt.
 * Only install and deploy results are compared (they are whole outputs; work folders are not).
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** sha256 over the tree: each entry's path, kind, executable bit and content (or link target), in path order. */
export function hashOutputTree(dir: string): string {
  const hash = createHash('sha256');
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const full = join(dir, path);
      const st = lstatSync(full);
      if (st.isSymbolicLink()) hash.update(`l ${path} ${readlinkSync(full)}\n`);
      else if (st.isDirectory()) { hash.update(`d ${path}\n`); walk(path); }
      else hash.update(`f ${path} ${st.mode & 0o111 ? 'x' : '-'} ${createHash('sha256').update(readFileSync(full)).digest('hex')}\n`);
    }
  };
  if (existsSync(dir)) walk('');
  return hash.digest('hex');
}

function writeAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, text);
  renameSync(temp, file);
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
