/**
 * The uboot-imx boot method (i.MX8M): flash.bin (SPL, DDR firmware, U-Boot and TF-A) raw at the
 * offset the SoC's boot ROM reads (bootFirmware.loaderOffset), and a boot FAT with the kernel, the
 * board dtb, the root dtb (board dtb + the machine's reservations, applied with fdtoverlay since
 * U-Boot is not asked to) and boot.scr carrying the cmdline in U-Boot's quoting.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { quoteCmdline, rootOverlayData, ROOT_OVERLAY_TEMPLATE } from '../../system/cmdline.ts';
import { runProcess } from '../../exec/index.ts';
import { applyOverlay, compileOverlay } from '../dtb.ts';
import type { BootPartition, BootRequest } from '../types.ts';
import { JhError } from '../../errors.ts';

export const UBOOT_SCRIPT_TEMPLATE = 'boot/uboot-boot.cmd.hbs';

export async function ubootImxBootPartition(request: BootRequest): Promise<BootPartition> {
  const { machine, kernel, cmdline, render, workDir, deps } = request;
  mkdirSync(workDir, { recursive: true });
  const offset = machine.bootFirmware?.loaderOffset;
  if (offset === undefined) {
    throw new JhError('E_MACHINE_FIELD', `machine ${machine.name} boots by uboot-imx but names no bootFirmware.loaderOffset (where the boot ROM reads flash.bin)`, {
      file: machine.file, hint: 'i.MX8M Mini reads it at 33 KiB: bootFirmware: { loaderOffset: 0x8400 }' });
  }
  const boardDtb = basename(machine.kernel.dtbs[0] ?? '');
  if (!boardDtb) {
    throw new JhError('E_MACHINE_FIELD', `machine ${machine.name} boots by uboot-imx but its kernel.dtbs names no board device tree`, {
      file: machine.file, hint: "add the board's dtb to kernel.dtbs, e.g. 'freescale/imx8mm-evk.dtb'" });
  }
  const linux = deps.need('linux').deploy;
  const rootDtb = boardDtb.replace(/\.dtb$/, '-root.dtb');
  const overlay = join(workDir, 'jailhouse.dtbo');
  await compileOverlay(render(ROOT_OVERLAY_TEMPLATE, rootOverlayData(machine)), overlay, request);
  await applyOverlay(join(linux, boardDtb), overlay, join(workDir, rootDtb), request);
  const script = render(UBOOT_SCRIPT_TEMPLATE, { machine: machine.name, bootargs: quoteCmdline(cmdline, 'uboot'), kernel: machine.kernel.image, dtb: rootDtb });
  writeFileSync(join(workDir, 'boot.cmd'), script);
  await runProcess('mkimage', ['-A', 'arm64', '-O', 'linux', '-T', 'script', '-C', 'none', '-n', `jhbuild ${machine.name}`, '-d', join(workDir, 'boot.cmd'), join(workDir, 'boot.scr')],
    { log: request.log, signal: request.signal, env: { SOURCE_DATE_EPOCH: String(request.sourceDateEpoch) } });
  const uboot = deps.need('u-boot').deploy;
  const missing = existsSync(join(uboot, 'flash.bin.missing')) ? readFileSync(join(uboot, 'flash.bin.missing'), 'utf8').trim() : '';
  return {
    files: [
      { from: kernel, to: machine.kernel.image },
      { from: join(linux, boardDtb), to: boardDtb },
      { from: join(workDir, rootDtb), to: rootDtb },
      { from: join(workDir, 'boot.scr'), to: 'boot.scr' },
    ],
    blobs: [{ name: 'flash.bin', file: join(uboot, 'flash.bin'), offset }],
    config: { name: 'boot.cmd', text: script },
    ...(missing ? { notBootable: missing } : {}),
  };
}
