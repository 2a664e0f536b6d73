/** What the end-to-end tiers build from: Debian's kernel tree and a busybox mirror, made once in a shared folder. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const e2eWork = process.env.JHBUILD_E2E_DIR ?? join(tmpdir(), 'jhbuild-e2e');

/** Debian's kernel tree, unpacked once (or JHBUILD_LINUX_SRC). */
export function linuxTree(): string {
  if (process.env.JHBUILD_LINUX_SRC) return process.env.JHBUILD_LINUX_SRC;
  const dir = join(e2eWork, 'linux-source-6.1');
  if (!existsSync(join(dir, 'Makefile'))) {
    mkdirSync(e2eWork, { recursive: true });
    execFileSync('tar', ['-xf', '/usr/src/linux-source-6.1.tar.xz', '-C', e2eWork]);
  }
  return dir;
}

/** A mirror folder filled the way a user would: apt-get source --download-only busybox. */
export function busyboxMirror(): string | undefined {
  const dir = join(e2eWork, 'mirror');
  mkdirSync(dir, { recursive: true });
  if (!readdirSync(dir).some((f) => f.endsWith('.orig.tar.bz2'))) {
    try { execFileSync('apt-get', ['source', '--download-only', 'busybox'], { cwd: dir, stdio: 'pipe' }); } catch { return undefined; }
  }
  return dir;
}

/** --src linux=… --mirror …: the sources every board tier shares. */
export function e2eSourceArgs(): string[] {
  const mirror = busyboxMirror();
  if (!mirror) throw new Error('apt-get source busybox failed: enable deb-src (jhbuild doctor --install)');
  return ['--src', `linux=${linuxTree()}`, '--mirror', mirror];
}
