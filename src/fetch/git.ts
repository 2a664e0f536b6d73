/**
 * Git sources: a bare repo per URL in the downloads folder holding the pinned commits, checked out
 * at a pinned commit. Only the pinned commit is fetched (`git fetch --depth 1 URL COMMIT`, as
 * BitBake's shallow mirrors do); a server that refuses a fetch by commit id gets a full mirror
 * fetch (what `git clone --mirror` does) instead. No URL is saved in the repo's config.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { JhError } from '../errors.ts';
import { gitMirrorPath, partPath } from './download.ts';
import { runProcess } from '../exec/index.ts';
import { removeStaleParts, type FetchOptions } from './store.ts';

/** git never asks for a password on a terminal: a refusal fails the attempt. */
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0' };

/** The ref that keeps a pinned commit in the repo (and visible to `git clone`). */
const pinRef = (rev: string) => `refs/heads/jhbuild-pin/${rev}`;

async function hasCommit(repo: string, rev: string, log?: string): Promise<boolean> {
  try {
    await runProcess('git', ['-C', repo, 'cat-file', '-e', `${rev}^{commit}`], { log });
    return true;
  } catch {
    return false;
  }
}

/** Repos in --mirror folders that may hold `url`: DIR/NAME and DIR/NAME.git. */
function mirrorFolderRepos(url: string, mirrors: readonly string[]): string[] {
  const repoName = basename(url.replace(/\/+$/, ''));
  return mirrors.filter((m) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(m))
    .flatMap((m) => [...new Set([join(m, repoName), join(m, `${repoName.replace(/\.git$/, '')}.git`)])]);
}

/**
 * Brings `rev` from `place` into `repo`: the commit alone when the server serves a fetch by commit
 * id (protocol v2 servers, or uploadpack.allowAnySHA1InWant / allowReachableSHA1InWant), else every ref.
 */
async function fetchCommit(repo: string, place: string, rev: string, options: FetchOptions): Promise<void> {
  const log = options.logFile;
  const run = (args: string[]) => runProcess('git', ['-C', repo, ...args], { log, signal: options.signal, env: GIT_ENV });
  try {
    await run(['fetch', '--quiet', '--no-tags', '--depth', '1', place, rev]);
    options.log?.(`git: fetched commit ${rev} alone (shallow, depth 1) from ${place}`);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    options.log?.(`git: ${place} did not serve commit ${rev} by itself (${(error as Error).message}); fetching the whole repository instead (as git clone --mirror)`);
    await run(['fetch', '--quiet', place, '+refs/*:refs/*']);
    options.log?.(`git: fetched every ref of ${place} (full mirror)`);
  }
}

/** Fetches into the store's repo for the URL, made under a private name and renamed when new. */
async function fetchInto(mirror: string, place: string, rev: string, options: FetchOptions): Promise<boolean> {
  const log = options.logFile;
  if (existsSync(mirror)) {
    await fetchCommit(mirror, place, rev, options);
    if (!await hasCommit(mirror, rev, log)) return false;
    await runProcess('git', ['-C', mirror, 'update-ref', pinRef(rev), rev], { log });
    return true;
  }
  const temp = partPath(mirror);
  try {
    await runProcess('git', ['init', '--quiet', '--bare', temp], { log, signal: options.signal });
    await fetchCommit(temp, place, rev, options);
    if (!await hasCommit(temp, rev, log)) return false;
    await runProcess('git', ['-C', temp, 'update-ref', pinRef(rev), rev], { log });
    try {
      renameSync(temp, mirror);
    } catch (error) {
      // Another process placed the repo first: use it if it has the commit, else fetch into it.
      if (!existsSync(mirror)) throw error;
      return await hasCommit(mirror, rev, log) || fetchInto(mirror, place, rev, options);
    }
    return true;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

export async function fetchGit(url: string, rev: string, options: FetchOptions): Promise<string> {
  const mirror = gitMirrorPath(options.downloads, url);
  const log = options.logFile;
  if (existsSync(mirror) && await hasCommit(mirror, rev, log)) return mirror;
  const inFolders = mirrorFolderRepos(url, options.mirrors);
  const places = [...inFolders.filter((p) => existsSync(p)), ...(options.offline ? [] : [url])];
  mkdirSync(dirname(mirror), { recursive: true });
  removeStaleParts(dirname(mirror), basename(mirror), options.log);
  for (const place of places) {
    try {
      if (await fetchInto(mirror, place, rev, options)) return mirror;
      options.log?.(`git: ${place} does not have commit ${rev}`);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      options.log?.(`git: ${place}: ${(error as Error).message}`);
    }
  }
  const offline = options.offline;
  throw new JhError('E_FETCH_MISSING', `commit ${rev} of ${url} is not available${offline ? ' offline' : ''}`, {
    details: [`looked in ${mirror}`, ...(offline ? inFolders : places).map((p) => `looked in ${p}`)],
    hint: `${offline ? '' : 'check the URL and that the commit exists there, or '}${gitMissingFix(url, rev, options.recipe)}${offline ? ', or drop --offline' : ''}` });
}

/** How to build a git source without its server: a local tree, or a mirror folder holding the repository. */
export function gitMissingFix(url: string, rev: string, recipe = 'NAME'): string {
  const repo = basename(url.replace(/\/+$/, '')).replace(/\.git$/, '');
  return `build from a local tree with --src ${recipe}=PATH (a checkout at ${rev.slice(0, 12)}), `
    + `or give a --mirror DIR folder holding the repository as DIR/${repo}.git (git clone --mirror ${url} DIR/${repo}.git)`;
}

/** Offline: whether the store or a --mirror folder has the commit, else every place looked in. */
export async function locateGitOffline(url: string, rev: string, options: Pick<FetchOptions, 'downloads' | 'mirrors'>): Promise<{ found: boolean; looked: string[] }> {
  const mirror = gitMirrorPath(options.downloads, url);
  const looked: string[] = [];
  for (const repo of [mirror, ...mirrorFolderRepos(url, options.mirrors)]) {
    if (existsSync(repo) && await hasCommit(repo, rev)) return { found: true, looked: [] };
    looked.push(existsSync(repo) ? `${repo} (no commit ${rev.slice(0, 12)})` : repo);
  }
  return { found: false, looked };
}

export async function checkoutGit(mirror: string, rev: string, dest: string, log?: string, signal?: AbortSignal): Promise<void> {
  rmSync(dest, { recursive: true, force: true });
  await runProcess('git', ['clone', '--quiet', '--shared', '--no-checkout', mirror, dest], { log, signal });
  await runProcess('git', ['-C', dest, '-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', rev], { log, signal });
}
