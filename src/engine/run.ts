/**
 * Execution: decides from stamps what must run, runs it through the scheduler, records results.
 * A cache entry (cache/<sig>/) is written under a temp name and renamed, so a killed build never
 * leaves a partial one; it carries a record of its files and is used only while it matches it
 * (entry-check.ts). Steps whose output lives in the work folder (src, build tree) also record
 * in the work state which signature the folder reflects, so a consumer can tell when it must be redone.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isJhError, JhError } from '../errors.ts';
import { writeAtomic } from './atomic.ts';
import { checkEntry, writeEntryRecord } from './entry-check.ts';
import type { TaskGraph, TaskNode } from './graph.ts';
import { canonicalJson, type InputManifest } from './hash.ts';
import type { BuildLayout } from './layout.ts';
import { runSchedule } from './schedule.ts';
import { STEPS, type Step, type TaskKey } from './types.ts';

export interface PlannedTask {
  readonly node: TaskNode;
  readonly manifest: InputManifest;
  readonly signature: string;
  /** Why it must run; undefined when its cached result stands. */
  readonly reason?: 'no cached result' | 'cached result corrupt' | 'cached result unverifiable' | 'work folder out of date' | 'output missing';
  /** For a corrupt or unverifiable cached result: what differs from its record (e.g. "out/Image: sha256 differs"). */
  readonly problems?: readonly string[];
}

export type BuildEvent =
  | { event: 'task:start'; task: TaskKey; cached: false }
  | { event: 'task:done'; task: TaskKey; cached: boolean; ms: number; from?: 'remote' | 'unneeded' | 'equivalent' }
  | { event: 'task:progress'; task: TaskKey; message: string }
  | { event: 'task:fail'; task: TaskKey; cached: false; ms: number; log: string; tail: string[]; message: string }
  | { event: 'build:done'; ran: number; cached: number; failed: number }
  | { event: 'cache:restore'; task: TaskKey; bytes: number; ms: number }
  | { event: 'cache:store'; task: TaskKey; bytes: number; ms: number }
  | { event: 'cache:warn'; message: string; task?: TaskKey };

export interface StepIo {
  /** For install/deploy: the temp folder that becomes the cache entry's output. */
  readonly out: string | undefined;
  readonly log: string;
  readonly jobs: number;
  readonly signal: AbortSignal;
  progress(message: string): void;
}

export interface RunHooks {
  runStep(task: PlannedTask, io: StepIo): Promise<void>;
  emit(event: BuildEvent): void;
  /** False when a step's output outside the work folder is gone (e.g. a deleted download). */
  outputPresent?(task: PlannedTask): boolean;
  /** Called once a task's entry is in the cache (e.g. to share it with a remote cache). */
  stored?(task: PlannedTask): Promise<void>;
  /**
   * Called when a task is about to run, its needs done: the task signed again with what they turned
   * out to be (hash equivalence). `cached` when that signature's result is already there.
   */
  resolve?(task: PlannedTask): { task: PlannedTask; cached: boolean };
}

/** Steps whose result is a cache entry output rather than the work folder. */
export const ARTIFACT_STEPS: ReadonlySet<Step> = new Set(['install', 'deploy']);

export function entryOut(layout: BuildLayout, signature: string): string {
  return join(layout.entry(signature), 'out');
}

type WorkState = Partial<Record<Step, string>>;

export function readWorkState(layout: BuildLayout, recipe: string): WorkState {
  try { return JSON.parse(readFileSync(layout.workState(recipe), 'utf8')) as WorkState; } catch { return {}; }
}

/**
 * Marks which tasks must run. Pure over what it reads from the build folder, but for refreshing the
 * stat records of entries whose files were touched yet proved unchanged.
 */
