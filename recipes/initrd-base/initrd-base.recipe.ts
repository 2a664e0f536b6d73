/** A base initramfs with busybox only: boots the root kernel to a shell (no Jailhouse). */
import { defineRecipe, initramfs } from '../../src/index.ts';

export default defineRecipe({
  name: 'initrd-base',
  version: '1',
  license: 'GPL-2.0-only',
  summary: 'initramfs (cpio newc, gzip) with busybox',
  depends: ['busybox'],
  templates: ['initrd/init.hbs'],
  kind: initramfs(['busybox']),
});
