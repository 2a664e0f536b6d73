/** Fetch, unpack and patch a recipe's source into its work folder. */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Recipe } from './recipe.ts';
import { redactUrls } from '../errors.ts';
import { runProcess } from '../exec/index.ts';
import { checkoutGit, fetchGit } from '../fetch/git.ts';
import { gitMirrorPath } from '../fetch/download.ts';
import { downloadPath, fetchTarball, verifyDownload, type FetchOptions } from '../fetch/store.ts';

export interface SourceEnv {
  readonly recipe: Recipe;
  readonly fetch: FetchOptions;
  readonly localTree: string | undefined;
  readonly src: string;
  readonly work: string;
  readonly log: string;
  readonly signal: AbortSignal;
}

export async function fetchRecipeSource(env: SourceEnv): Promise<void> {
  const source = env.recipe.source;
  if (env.localTree) return;
  const options: FetchOptions = { ...env.fetch, log: logTo(env.log), logFile: env.log, signal: env.signal, recipe: env.recipe.name };
  if (source.type === 'tarball') await fetchTarball(source, options);
  else if (source.type === 'git') await fetchGit(source.url, source.rev, options);
}

export async function unpackRecipeSource(env: SourceEnv): Promise<void> {
  const { src, log, signal } = env;
  rmSync(src, { recursive: true, force: true });
  rmSync(appliedDir(env.work), { recursive: true, force: true });
  const source = env.recipe.source;
  if (env.localTree) {
    mkdirSync(dirname(src), { recursive: true });
    // A real copy: builds that write into their tree must never touch the user's files.
    await runProcess('cp', ['-a', '--reflink=auto', `${env.localTree}/.`, src], { log, signal });
    return;
  }
  // The download is checked where it is used: a file replaced since its fetch is never unpacked.
  if (source.type === 'tarball') await verifyDownload(downloadPath(env.fetch.downloads, source), source.sha256, env.recipe.name);
  mkdirSync(src, { recursive: true });
  if (source.type === 'tarball' && source.filename.endsWith('.deb')) {
    // A binary package: its data tree, as dpkg would install it.
    await runProcess('dpkg-deb', ['-x', downloadPath(env.fetch.downloads, source), src], { log, signal });
  } else if (source.type === 'tarball') {
    const strip = typeof env.recipe.vars.stripComponents === 'number' ? env.recipe.vars.stripComponents : 1;
    await runProcess('tar', ['-xf', downloadPath(env.fetch.downloads, source), '-C', src, `--strip-components=${strip}`,
      '--no-same-owner'], { log, signal });
  } else if (source.type === 'git') {
    await checkoutGit(gitMirrorPath(env.fetch.downloads, source.url), source.rev, src, log, signal);
  }
}

const appliedDir = (work: string) => join(work, 'patches-applied');

/**
 * Applies the recipe's patches in order. Patches applied by an earlier run are first reversed
 * (from the copies kept then), so a changed patch set needs no fresh unpack.
 */
export async function applyRecipePatches(env: SourceEnv): Promise<void> {
  const dir = appliedDir(env.work);
  const gitEnv = { GIT_CEILING_DIRECTORIES: dirname(env.src) };
  const indexFile = join(dir, 'series');
  const previous = existsSync(indexFile) ? readFileSync(indexFile, 'utf8').split('\n').filter(Boolean) : [];
  for (const name of [...previous].reverse()) {
    await runProcess('git', ['apply', '-R', '--whitespace=nowarn', join(dir, name)], { cwd: env.src, env: gitEnv, log: env.log, signal: env.signal });
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const series: string[] = [];
  for (const [i, patch] of env.recipe.patches.entries()) {
    const kept = `${String(i).padStart(4, '0')}-${patch.name.replace(/[/\\]/g, '_')}`;
    await runProcess('git', ['apply', '--whitespace=nowarn', patch.path], { cwd: env.src, env: gitEnv, log: env.log, signal: env.signal });
    copyFileSync(patch.path, join(dir, kept));
    series.push(kept);
    writeFileSync(indexFile, series.join('\n') + '\n');
  }
}

/** A fetch's log lines, which name mirrors and URLs: never with their passwords or tokens. */
function logTo(file: string) {
  return (line: string) => writeFileSync(file, `${redactUrls(line)}\n`, { flag: 'a' });
}