export function decideRuns(graph: TaskGraph, signatures: ReadonlyMap<TaskKey, { manifest: InputManifest; signature: string }>,
  layout: BuildLayout, outputPresent?: (task: PlannedTask) => boolean): PlannedTask[] {
  const states = new Map<string, WorkState>();
  const state = (recipe: string) => {
    let s = states.get(recipe);
    if (!s) states.set(recipe, s = readWorkState(layout, recipe));
    return s;
  };
  const reasons = new Map<TaskKey, PlannedTask['reason']>();
  const problems = new Map<TaskKey, readonly string[]>();
  for (const node of graph.order) {
    const { signature, manifest } = signatures.get(node.key)!;
    const check = checkEntry(layout.entry(signature), signature);
    if (check.state === 'missing') reasons.set(node.key, 'no cached result');
    else if (check.state !== 'ok') {
      reasons.set(node.key, `cached result ${check.state}`);
      problems.set(node.key, check.problems);
    } else if (outputPresent && !outputPresent({ node, manifest, signature })) reasons.set(node.key, 'output missing');
  }
  // A task that runs needs the work folders of what it builds on to reflect their signatures.
  for (const node of [...graph.order].reverse()) {
    if (!reasons.has(node.key)) continue;
    for (const need of node.needs) {
      const needNode = graph.nodes.get(need)!;
      if (reasons.has(need) || ARTIFACT_STEPS.has(needNode.id.step) || needNode.id.step === 'fetch') continue;
      if (state(needNode.id.recipe)[needNode.id.step] !== signatures.get(need)!.signature) reasons.set(need, 'work folder out of date');
    }
  }
  return graph.order.map((node) => ({ node, ...signatures.get(node.key)!, reason: reasons.get(node.key), problems: problems.get(node.key) }));
}

/**
 * Reports and removes the entries decideRuns found corrupt or unverifiable, so that neither this
 * build (a task left out as unneeded) nor a later one can use them; called with the build lock held.
 */
export function dropBadEntries(plan: readonly PlannedTask[], layout: BuildLayout, emit: (e: BuildEvent) => void): void {
  for (const task of plan) {
    if (task.reason !== 'cached result corrupt' && task.reason !== 'cached result unverifiable') continue;
    const entry = layout.entry(task.signature);
    const problems = task.problems ?? [];
    const shown = [...problems.slice(0, 5), ...(problems.length > 5 ? [`${problems.length - 5} more`] : [])].join('; ');
    const state = task.reason === 'cached result corrupt' ? 'corrupt' : 'unverifiable';
    emit({ event: 'cache:warn', task: task.node.key,
      message: `cached result of ${task.node.key} at ${entry} is ${state}: ${shown}; dropped it, the task runs again when its result is needed` });
    try {
      rmSync(entry, { recursive: true, force: true });
    } catch (error) {
      throw new JhError('E_CACHE_ENTRY', `cannot remove the ${state} cache entry ${entry}: ${(error as Error).message}`, {
        hint: 'check the permissions of the build folder, or remove the entry by hand' });
    }
  }
}

export interface RunOptions {
  readonly jobs: number;
  readonly signal: AbortSignal;
}

export interface BuildSummary { ran: number; cached: number; failed: number }

