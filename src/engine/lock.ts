/**
 * One jhbuild process per build folder: an exclusive lock file naming its holder. The file appears
 * whole (written aside, then hard-linked into place, which fails if one exists), so a lock that
 * does not parse was not written by a live jhbuild a moment ago. Taking over a dead holder's lock
 * happens under a second exclusive file, so two builds cannot both remove it and both get in.
 */
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JhError } from '../errors.ts';

export interface BuildLock {
  /** True when the lock was taken over from a holder that died without releasing it. */
  readonly tookOverFromDeadHolder: boolean;
  release(): void;
}

interface Holder { pid: number; command: string; since: string }

/** A lock file that does not parse is only trusted to be stale once it is this old (an older jhbuild wrote in place). */
const GARBAGE_GRACE_MS = 10_000;
/** A takeover holds its file for microseconds; one older than this belongs to a process that died in between. */
const TAKEOVER_STALE_MS = 10_000;

export function acquireBuildLock(buildDir: string, command: string): BuildLock {
  mkdirSync(buildDir, { recursive: true });
  const file = join(buildDir, 'lock');
  const mine: Holder = { pid: process.pid, command, since: new Date().toISOString() };
  let tookOver = false;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createWhole(file, JSON.stringify(mine))) {
      let released = false;
      return { tookOverFromDeadHolder: tookOver, release: () => { if (!released) { released = true; removeIfMine(file); } } };
    }
    const seen = readHolder(file);
    if (seen.kind === 'gone') continue;
    if (seen.kind === 'alive') {
      throw new JhError('E_BUILD_LOCKED', `build folder ${buildDir} is in use by jhbuild pid ${seen.holder.pid} (${seen.holder.command}, since ${seen.holder.since})`, {
        hint: 'wait for it to finish, or use another --build-dir' });
    }
    if (seen.kind === 'unreadable' && Date.now() - seen.mtimeMs < GARBAGE_GRACE_MS) {
      throw new JhError('E_BUILD_LOCKED', `the lock ${file} does not name a holder (${seen.why}) and was written ${Math.round((Date.now() - seen.mtimeMs) / 1000)} s ago`, {
        hint: `another jhbuild may be starting on this folder: try again in a few seconds; if none runs, remove ${file}` });
    }
    if (takeOver(file, seen.ino)) tookOver = true;
  }
  throw new JhError('E_BUILD_LOCKED', `cannot take the lock ${file}`, { hint: 'another jhbuild is starting on this folder; try again' });
}

/** Creates `file` with `text` only if it does not exist, never visible half-written. */
function createWhole(file: string, text: string): boolean {
  const temp = `${file}.new-${process.pid}`;
  writeFileSync(temp, text);
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    unlinkSync(temp);
  }
}

type Seen = { kind: 'gone' } | { kind: 'alive'; holder: Holder } | { kind: 'dead'; ino: number }
  | { kind: 'unreadable'; ino: number; mtimeMs: number; why: string };

function readHolder(file: string): Seen {
  let text: string;
  let st;
  try { st = statSync(file); text = readFileSync(file, 'utf8'); } catch { return { kind: 'gone' }; }
  let holder: Partial<Holder>;
  try { holder = JSON.parse(text) as Partial<Holder>; } catch {
    return { kind: 'unreadable', ino: st.ino, mtimeMs: st.mtimeMs, why: text.length === 0 ? 'it is empty' : 'it is not JSON' };
  }
  if (!Number.isSafeInteger(holder.pid) || holder.pid! <= 0) return { kind: 'unreadable', ino: st.ino, mtimeMs: st.mtimeMs, why: 'it names no process id' };
  if (holder.pid === process.pid ? writtenByThisProcess(holder.since) : isAlive(holder.pid!)) {
    return { kind: 'alive', holder: { pid: holder.pid!, command: String(holder.command ?? '?'), since: String(holder.since ?? '?') } };
  }
  return { kind: 'dead', ino: st.ino };
}

/** Removes the stale lock judged at inode `ino`, under the takeover file; false when another process is doing it. */
function takeOver(file: string, ino: number): boolean {
  const guard = `${file}.takeover`;
  if (!createWhole(guard, String(process.pid))) {
    try { if (Date.now() - statSync(guard).mtimeMs > TAKEOVER_STALE_MS) unlinkSync(guard); } catch { /* gone */ }
    return false;
  }
  try {
    // Only the file that was judged stale: a fresh lock another process made meanwhile has another inode.
    if (statSync(file, { throwIfNoEntry: false })?.ino !== ino) return false;
    unlinkSync(file);
    return true;
  } finally {
    unlinkSync(guard);
  }
}

function removeIfMine(file: string): void {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    if (holder.pid === process.pid) unlinkSync(file);
  } catch { /* already gone */ }
}

/**
 * Our own pid in the lock: this process holds it (a second build of one program), unless it was
 * written before this process started (a pid reused, as in containers where jhbuild is always pid N).
 */
function writtenByThisProcess(since: unknown): boolean {
  const written = Date.parse(String(since));
  return !Number.isFinite(written) || written >= Date.now() - process.uptime() * 1000 - 1000;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

