import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE_MANIFEST, readImageManifest } from '../../image/manifest.ts';
import { buildOptions, buildTargets, type Command } from '../common.ts';

const command: Command = {
  summary: "build a machine's bootable image (kernel, Jailhouse, cells, initrd) into build/deploy/<machine>/image",
  usage: 'image [--machine M] [--image NAME] [--src NAME=PATH] [--mirror DIR|URL] [--offline] [--jobs N]',
  options: { ...buildOptions, image: { type: 'string', description: 'image recipe (default image; image-base has no Jailhouse)', placeholder: 'NAME' } },
  async run(_args, values, signal) {
    const name = typeof values.image === 'string' ? values.image : 'image';
    const { code, layout } = await buildTargets([name], values, signal, `image ${name}`);
    if (code === 0 && !values['dry-run'] && !values.json) process.stdout.write(summary(join(layout.deploy, name)));
    return code;
  },
};
export default command;

/** The files made and, for a disk image, the one command that writes it to a card or stick. */
function summary(dir: string): string {
  if (!existsSync(join(dir, IMAGE_MANIFEST))) return `image: ${dir}\n`;
  const manifest = readImageManifest(dir);
  const lines = [`image: ${dir}`, ...manifest.files.map((f) => `  ${f.path}`)];
  if (manifest.notBootable) lines.push(`NOT BOOTABLE: ${manifest.notBootable}`);
  if (manifest.disk) lines.push(`write it (check the device with lsblk first): bmaptool copy ${join(dir, manifest.disk)} /dev/sdX`);
  return `${lines.join('\n')}\n`;
}
