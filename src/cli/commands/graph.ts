import { planGraph, graphToDot } from '../../engine/graph.ts';
import { loadRecipesFor } from '../../engine/build.ts';
import { loadMachine, machineOption, openProject, type Command } from '../common.ts';

const command: Command = {
  summary: "print a machine's task graph of recipes (all when none is named)",
  usage: 'graph [RECIPE...] [--machine M] [--dot]',
  options: { ...machineOption, dot: { type: 'boolean', description: 'Graphviz output' } },
  async run(args, values) {
    const project = await openProject(values);
    const targets = args.length > 0 ? args : project.recipeNames();
    const graph = planGraph(await loadRecipesFor(project, targets, await loadMachine(project, values)), targets);
    if (values.dot) process.stdout.write(graphToDot(graph));
    else if (values.json) process.stdout.write(`${JSON.stringify(graph.order.map((n) => ({ task: n.key, needs: n.needs })))}\n`);
    else for (const n of graph.order) process.stdout.write(`${n.key}${n.needs.length ? `  <- ${n.needs.join(', ')}` : ''}\n`);
    return 0;
  },
};
export default command;
