/**
 * Which results to take from the remote cache and which tasks are then no longer needed, like
 * BitBake's setscene: a result the remote holds stands in for its task and for everything that task
 * needed, unless something that still runs needs those too. Pure.
 */
import { ARTIFACT_STEPS, type PlannedTask } from '../run.ts';
import type { TaskKey } from '../types.ts';

export interface RemotePlan {
  /** Results to fetch (install and deploy steps the remote holds). */
  readonly restore: readonly TaskKey[];
  /** Tasks that would have run but nothing needs any more. */
  readonly skip: readonly TaskKey[];
}

export function planRemote(tasks: readonly PlannedTask[], remoteHas: ReadonlySet<TaskKey>): RemotePlan {
  const neededBySomeone = new Set(tasks.flatMap((t) => t.node.needs));
  // What the build was asked for: every task nothing else needs.
  const needed = new Set<TaskKey>(tasks.filter((t) => !neededBySomeone.has(t.node.key)).map((t) => t.node.key));
  // Steps whose own recipe's later step runs: that step reads the work folder, which a restored result does not fill.
  const needWork = new Set<TaskKey>();
  const restore: TaskKey[] = [];
  const skip: TaskKey[] = [];
  for (const task of [...tasks].reverse()) {
    const key = task.node.key;
    if (!task.reason) continue;
    if (!needed.has(key)) { skip.push(key); continue; }
    if (ARTIFACT_STEPS.has(task.node.id.step) && remoteHas.has(key) && !needWork.has(key)) { restore.push(key); continue; }
    for (const need of task.node.needs) {
      needed.add(need);
      if (need.startsWith(`${task.node.id.recipe}:`)) needWork.add(need);
    }
  }
  return { restore: restore.reverse(), skip: skip.reverse() };
}
