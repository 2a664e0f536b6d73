/**
 * The machine's Jailhouse image: QEMU direct boot (kernel, initramfs, cells, inmates, cmdline) or,
 * for a machine with a disk layout, a partitioned disk image (boot partition + ext4 root).
 */
import { BOOT_DEPENDS, BOOT_TEMPLATES, bootImage, defineRecipe } from '../../src/index.ts';

export default defineRecipe({
  name: 'image',
  version: '1',
  license: 'GPL-2.0-only',
  summary: 'bootable Jailhouse image (deploy folder or disk image)',
  depends: [
    { recipe: 'linux', task: 'deploy', for: 'deploy' },
    { recipe: 'initrd', task: 'install', for: 'deploy' },
    { recipe: 'busybox', task: 'install', for: 'deploy' },
    ...BOOT_DEPENDS,
    { recipe: 'cells', task: 'install', for: 'deploy' },
    { recipe: 'jailhouse', task: 'install', for: 'deploy' },
    { recipe: 'freertos', task: 'install', for: 'deploy', when: { inmates: ['freertos-demo.bin'] } },
    { recipe: 'ivshmem-net', task: 'install', for: 'deploy', when: { rootLinks: ['net', 'shmem'] } },
    { recipe: 'linux-guest', task: 'install', for: 'deploy', when: { guests: ['linux'] } },
  ],
  templates: ['initrd/init.hbs', ...BOOT_TEMPLATES],
  kind: bootImage({ initrd: 'initrd', root: ['busybox', 'jailhouse', 'cells', 'freertos', 'ivshmem-net', 'linux-guest'] }),
});
