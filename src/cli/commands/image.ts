import { join } from 'node:path';
import { buildOptions, buildTargets, type Command } from '../common.ts';

const command: Command = {
  summary: "build a machine's bootable image (kernel, Jailhouse, cells, initrd) into build/deploy/<machine>/image",
  usage: 'image [--machine M] [--image NAME] [--src NAME=PATH] [--mirror DIR|URL] [--offline] [--jobs N]',
  options: { ...buildOptions, image: { type: 'string', description: 'image recipe (default image; image-base has no Jailhouse)', placeholder: 'NAME' } },
  async run(_args, values, signal) {
    const name = typeof values.image === 'string' ? values.image : 'image';
    const { code, layout } = await buildTargets([name], values, signal, `image ${name}`);
    if (code === 0 && !values['dry-run'] && !values.json) process.stdout.write(`image: ${join(layout.deploy, name)}\n`);
    return code;
  },
};
export default command;
