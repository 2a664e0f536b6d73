/** The machine's base image without Jailhouse: the root kernel and busybox, as a folder or a disk image. */
import { BOOT_DEPENDS, BOOT_TEMPLATES, bootImage, defineRecipe } from '../../src/index.ts';

export default defineRecipe({
  name: 'image-base',
  version: '1',
  license: 'GPL-2.0-only',
  summary: 'bootable base image (deploy folder or disk image) without Jailhouse',
  depends: [
    { recipe: 'linux', task: 'deploy', for: 'deploy' },
    { recipe: 'initrd-base', task: 'install', for: 'deploy' },
    { recipe: 'busybox', task: 'install', for: 'deploy' },
    ...BOOT_DEPENDS,
  ],
  templates: ['initrd/init.hbs', ...BOOT_TEMPLATES],
  kind: bootImage({ initrd: 'initrd-base', root: ['busybox'] }),
});
