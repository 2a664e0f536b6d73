/** Fetch, unpack and patch a recipe's source into its work folder; offline, first check every source is at hand. */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Recipe } from '../core/recipe.ts';
import { ARTIFACT_STEPS } from '../core/run.ts';
import type { TaskKey } from '../core/types.ts';
import { JhError, redactUrls } from '../errors.ts';
import { runProcess } from '../exec/index.ts';
import { planRemote } from '../cache/plan.ts';
import { checkoutGit, fetchGit, gitMissingFix, locateGitOffline } from '../fetch/git.ts';
import { gitMirrorPath } from './download.ts';
import { downloadPath, fetchTarball, locateTarballOffline, missingTarballFix, verifyDownload, type FetchOptions } from '../fetch/store.ts';
import type { BuildOptions, BuildPlan } from './build.ts';
import { localTreeOf } from './inputs.ts';

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

/**
 * Offline, before anything runs: every source the build will fetch is in the downloads folder or a
 * mirror folder (or built from --src). Else one error lists each missing one with where it was
 * looked for and how to provide it. Only fetches that run and that something needs are checked
 * (with a remote cache: those needed even if it holds every result).
 */
export async function checkOfflineSources(plan: BuildPlan, options: BuildOptions): Promise<void> {
  const running = plan.tasks.filter((t) => t.reason);
  const remoteMayHave = options.remoteCache ? new Set<TaskKey>(running.filter((t) => ARTIFACT_STEPS.has(t.node.id.step)).map((t) => t.node.key)) : new Set<TaskKey>();
  const skipped = new Set(planRemote(plan.tasks, remoteMayHave).skip);
  const fetches = running.filter((t) => t.node.id.step === 'fetch' && !skipped.has(t.node.key)
    && !localTreeOf(plan.recipes.get(t.node.id.recipe)!, options.srcOverrides));
  const where = { downloads: plan.layout.downloads, mirrors: options.mirrors };
  const missing: { recipe: string; what: string; pin: string; looked: string[]; fix: string }[] = [];
  for (const task of fetches) {
    const recipe = plan.recipes.get(task.node.id.recipe)!;
    const source = recipe.source;
    if (source.type === 'tarball') {
      const found = locateTarballOffline(source, where);
      if (!found.found) missing.push({ recipe: recipe.name, what: source.filename, pin: `sha256 ${source.sha256}`, looked: found.looked, fix: await missingTarballFix(source) });
    } else if (source.type === 'git') {
      const found = await locateGitOffline(source.url, source.rev, where);
      if (!found.found) missing.push({ recipe: recipe.name, what: `commit ${source.rev} of ${source.url}`, pin: 'git', looked: found.looked, fix: gitMissingFix(source.url, source.rev, recipe.name) });
    }
  }
  if (missing.length === 0) return;
  const message = missing.length === 1 ? `${missing[0]!.what} is not available offline (recipe ${missing[0]!.recipe}); nothing was built`
    : `offline, ${missing.length} of the ${fetches.length} sources this build fetches are not available (recipes ${missing.map((m) => m.recipe).join(', ')}); nothing was built`;
  throw new JhError('E_FETCH_MISSING', message, {
    details: missing.flatMap((m) => [`${m.recipe}: ${m.what}${m.pin === 'git' ? '' : ` (${m.pin})`}`, ...m.looked.map((l) => `  looked in ${l}`), `  fix: ${m.fix}`]),
    hint: 'provide each as its fix says, or drop --offline to fetch them' });
}