export async function runBuild(plan: readonly PlannedTask[], layout: BuildLayout, hooks: RunHooks,
  options: RunOptions): Promise<BuildSummary> {
  removeStaleTemps(layout);
  const byKey = new Map(plan.map((t) => [t.node.key, t]));
  let cached = 0;
  for (const task of plan) {
    if (task.reason) continue;
    cached++;
    hooks.emit({ event: 'task:done', task: task.node.key, cached: true, ms: 0 });
  }
  const toRun = plan.filter((t) => t.reason).map((t) => ({ key: t.node.key, needs: t.node.needs }));
  const cachedBefore = cached;
  const runOne = async (key: string, jobs: number): Promise<boolean> => {
    const resolved = hooks.resolve?.(byKey.get(key as TaskKey)!) ?? { task: byKey.get(key as TaskKey)!, cached: false };
    const task = resolved.task;
    if (resolved.cached) {
      cached++;
      hooks.emit({ event: 'task:done', task: task.node.key, cached: true, ms: 0, from: 'equivalent' });
      return true;
    }
    const started = performance.now();
    hooks.emit({ event: 'task:start', task: task.node.key, cached: false });
    const { recipe, step } = task.node.id;
    const log = layout.log(recipe, step);
    const temp = join(layout.cache, `.tmp-${task.signature}-${process.pid}`);
    try {
      invalidateFrom(layout, recipe, step);
      rmSync(temp, { recursive: true, force: true });
      mkdirSync(temp, { recursive: true });
      const out = ARTIFACT_STEPS.has(step) ? join(temp, 'out') : undefined;
      if (out) mkdirSync(out);
      mkdirSync(dirname(log), { recursive: true });
      writeFileSync(log, '');
      await hooks.runStep(task, { out, log, jobs, signal: options.signal,
        progress: (message) => hooks.emit({ event: 'task:progress', task: task.node.key, message }) });
      if (options.signal.aborted) throw new Error('interrupted');
      const manifestText = JSON.stringify(JSON.parse(canonicalJson(task.manifest)), null, 1);
      writeFileSync(join(temp, 'manifest.json'), manifestText);
      writeEntryRecord(temp, task.signature);
      const entry = layout.entry(task.signature);
      mkdirSync(dirname(entry), { recursive: true });
      rmSync(entry, { recursive: true, force: true });
      renameSync(temp, entry);
      if (!ARTIFACT_STEPS.has(step)) setWorkState(layout, recipe, step, task.signature);
      writeAtomic(layout.lastManifest(recipe, step), manifestText);
      await hooks.stored?.(task);
      hooks.emit({ event: 'task:done', task: task.node.key, cached: false, ms: Math.round(performance.now() - started) });
      return true;
    } catch (error) {
      rmSync(temp, { recursive: true, force: true });
      const jh = isJhError(error) ? error : undefined;
      const message = jh ? `${jh.code}: ${jh.message}` : (error as Error).message ?? String(error);
      const more = jh ? [...jh.details, ...(jh.hint ? [`hint: ${jh.hint}`] : [])] : [];
      try { writeFileSync(log, [`\njhbuild: ${key} failed: ${message}`, ...more].join('\n') + '\n', { flag: 'a' }); } catch { /* log folder gone */ }
      hooks.emit({ event: 'task:fail', task: task.node.key, cached: false, ms: Math.round(performance.now() - started),
        log, tail: tailOf(log, 20), message });
      return false;
    }
  };
  const result = await runSchedule(toRun, options.jobs, runOne, options.signal);
  const summary = { ran: result.done.length + result.failed.length - (cached - cachedBefore), cached, failed: result.failed.length };
  hooks.emit({ event: 'build:done', ...summary });
  return summary;
}

/** The step is about to change the work folder: it and every later step no longer reflect a signature. */
function invalidateFrom(layout: BuildLayout, recipe: string, step: Step): void {
  const state = readWorkState(layout, recipe);
  for (const later of STEPS.slice(STEPS.indexOf(step))) delete state[later];
  writeAtomic(layout.workState(recipe), JSON.stringify(state));
}

function setWorkState(layout: BuildLayout, recipe: string, step: Step, signature: string): void {
  const state = readWorkState(layout, recipe);
  state[step] = signature;
  writeAtomic(layout.workState(recipe), JSON.stringify(state));
}

/** Temp entries of a killed build; called with the build lock held. */
function removeStaleTemps(layout: BuildLayout): void {
  if (!existsSync(layout.cache)) return;
  for (const name of readdirSync(layout.cache)) {
    if (name.startsWith('.tmp-')) rmSync(join(layout.cache, name), { recursive: true, force: true });
  }
}

export function tailOf(file: string, lines: number): string[] {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text.split('\n').slice(-lines);
  } catch {
    return [];
  }
}
