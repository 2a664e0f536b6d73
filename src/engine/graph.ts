/** The task graph: nodes are recipe steps, edges say "must finish before". Pure. */
import { JhError } from '../errors.ts';
import { STEPS, taskKey, type Dependency, type Step, type TaskId, type TaskKey } from './types.ts';

export interface GraphRecipe {
  readonly name: string;
  readonly depends: readonly Dependency[];
}

export interface TaskNode {
  readonly id: TaskId;
  readonly key: TaskKey;
  /** Tasks that must finish first, in a stable order. */
  readonly needs: readonly TaskKey[];
}

export interface TaskGraph {
  /** Every task in a topological order (dependencies first). */
  readonly order: readonly TaskNode[];
  readonly nodes: ReadonlyMap<TaskKey, TaskNode>;
}

/**
 * Builds the graph of every step of `targets` and of the recipes they depend on.
 * Within a recipe the steps are chained in their fixed order.
 */
export function planGraph(recipes: ReadonlyMap<string, GraphRecipe>, targets: readonly string[],
  lastStep: Step = 'deploy'): TaskGraph {
  const wanted = new Set<string>();
  const visit = (name: string, from: string | undefined) => {
    if (wanted.has(name)) return;
    const recipe = recipes.get(name);
    if (!recipe) {
      throw new JhError('E_RECIPE_UNKNOWN', from ? `recipe "${from}" depends on unknown recipe "${name}"`
        : `no recipe named "${name}"`, { hint: `known recipes: ${[...recipes.keys()].sort().join(', ')}` });
    }
    wanted.add(name);
    for (const dep of recipe.depends) visit(dep.recipe, name);
  };
  for (const target of targets) visit(target, undefined);

  const needs = new Map<TaskKey, TaskKey[]>();
  for (const name of wanted) {
    STEPS.forEach((step, index) => {
      const own: TaskKey[] = index > 0 ? [taskKey({ recipe: name, step: STEPS[index - 1]! })] : [];
      needs.set(taskKey({ recipe: name, step }), own);
    });
    for (const dep of recipes.get(name)!.depends) {
      needs.get(taskKey({ recipe: name, step: dep.for }))!.push(taskKey({ recipe: dep.recipe, step: dep.task }));
    }
  }

  const order = topoOrder(needs);
  const lastIndex = STEPS.indexOf(lastStep);
  const keep = new Set<TaskKey>();
  // Trim steps after lastStep of targets, keeping whatever they need.
  const want = (key: TaskKey) => {
    if (keep.has(key)) return;
    keep.add(key);
    for (const need of needs.get(key)!) want(need);
  };
  for (const target of targets) want(taskKey({ recipe: target, step: STEPS[lastIndex]! }));

  const nodes = new Map<TaskKey, TaskNode>();
  for (const key of order) {
    if (!keep.has(key)) continue;
    const at = key.lastIndexOf(':');
    nodes.set(key, { key, id: { recipe: key.slice(0, at), step: key.slice(at + 1) as Step }, needs: needs.get(key)! });
  }
  return { order: [...nodes.values()], nodes };
}

/** Kahn's algorithm with a stable order; a cycle is reported with its path. */
function topoOrder(needs: ReadonlyMap<TaskKey, readonly TaskKey[]>): TaskKey[] {
  const state = new Map<TaskKey, 'visiting' | 'done'>();
  const order: TaskKey[] = [];
  const stack: TaskKey[] = [];
  const visit = (key: TaskKey) => {
    const seen = state.get(key);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(key)), key];
      throw new JhError('E_GRAPH_CYCLE', `dependency cycle: ${cycle.join(' -> ')}`, {
        hint: 'remove one of these dependencies (check the depends lists of the recipes named)',
      });
    }
    state.set(key, 'visiting');
    stack.push(key);
    for (const need of needs.get(key)!) visit(need);
    stack.pop();
    state.set(key, 'done');
    order.push(key);
  };
  for (const key of [...needs.keys()].sort()) visit(key);
  return order;
}

/** Graphviz text of the graph. */
export function graphToDot(graph: TaskGraph): string {
  const lines = ['digraph jhbuild {', '  rankdir=LR;'];
  for (const node of graph.order) {
    lines.push(`  "${node.key}";`);
    for (const need of node.needs) lines.push(`  "${need}" -> "${node.key}";`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
