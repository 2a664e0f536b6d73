/** The machine's base image: the root kernel and a busybox initramfs, no Jailhouse. */
import { defineRecipe } from '../../src/index.ts';
import { qemuImage } from '../../src/kinds/qemu-image.ts';

export default defineRecipe({
  name: 'image-base',
  version: '1',
  license: 'GPL-2.0-only',
  summary: 'bootable base image (deploy folder) without Jailhouse',
  depends: [
    { recipe: 'linux', task: 'deploy', for: 'deploy' },
    { recipe: 'initrd-base', task: 'install', for: 'deploy' },
  ],
  kind: qemuImage('initrd-base'),
});
