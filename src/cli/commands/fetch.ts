import { buildOptions, buildTargets, openProject, type Command } from '../common.ts';

const command: Command = {
  summary: 'download and verify the sources of recipes (all when none is named)',
  usage: 'fetch [RECIPE...] [--mirror DIR|URL] [--offline]',
  options: buildOptions,
  async run(args, values, signal) {
    const targets = args.length > 0 ? args : (await openProject(values)).recipeNames();
    return (await buildTargets(targets, values, signal, `fetch ${targets.join(' ')}`, 'fetch')).code;
  },
};
export default command;
