/** Git sources: a mirror repo per URL in the downloads folder, checked out at a pinned commit. */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { JhError } from '../errors.ts';
import { gitMirrorPath } from '../build/download.ts';
import { runProcess } from '../exec/index.ts';
import type { FetchOptions } from './store.ts';

async function hasCommit(repo: string, rev: string, log?: string): Promise<boolean> {
  try {
    await runProcess('git', ['-C', repo, 'cat-file', '-e', `${rev}^{commit}`], { log });
    return true;
  } catch {
    return false;
  }
}

export async function fetchGit(url: string, rev: string, options: FetchOptions & { logFile?: string }): Promise<string> {
  const mirror = gitMirrorPath(options.downloads, url);
  const log = options.logFile;
  if (existsSync(mirror) && await hasCommit(mirror, rev, log)) return mirror;
  const repoName = basename(url.replace(/\/+$/, ''));
  const places = [
    ...options.mirrors.filter((m) => !/^[a-z]+:\/\//i.test(m))
      .flatMap((m) => [join(m, repoName), join(m, `${repoName.replace(/\.git$/, '')}.git`)]).filter((p) => existsSync(p)),
    ...(options.offline ? [] : [url]),
  ];
  mkdirSync(join(options.downloads, 'git'), { recursive: true });
  for (const place of places) {
    try {
      if (!existsSync(mirror)) {
        const temp = `${mirror}.tmp-${process.pid}`;
        rmSync(temp, { recursive: true, force: true });
        await runProcess('git', ['clone', '--mirror', '--quiet', place, temp], { log, signal: options.signal });
        const { renameSync } = await import('node:fs');
        renameSync(temp, mirror);
      } else {
        await runProcess('git', ['-C', mirror, 'fetch', '--quiet', place, '+refs/*:refs/*'], { log, signal: options.signal });
      }
      if (await hasCommit(mirror, rev, log)) return mirror;
    } catch (error) {
      options.log?.(`${place}: ${(error as Error).message}`);
    }
  }
  throw new JhError('E_FETCH_MISSING', `commit ${rev} of ${url} is not available${options.offline ? ' offline' : ''}`, {
    details: [`looked in ${mirror}`, ...places.map((p) => `looked in ${p}`)],
    hint: 'check the URL and that the commit exists there, or give a --mirror folder holding the repository' });
}

export async function checkoutGit(mirror: string, rev: string, dest: string, log?: string, signal?: AbortSignal): Promise<void> {
  rmSync(dest, { recursive: true, force: true });
  await runProcess('git', ['clone', '--quiet', '--shared', '--no-checkout', mirror, dest], { log, signal });
  await runProcess('git', ['-C', dest, '-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', rev], { log, signal });
}
