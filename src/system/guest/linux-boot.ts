/**
 * Where a Linux guest's pieces go in its ARM cell, computed at build time the way
 * tools/jailhouse-cell-linux (ARMCommon.setup) computes them on the target: that script needs
 * Python, which the root's initramfs has not. Same rules, so the same addresses: the device tree at
 * the start of the first RAM region large enough for everything (past the loader's two pages when
 * that region starts at guest 0), the kernel at the next 2 MiB plus the Image's text_offset, the
 * initrd after the kernel and as much room again for its decompression, the loader at the cell's
 * reset address with its `kernel= dtb=` parameters one page above.
 */
import { JhError } from '../../errors.ts';
import { hex } from '../../cells/describe.ts';
import { MEM } from '../../cells/model.ts';
import type { MemoryRegion } from '../../cells/model.ts';
import type { MachineCell } from '../../machine/types.ts';

const PAGE = 0x1000;
const ARM64_KERNEL_ALIGN = 0x200000;
/** arm64's Image is not compressed: jailhouse-cell-linux leaves as much room again as the kernel (factor 1). */
const DECOMPRESSION_FACTOR = 1;
const LOADER_PAGES = 0x2000;
const RAM_MASK = MEM.READ | MEM.WRITE | MEM.EXECUTE | MEM.DMA | MEM.IO | MEM.COMM_REGION | MEM.ROOTSHARED;
const RAM_FLAGS = MEM.READ | MEM.WRITE | MEM.EXECUTE | MEM.DMA;

const pageAlign = (n: number, to = PAGE) => Math.ceil(n / to) * to;

/** As config_parser.MemRegion.is_ram(): RAM of the cell's own, not I/O, not shared with the root. */
export const isCellRam = (m: MemoryRegion) => (m.flags & RAM_MASK) === RAM_FLAGS;

export interface LinuxBootLayout {
  readonly loader: number;
  readonly params: number;
  /** The loader's parameter string, loaded at `params`. */
  readonly paramString: string;
  readonly kernel: number;
  readonly dtb: number;
  readonly initrd?: { readonly start: number; readonly end: number };
  /** The guest's /memory: every RAM region except the loader's small one at guest 0. */
  readonly memory: readonly { readonly start: number; readonly size: number }[];
}

/** The arm64 Image header's text_offset (bytes 8..15, little endian). */
export function imageTextOffset(image: Uint8Array): number {
  if (image.length < 64 || String.fromCharCode(...image.subarray(56, 60)) !== 'ARMd') {
    throw new JhError('E_LINUX_IMAGE', 'the guest kernel is not an arm64 Image (no "ARMd" magic at byte 56)', { hint: 'deploy the uncompressed arch/arm64/boot/Image (guestKernel.image: Image)' });
  }
  return Number(new DataView(image.buffer, image.byteOffset, image.byteLength).getBigUint64(8, true));
}

export function linuxBootLayout(cell: MachineCell, sizes: { kernel: number; textOffset: number; dtb: number; initrd?: number }): LinuxBootLayout {
  let kernelSize = pageAlign(sizes.kernel);
  let imageSize = sizes.textOffset + kernelSize + ARM64_KERNEL_ALIGN;
  if (sizes.initrd !== undefined) {
    const room = DECOMPRESSION_FACTOR * kernelSize;
    kernelSize += room;
    imageSize += room;
  }
  // One page more than the tree, as the script leaves for growing it; two for the loader.
  const dtbSize = pageAlign(sizes.dtb) + PAGE;
  imageSize += dtbSize + LOADER_PAGES;
  const ram = cell.memory.filter(isCellRam);
  const region = ram.find((m) => m.size >= imageSize);
  if (!region) {
    throw new JhError('E_LINUX_FIT', `cell "${cell.name}": kernel, device tree and initrd need ${hex(imageSize)} bytes in one RAM region; the largest is ${hex(Math.max(0, ...ram.map((m) => m.size)))}`,
      { hint: 'give the cell more RAM (ram.size) or use a smaller guest kernel or initrd' });
  }
  const dtb = region.virt === 0 ? LOADER_PAGES : region.virt;
  const kernel = pageAlign(dtb + dtbSize, ARM64_KERNEL_ALIGN) + sizes.textOffset;
  const initrd = sizes.initrd === undefined ? undefined : { start: kernel + kernelSize, end: kernel + kernelSize + sizes.initrd };
  return {
    loader: cell.cpuResetAddress,
    params: cell.cpuResetAddress + PAGE,
    paramString: `kernel=${hex(kernel)} dtb=${hex(dtb)}`,
    kernel, dtb, initrd,
    memory: ram.filter((m) => m.virt > 0 || m.size > 0x10000).map((m) => ({ start: m.virt, size: m.size })),
  };
}

/** The commands that start the cell, as `jailhouse cell linux --write-params` prints them. */
export function linuxBootCommands(cellName: string, cellFile: string, layout: LinuxBootLayout, files: { loader: string; kernel: string; dtb: string; initrd?: string }): string[] {
  const load = ['jailhouse', 'cell', 'load', cellName, files.loader, '-a', hex(layout.loader), '-s', `"${layout.paramString}"`, '-a', hex(layout.params),
    files.kernel, '-a', hex(layout.kernel),
    ...(files.initrd && layout.initrd ? [files.initrd, '-a', hex(layout.initrd.start)] : []),
    files.dtb, '-a', hex(layout.dtb)];
  return [`jailhouse cell create ${cellFile}`, load.join(' '), `jailhouse cell start ${cellName}`];
}
