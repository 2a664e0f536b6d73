/** Offline, every source a build will fetch is looked for before anything runs, and all that are missing are named at once. */
import { JhError } from '../errors.ts';
import type { BuildOptions, BuildPlan } from './build.ts';
import { localTreeOf } from './inputs.ts';
import { ARTIFACT_STEPS } from './run.ts';
import type { TaskKey } from './types.ts';
import { planRemote } from './cache/plan.ts';
import { gitMissingFix, locateGitOffline } from '../fetch/git.ts';
import { locateTarballOffline, missingTarballFix } from '../fetch/store.ts';

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
