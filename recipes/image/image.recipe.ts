/** The machine's Jailhouse image: kernel, initramfs with Jailhouse, cells, inmates, cmdline, manifest. */
import { defineRecipe } from '../../src/index.ts';
import { qemuImage } from '../../src/kinds/qemu-image.ts';

export default defineRecipe({
  name: 'image',
  version: '1',
  license: 'GPL-2.0-only',
  summary: 'bootable Jailhouse image (deploy folder)',
  depends: [
    { recipe: 'linux', task: 'deploy', for: 'deploy' },
    { recipe: 'initrd', task: 'install', for: 'deploy' },
    { recipe: 'cells', task: 'install', for: 'deploy' },
    { recipe: 'jailhouse', task: 'install', for: 'deploy' },
  ],
  kind: qemuImage('initrd'),
});
