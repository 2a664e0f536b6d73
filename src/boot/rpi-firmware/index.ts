/**
 * The rpi-firmware boot method (Raspberry Pi 4): the boot FAT holds the GPU firmware, the TF-A
 * armstub, the kernel, the board dtb, the reservation overlay compiled from the machine, and
 * config.txt/cmdline.txt. The firmware reads cmdline.txt verbatim: one line, no quoting layer.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { rootOverlayData, ROOT_OVERLAY_TEMPLATE } from '../../system/cmdline.ts';
import { compileOverlay } from '../dtb.ts';
import type { BootPartition, BootRequest } from '../types.ts';
import { JhError } from '../../errors.ts';

export const RPI_CONFIG_TEMPLATE = 'boot/rpi-config.txt.hbs';
const OVERLAY = 'jailhouse';

export async function rpiFirmwareBootPartition(request: BootRequest): Promise<BootPartition> {
  const { machine, kernel, cmdline, render, workDir, deps } = request;
  mkdirSync(workDir, { recursive: true });
  const firmware = join(deps.need('raspi-firmware').dest, 'boot');
  const bl31 = join(deps.need('tf-a').deploy, 'bl31.bin');
  const dtbName = basename(machine.kernel.dtbs[0] ?? '');
  if (!dtbName) {
    throw new JhError('E_MACHINE_FIELD', `machine ${machine.name} boots by rpi-firmware but its kernel.dtbs names no board device tree`, {
      file: machine.file, hint: "add the board's dtb to kernel.dtbs, e.g. 'broadcom/bcm2711-rpi-4-b.dtb'" });
  }
  const dtb = join(deps.need('linux').deploy, dtbName);
  const overlay = join(workDir, `${OVERLAY}.dtbo`);
  await compileOverlay(render(ROOT_OVERLAY_TEMPLATE, rootOverlayData(machine)), overlay, request);
  const config = render(RPI_CONFIG_TEMPLATE, { machine: machine.name, armstub: 'bl31.bin', kernel: machine.kernel.image, dtb: dtbName, overlay: OVERLAY });
  writeFileSync(join(workDir, 'config.txt'), config);
  writeFileSync(join(workDir, 'cmdline.txt'), `${cmdline.join(' ')}\n`);
  return {
    files: [
      ...readdirSync(firmware).sort().map((f) => ({ from: join(firmware, f), to: f })),
      { from: bl31, to: 'bl31.bin' },
      { from: kernel, to: machine.kernel.image },
      { from: dtb, to: dtbName },
      { from: overlay, to: `overlays/${OVERLAY}.dtbo` },
      { from: join(workDir, 'config.txt'), to: 'config.txt' },
      { from: join(workDir, 'cmdline.txt'), to: 'cmdline.txt' },
    ],
    config: { name: 'config.txt', text: config },
  };
}
