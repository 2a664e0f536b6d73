/** Runs a DAG of tasks with a job limit; stops starting new work after a failure or cancel. */

export interface ScheduledTask {
  readonly key: string;
  /** Keys of scheduled tasks that must finish first (others are assumed done). */
  readonly needs: readonly string[];
}

export interface ScheduleResult {
  readonly done: readonly string[];
  readonly failed: readonly string[];
  /** Never started because something failed or the run was cancelled. */
  readonly notRun: readonly string[];
}

/**
 * `run(key, share)` gets its share of the job budget (for make -j): the limit divided among the
 * tasks running at the moment it starts, at least 1.
 */
export async function runSchedule(tasks: readonly ScheduledTask[], jobs: number,
  run: (key: string, share: number) => Promise<boolean>, signal?: AbortSignal): Promise<ScheduleResult> {
  const limit = Math.max(1, jobs);
  const waiting = new Map(tasks.map((t) => [t.key, new Set(t.needs.filter((n) => tasks.some((o) => o.key === n)))]));
  const dependents = new Map<string, string[]>();
  for (const t of tasks) for (const need of waiting.get(t.key)!) dependents.set(need, [...(dependents.get(need) ?? []), t.key]);
  const ready = tasks.filter((t) => waiting.get(t.key)!.size === 0).map((t) => t.key);
  const done: string[] = [];
  const failed: string[] = [];
  let running = 0;
  let stopping = false;

  return new Promise((resolve) => {
    const finish = () => {
      const started = new Set([...done, ...failed]);
      resolve({ done, failed, notRun: tasks.map((t) => t.key).filter((k) => !started.has(k)) });
    };
    const pump = () => {
      if (signal?.aborted) stopping = true;
      while (!stopping && running < limit && ready.length > 0) {
        const key = ready.shift()!;
        running++;
        const share = Math.max(1, Math.floor(limit / Math.min(limit, running + ready.length)));
        run(key, share).then((ok) => {
          running--;
          if (ok) {
            done.push(key);
            for (const next of dependents.get(key) ?? []) {
              const needs = waiting.get(next)!;
              needs.delete(key);
              if (needs.size === 0) ready.push(next);
            }
          } else {
            failed.push(key);
            stopping = true;
          }
          pump();
        });
      }
      if (running === 0 && (stopping || ready.length === 0)) finish();
    };
    pump();
  });
}
