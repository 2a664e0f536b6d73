/** The grub-efi boot method: what the EFI system partition holds for a UEFI PC. */
import { join } from 'node:path';
import type { BootPartition, BootRequest } from '../types.ts';
import { grubConfigData } from './config.ts';
import { buildGrubEfi } from './image.ts';

export const GRUB_TEMPLATE = 'boot/grub.cfg.hbs';

export async function grubEfiBootPartition(request: BootRequest): Promise<BootPartition> {
  const { machine, kernel, cmdline, bootVolumeId, render, workDir } = request;
  const kernelName = machine.kernel.image;
  const cfg = render(GRUB_TEMPLATE, grubConfigData({
    machine: machine.name, kernel: kernelName, cmdline, consoles: machine.rootConsole,
    espVolume: `${bootVolumeId.slice(0, 4)}-${bootVolumeId.slice(4)}`.toUpperCase(),
  }));
  const efi = join(workDir, 'BOOTX64.EFI');
  await buildGrubEfi(cfg, efi, { workDir, sourceDateEpoch: request.sourceDateEpoch, log: request.log, signal: request.signal });
  return {
    files: [{ from: efi, to: 'EFI/BOOT/BOOTX64.EFI' }, { from: kernel, to: kernelName }],
    config: { name: 'grub.cfg', text: cfg },
  };
}
