import { JhError } from '../../errors.ts';
import { buildOptions, buildTargets, type Command } from '../common.ts';

const command: Command = {
  summary: 'build recipes (and what they depend on) for a machine',
  usage: 'build RECIPE... [--machine M] [--jobs N] [--mirror DIR|URL] [--offline] [--src NAME=PATH]',
  options: buildOptions,
  async run(args, values, signal) {
    if (args.length === 0) throw new JhError('E_USAGE', 'name at least one recipe', { hint: 'e.g. jhbuild build jailhouse --machine qemu-arm64' });
    return (await buildTargets(args, values, signal, `build ${args.join(' ')}`)).code;
  },
};
export default command;
