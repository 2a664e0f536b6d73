import { join } from 'node:path';
import { buildOptions, buildTargets, type Command } from '../common.ts';

const command: Command = {
  summary: "build a machine's bootable image (kernel, Jailhouse, cells, initrd) into build/deploy/<machine>/image",
  usage: 'image [--machine M] [--src NAME=PATH] [--mirror DIR|URL] [--offline] [--jobs N]',
  options: buildOptions,
  async run(_args, values, signal) {
    const { code, plan } = await buildTargets(['image'], values, signal, 'image');
    if (code === 0 && plan && !values['dry-run'] && !values.json) process.stdout.write(`image: ${join(plan.layout.deploy, 'image')}\n`);
    return code;
  },
};
export default command;
