/**
 * One build's use of a remote cache: before running, ask which results it holds, fetch them and
 * drop the tasks nothing needs any more; after each install/deploy task, share its result
 * (read-write mode). A remote that fails is reported once and the build goes on locally; a result
 * that fails its checks is reported and its task rebuilt.
 */
import { ARTIFACT_STEPS, type BuildEvent, type PlannedTask } from '../run.ts';
import type { TaskKey } from '../types.ts';
import type { EntryStore } from './entries.ts';
import { planRemote } from './plan.ts';
import { RemoteUnavailable } from './backend.ts';
import type { CacheMode } from './remote.ts';

export class RemoteSession {
  private usable = true;
  private readonly store: EntryStore;
  private readonly mode: CacheMode;
  private readonly where: string;
  private readonly emit: (e: BuildEvent) => void;

  constructor(store: EntryStore, mode: CacheMode, where: string, emit: (e: BuildEvent) => void) {
    this.store = store;
    this.mode = mode;
    this.where = where;
    this.emit = emit;
  }

  private giveUp(error: unknown, task?: TaskKey): void {
    if (!(error instanceof RemoteUnavailable)) throw error;
    if (this.usable) this.emit({ event: 'cache:warn', task, message: `remote cache ${this.where} unavailable (${error.message}); building locally` });
    this.usable = false;
  }

  /** The plan with remote results restored and unneeded tasks left out (they are reported as done). */
  async prepare(tasks: readonly PlannedTask[]): Promise<PlannedTask[]> {
    const candidates = tasks.filter((t) => t.reason && ARTIFACT_STEPS.has(t.node.id.step));
    const has = new Set<TaskKey>();
    try {
      const answers = await Promise.all(candidates.map(async (t) => [t.node.key, await this.store.has(t.signature)] as const));
      for (const [key, present] of answers) if (present) has.add(key);
    } catch (error) { this.giveUp(error); }
    let current = [...tasks];
    for (;;) {
      const plan = planRemote(current, this.usable ? has : new Set());
      const restored = new Set<TaskKey>();
      let failed = false;
      for (const key of plan.restore) {
        const task = current.find((t) => t.node.key === key)!;
        const started = performance.now();
        try {
          const result = await this.store.restore(task.signature);
          if (result.kind === 'hit') {
            restored.add(key);
            this.emit({ event: 'cache:restore', task: key, bytes: result.bytes, ms: Math.round(performance.now() - started) });
            continue;
          }
          if (result.kind === 'corrupt') this.emit({ event: 'cache:warn', task: key, message: `remote result of ${key} (${task.signature.slice(0, 12)}) ignored: ${result.why}; rebuilding it` });
        } catch (error) { this.giveUp(error, key); }
        has.delete(key);
        failed = true;
      }
      current = current.map((t) => (restored.has(t.node.key) ? { ...t, reason: undefined } : t));
      if (failed && this.usable) continue;
      const skip = new Set(failed ? planRemote(current, new Set()).skip : plan.skip);
      for (const key of skip) this.emit({ event: 'task:done', task: key, cached: true, ms: 0, from: 'unneeded' });
      return current.filter((t) => !skip.has(t.node.key));
    }
  }

  /** Shares a freshly built install/deploy result (read-write mode only). */
  async stored(task: PlannedTask): Promise<void> {
    if (this.mode !== 'readwrite' || !this.usable || !ARTIFACT_STEPS.has(task.node.id.step)) return;
    const started = performance.now();
    try {
      const { uploaded, bytes } = await this.store.store(task.signature);
      if (uploaded) this.emit({ event: 'cache:store', task: task.node.key, bytes, ms: Math.round(performance.now() - started) });
    } catch (error) { this.giveUp(error, task.node.key); }
  }
}
