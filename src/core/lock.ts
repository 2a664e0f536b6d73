/** One jhbuild process per build folder: an exclusive lock file naming its holder. */
import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { JhError } from '../errors.ts';

export interface BuildLock {
  /** True when the lock was taken over from a holder that died without releasing it. */
  readonly tookOverFromDeadHolder: boolean;
  release(): void;
}

export function acquireBuildLock(buildDir: string, command: string): BuildLock {
  mkdirSync(buildDir, { recursive: true });
  const file = join(buildDir, 'lock');
  let tookOver = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, command, since: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      return { tookOverFromDeadHolder: tookOver, release: () => { if (!released) { released = true; try { unlinkSync(file); } catch { /* already gone */ } } } };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: { pid?: number; command?: string; since?: string } = {};
    try { holder = JSON.parse(readFileSync(file, 'utf8')); } catch { /* being written or garbage: treat as stale below */ }
    if (holder.pid && holder.pid !== process.pid && isAlive(holder.pid)) {
      throw new JhError('E_BUILD_LOCKED', `build folder ${buildDir} is in use by jhbuild pid ${holder.pid} (${holder.command ?? '?'}, since ${holder.since ?? '?'})`, {
        hint: 'wait for it to finish, or use another --build-dir' });
    }
    try { unlinkSync(file); tookOver = true; } catch { /* raced with another cleaner */ }
  }
  throw new JhError('E_BUILD_LOCKED', `cannot take the lock ${file}`, { hint: 'another jhbuild is starting on this folder; try again' });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
