/** The root cell's initramfs: busybox, Jailhouse, the cells and the inmates they load, with an /init that can run the demo. */
import { defineRecipe, initramfs } from '../../src/index.ts';

export default defineRecipe({
  name: 'initrd',
  version: '1',
  license: 'GPL-2.0-only',
  summary: 'initramfs (cpio newc, gzip) with busybox, Jailhouse, the cells and what they boot',
  depends: ['busybox', 'jailhouse', 'cells', { recipe: 'freertos', when: { inmates: ['freertos-demo.bin'] } },
    { recipe: 'ivshmem-net', when: { rootLinks: ['net', 'shmem'] } }, { recipe: 'linux-guest', when: { guests: ['linux'] } }],
  templates: ['initrd/init.hbs'],
  kind: initramfs(['busybox', 'jailhouse', 'cells', 'freertos', 'ivshmem-net', 'linux-guest']),
});
