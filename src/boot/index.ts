/** Boot methods by name: each knows what its boot partition holds and how it quotes the cmdline. */
import { JhError } from '../errors.ts';
import type { Machine } from '../machine/types.ts';
import type { DependencyInput } from '../engine/recipe.ts';
import { ROOT_OVERLAY_TEMPLATE } from '../system/cmdline.ts';
import { GRUB_TEMPLATE, grubEfiBootPartition } from './grub-efi/index.ts';
import { RPI_CONFIG_TEMPLATE, rpiFirmwareBootPartition } from './rpi-firmware/index.ts';
import { UBOOT_SCRIPT_TEMPLATE, ubootImxBootPartition } from './uboot-imx/index.ts';
import type { BootPartition, BootRequest } from './types.ts';

interface BootMethod {
  readonly tools: readonly string[];
  /** Files the host must have (e.g. GRUB's EFI modules); src/exec/packages.ts names their packages. */
  readonly hostFiles: readonly string[];
  bootPartition(request: BootRequest): Promise<BootPartition>;
}

const METHODS: Partial<Record<Machine['boot'], BootMethod>> = {
  'grub-efi': { tools: ['grub-mkimage'], hostFiles: ['/usr/lib/grub/x86_64-efi/linux.mod'], bootPartition: grubEfiBootPartition },
  'rpi-firmware': { tools: ['dtc'], hostFiles: [], bootPartition: rpiFirmwareBootPartition },
  'uboot-imx': { tools: ['dtc', 'fdtoverlay', 'mkimage'], hostFiles: [], bootPartition: ubootImxBootPartition },
};

/** What the image recipes need besides the kernel and root tree, per boot method (firmware, loaders). */
export const BOOT_DEPENDS: readonly DependencyInput[] = [
  { recipe: 'raspi-firmware', task: 'install', for: 'deploy', when: { boot: ['rpi-firmware'] } },
  { recipe: 'tf-a', task: 'deploy', for: 'deploy', when: { boot: ['rpi-firmware'] } },
  { recipe: 'u-boot', task: 'deploy', for: 'deploy', when: { boot: ['uboot-imx'] } },
];

export function bootMethod(machine: Pick<Machine, 'name' | 'boot' | 'file'>): BootMethod {
  const method = METHODS[machine.boot];
  if (!method) {
    throw new JhError('E_IMAGE_UNSUPPORTED', `machine ${machine.name} boots by ${machine.boot}; jhbuild has no disk image for that boot method yet`, {
      file: machine.file, hint: 'build the parts (jhbuild build linux jailhouse cells initrd) and take `jhbuild cmdline` for your boot media' });
  }
  return method;
}

/** Templates every boot method may render: declared by the image recipes so their signatures follow them. */
export const BOOT_TEMPLATES = [GRUB_TEMPLATE, RPI_CONFIG_TEMPLATE, UBOOT_SCRIPT_TEMPLATE, ROOT_OVERLAY_TEMPLATE];
export const BOOT_TOOLS = [...new Set(Object.values(METHODS).flatMap((m) => m.tools))];
