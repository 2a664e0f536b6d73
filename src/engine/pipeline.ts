/**
 * The one library call that builds: `build(project, machine, targets, options, { emit, signal })`.
 * The CLI, the tests and the benchmarks all come through here: the no-op fast path, the cell check
 * before anything is fetched, the plan, the offline check, the run under the build lock, and the
 * saved plan of a complete build. It prints nothing; what happens reaches `emit`.
 */
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JhError } from '../errors.ts';
import type { Machine } from '../machine/types.ts';
import type { BuildOptions } from './build.ts';
import { buildLayout, type BuildLayout } from './layout.ts';
import { acquireBuildLock } from './lock.ts';
import { buildKeyFiles } from './build-keys.ts';
import { applyDeployLinks, planCacheFile, readNoopPlan, snapshotFiles, statKey, writeCachedPlan } from './plan-cache.ts';
import type { ProjectView } from './recipe.ts';
import type { BuildEvent, BuildSummary, PlannedTask } from './run.ts';
import { treeCacheFile } from './tree.ts';
import type { Step } from './types.ts';

/** A machine, or how to load it: the no-op fast path needs only its name. */
export type MachineRef = Machine | { readonly name: string; load(): Promise<Machine> };

export interface BuildRequest extends BuildOptions {
  /** The last step of each target to reach (fetch: download only). */
  readonly lastStep?: Step;
  /** Plan only: `planned` gets the tasks and nothing runs. */
  readonly dryRun?: boolean;
  /** Names the build folder's lock holder for a second jhbuild (e.g. "image image"). */
  readonly command?: string;
  /** Licences accepted on the command line: part of what a saved plan is for. */
  readonly acceptedLicenses?: readonly string[];
}

export interface BuildHooks {
  emit(event: BuildEvent): void;
  readonly signal: AbortSignal;
  /** The plan, once made and before anything runs (a UI draws its task tree from it). */
  planned?(tasks: readonly PlannedTask[]): void | Promise<void>;
}

export interface BuildResult extends BuildSummary {
  readonly layout: BuildLayout;
  /** Answered from the saved plan without loading a recipe. */
  readonly noop: boolean;
  readonly interrupted: boolean;
  /** The failed tasks' events, for a report. */
  readonly failures: readonly Extract<BuildEvent, { event: 'task:fail' }>[];
}

const jhbuildSrc = fileURLToPath(new URL('..', import.meta.url));

/** The folders whose files a plan reads: if none changed, a saved plan still holds. */
function planInputs(project: ProjectView): string[] {
  return [...new Set([...['recipes', 'machines', 'templates', 'layers', 'src', 'package.json'].map((d) => join(project.root, d)), jhbuildSrc])];
}

const isLoaded = (machine: MachineRef): machine is Machine => !('load' in machine && typeof machine.load === 'function');

export async function build(project: ProjectView, machineRef: MachineRef, targets: readonly string[], request: BuildRequest,
  hooks: BuildHooks): Promise<BuildResult> {
  const lastStep = request.lastStep ?? 'deploy';
  const command = request.command ?? `build ${targets.join(' ')}`;
  const layout = buildLayout(request.buildDir, machineRef.name, request.downloads);
  const planFile = planCacheFile(layout, { root: project.root, targets: [...targets].sort(), machine: machineRef.name, lastStep,
    licenses: [...(request.acceptedLicenses ?? [])].sort(), src: [...request.srcOverrides.entries()].sort(), downloads: layout.downloads });
  const result = (summary: BuildSummary, noop: boolean, failures: BuildResult['failures'] = []): BuildResult =>
    ({ ...summary, layout, noop, interrupted: hooks.signal.aborted, failures });

  if (!request.dryRun) {
    const cached = readNoopPlan(planFile, planInputs(project), layout, (tree) => treeCacheFile(request.buildDir, tree));
    if (cached) {
      const lock = acquireBuildLock(request.buildDir, command);
      try { applyDeployLinks(cached.deployLinks); } finally { lock.release(); }
      for (const t of cached.tasks) hooks.emit({ event: 'task:done', task: t.key, cached: true, ms: 0 });
      const summary = { ran: 0, cached: cached.tasks.length, failed: 0 };
      hooks.emit({ event: 'build:done', ...summary });
      return result(summary, true);
    }
  }
  const { cachedPlanOf, planBuild, runPlan } = await import('./build.ts');
  // What the plan reads, as it is before reading it: an edit during the build invalidates the saved plan.
  const inputsBefore = snapshotFiles(planInputs(project));
  const machine = isLoaded(machineRef) ? machineRef : await machineRef.load();
  const extraFiles: [string, string][] = machine.rootCellFile && isAbsolute(machine.rootCellFile) ? [[machine.rootCellFile, statKey(machine.rootCellFile)]] : [];
  await refuseUnworkableCells(machine);
  const plan = await planBuild(project, machine, targets, request, lastStep);
  // The build keys' public halves are inputs outside the project (planning made them when missing).
  const keys = new Set([...plan.recipes.values()].flatMap((r) => r.buildKeys));
  for (const key of keys) { const file = buildKeyFiles(request.buildDir, key).publicKey; extraFiles.push([file, statKey(file)]); }
  await hooks.planned?.(plan.tasks);
  if (request.dryRun) return result({ ran: 0, cached: plan.tasks.filter((t) => !t.reason).length, failed: 0 }, false);
  // Offline, every missing source is named at once, before anything runs.
  if (request.offline) await (await import('./offline.ts')).checkOfflineSources(plan, request);

  const failures: Extract<BuildEvent, { event: 'task:fail' }>[] = [];
  const summary = await runPlan(plan, project, request, (e) => { if (e.event === 'task:fail') failures.push(e); hooks.emit(e); }, hooks.signal, command);
  // Saved after the run: only a complete build's plan can serve a later no-op.
  if (summary.failed === 0 && !hooks.signal.aborted) writeCachedPlan(planFile, cachedPlanOf(plan, request, inputsBefore, extraFiles));
  return result(summary, false, failures);
}

/** A system that cannot work is refused before anything is fetched or compiled. */
async function refuseUnworkableCells(machine: Machine): Promise<void> {
  const { checkMachine } = await import('../system/cells.ts');
  const findings = checkMachine(machine);
  if (findings.length === 0) return;
  const { formatFinding } = await import('../cells/check/index.ts');
  throw new JhError('E_CELL_CHECK', `machine ${machine.name}: ${findings.length} cell config problem(s); nothing was built`, {
    file: machine.file, details: findings.map(formatFinding).flatMap((f) => f.split('\n')), hint: 'fix the machine description (jhbuild cells check shows the same)' });
}
