/** The only place that imports listr2: one row per recipe, its steps as subtasks, progress live. */
import { Listr, type ListrTaskWrapper } from 'listr2';
import type { BuildEvent, PlannedTask } from '../engine/run.ts';
import type { Ui } from './types.ts';

interface Waiter { resolve(result: 'done' | 'cached'): void; reject(error: Error): void; promise: Promise<'done' | 'cached'> }

export function listrUi(plan: readonly PlannedTask[]): Ui {
  const waiters = new Map<string, Waiter>();
  for (const t of plan) {
    let resolve!: Waiter['resolve'];
    let reject!: Waiter['reject'];
    const promise = new Promise<'done' | 'cached'>((res, rej) => { resolve = res; reject = rej; });
    promise.catch(() => undefined);
    waiters.set(t.node.key, { resolve, reject, promise });
  }
  const byRecipe = new Map<string, PlannedTask[]>();
  for (const t of plan) byRecipe.set(t.node.id.recipe, [...(byRecipe.get(t.node.id.recipe) ?? []), t]);
  const running = new Map<string, ListrTaskWrapper<unknown, never, never>>();
  const stepTask = (t: PlannedTask) => ({
    title: t.node.id.step,
    task: async (_: unknown, task: ListrTaskWrapper<unknown, never, never>) => {
      running.set(t.node.key, task);
      const result = await waiters.get(t.node.key)!.promise;
      if (result === 'cached') task.skip(`${t.node.id.step} (cached)`);
    },
  });
  const list = new Listr([...byRecipe.entries()].map(([recipe, steps]) => ({
    title: recipe,
    task: (_: unknown, task: ListrTaskWrapper<unknown, never, never>) =>
      task.newListr(steps.map(stepTask), { concurrent: false, exitOnError: true }),
  })), { concurrent: true, exitOnError: false, rendererOptions: { collapseSubtasks: true, collapseSkips: true } as never });
  const listing = list.run().catch(() => undefined);
  return {
    emit(event: BuildEvent) {
      if (event.event === 'task:done') waiters.get(event.task)?.resolve(event.cached ? 'cached' : 'done');
      else if (event.event === 'task:progress') { const task = running.get(event.task); if (task) task.output = event.message; }
      else if (event.event === 'task:fail') waiters.get(event.task)?.reject(new Error(event.message));
      else if (event.event === 'cache:warn') process.stderr.write(`warning ${event.message}\n`);
      else if (event.event === 'build:done') {
        // Tasks never started (after a failure) end the list too.
        for (const w of waiters.values()) w.reject(new Error('not run'));
      }
    },
    close: async () => { await listing; },
  };
}
