/**
 * The boot parameters of an x86 Linux guest, made at build time the way tools/jailhouse-cell-linux
 * (class X86, X86ZeroPage, x86_gen_setup_data) makes them on the target, which needs Python the
 * root's initramfs has not: a zero page with the bzImage's setup header and an e820 map of the cell's
 * RAM, Jailhouse's setup data, the command line; the kernel loaded so that its protected-mode code
 * lands at its preferred address, the initrd past room for the kernel's decompression, the loader at
 * guest 0 and the parameters one page above it. Same rules, same bytes.
 */
import { JhError } from '../../errors.ts';
import { hex } from '../../cells/describe.ts';
import { MEM, type Cell } from '../../cells/model.ts';
import { isCellRam } from './linux-boot.ts';

const PAGE = 0x1000;
/** The loader (inmates/tools/x86/linux-loader.bin) runs from guest 0; the parameters follow one page up. */
const LOADER_ADDRESS = 0;
const PARAMS_ADDRESS = 0x1000;
const SETUP_HEADER = 0x1f0;
const E820_TABLE = 0x2d0;
const E820_MAX = 128;
const SETUP_TYPE_JAILHOUSE = 6;
const SETUP_DATA_VERSION = 2;
const SETUP_DATA_COMPAT_VERSION = 1;
/** struct.calcsize('HH12x8xB255xI'): the setup data's payload with Python's native alignment; its flags (I) at 280. */
const SETUP_PAYLOAD = 284;
const SETUP_FLAGS = 280;
/** ttyS0..ttyS3: a cell owning one of them whole tells the guest through the setup data's flags. */
const PLATFORM_UARTS = [0x3f8, 0x2f8, 0x3e8, 0x2e8];

/** Compression of the bzImage payload and the room jailhouse-cell-linux leaves for decompressing it, per byte of kernel. */
function decompressionFactor(magic: Uint8Array): number {
  const starts = (...bytes: number[]) => bytes.every((b, k) => magic[k] === b);
  if (starts(0x42, 0x5a, 0x68)) return 4; // bzip2
  if (starts(0x02, 0x21, 0x4c, 0x18) || starts(0x89, 0x4c, 0x5a, 0x4f)) return 6; // lz4, lzo
  if (starts(0x1f, 0x8b)) return 7; // gzip
  if (starts(0x5d, 0x00, 0x00)) return 8; // lzma
  return 9; // xz or unknown
}

export interface X86BootLayout {
  readonly loader: number;
  readonly params: number;
  /** Where the whole bzImage is loaded: its protected-mode part then sits at the preferred address. */
  readonly kernel: number;
  readonly initrd?: { readonly start: number; readonly size: number };
  /** Zero page, setup data and command line, loaded at `params`. */
  readonly paramsFile: Uint8Array;
}

/** The cell must start at guest 0 (the loader) and the kernel must be a bzImage that says where it wants to be. */
export function x86BootLayout(cell: Cell, bzImage: Uint8Array, cmdline: string, initrdSize?: number): X86BootLayout {
  if (cell.cpuResetAddress !== 0) {
    throw new JhError('E_LINUX_RESET', `cell "${cell.name}": an x86 Linux cell starts at guest 0 (cpu_reset_address is ${hex(cell.cpuResetAddress)})`, { hint: 'leave cpuResetAddress at 0' });
  }
  const view = new DataView(bzImage.buffer, bzImage.byteOffset, bzImage.byteLength);
  if (bzImage.length < 0x268 || String.fromCharCode(...bzImage.subarray(0x202, 0x206)) !== 'HdrS') {
    throw new JhError('E_LINUX_IMAGE', 'the guest kernel is not an x86 bzImage (no "HdrS" at byte 0x202)', { hint: 'deploy arch/x86/boot/bzImage (guestKernel.image: bzImage)' });
  }
  const setupSects = view.getUint8(0x1f1);
  const jump = view.getUint16(0x200, true);
  const payloadOffset = view.getUint32(0x248, true);
  const prefAddress = Number(view.getBigUint64(0x258, true));
  const header = new Uint8Array(bzImage.subarray(SETUP_HEADER, 0x202 + (jump >> 8)));
  const headerView = new DataView(header.buffer);
  const set32 = (offset: number, value: number) => headerView.setUint32(offset - SETUP_HEADER, value, true);
  const set64 = (offset: number, value: number) => headerView.setBigUint64(offset - SETUP_HEADER, BigInt(value), true);

  const protectedOffset = (setupSects + 1) * 512;
  const kernel = prefAddress - protectedOffset;
  // As upstream: kernel_alignment written as a 64-bit field (it clears relocatable_kernel and xloadflags too).
  set64(0x230, prefAddress);
  header[0x210 - SETUP_HEADER] = 0xff; // type_of_loader: undefined
  let initrd: X86BootLayout['initrd'];
  if (initrdSize !== undefined) {
    const magic = bzImage.subarray(protectedOffset + payloadOffset, protectedOffset + payloadOffset + 4);
    initrd = { start: Math.ceil((kernel + decompressionFactor(magic) * bzImage.length) / PAGE) * PAGE, size: initrdSize };
  }
  set32(0x218, initrd?.start ?? 0);
  set32(0x21c, initrd?.size ?? 0);

  const e820 = cell.memory.filter((m) => isCellRam(m) || (m.flags & MEM.COMM_REGION) !== 0);
  if (e820.length > E820_MAX) {
    throw new JhError('E_LINUX_FIT', `cell "${cell.name}": ${e820.length} RAM regions; the zero page's e820 map holds ${E820_MAX}`, { hint: 'merge the cell\'s RAM regions' });
  }
  const setupData = new Uint8Array(16 + SETUP_PAYLOAD);
  const data = new DataView(setupData.buffer);
  data.setUint32(8, SETUP_TYPE_JAILHOUSE, true);
  data.setUint32(12, SETUP_PAYLOAD, true);
  data.setUint16(16, SETUP_DATA_VERSION, true);
  data.setUint16(18, SETUP_DATA_COMPAT_VERSION, true);
  // standard_ioapic: set when the cell has the IOAPIC at its standard address (config_parser IRQChip.is_standard).
  setupData[16 + 24] = cell.irqchips.some((c) => c.address === 0xfec00000) ? 1 : 0;
  const uarts = cell.pio.reduce((flags, p) => (p.length === 8 && PLATFORM_UARTS.includes(p.base) ? flags | (1 << PLATFORM_UARTS.indexOf(p.base)) : flags), 0);
  data.setUint32(16 + SETUP_FLAGS, uarts, true);

  const setupDataAt = PARAMS_ADDRESS + PAGE;
  set64(0x250, setupDataAt);
  set32(0x228, setupDataAt + setupData.length);

  const zeroPage = new Uint8Array(PAGE);
  zeroPage[0x1e8] = e820.length;
  zeroPage.set(header, SETUP_HEADER);
  const page = new DataView(zeroPage.buffer);
  e820.forEach((m, k) => {
    const at = E820_TABLE + k * 20;
    page.setBigUint64(at, BigInt(m.virt), true);
    page.setBigUint64(at + 8, BigInt(m.size), true);
    page.setUint32(at + 16, isCellRam(m) ? 1 : 2, true);
  });
  const paramsFile = new Uint8Array([...zeroPage, ...setupData, ...new TextEncoder().encode(cmdline), 0]);
  return { loader: LOADER_ADDRESS, params: PARAMS_ADDRESS, kernel, initrd, paramsFile };
}

/** The commands that start the cell, as `jailhouse cell linux --write-params` prints them. */
export function x86BootCommands(cellName: string, cellFile: string, layout: X86BootLayout, files: { loader: string; kernel: string; params: string; initrd?: string }): string[] {
  const load = ['jailhouse', 'cell', 'load', cellName, files.loader, '-a', hex(layout.loader), files.kernel, '-a', hex(layout.kernel),
    ...(files.initrd && layout.initrd ? [files.initrd, '-a', hex(layout.initrd.start)] : []), files.params, '-a', hex(layout.params)];
  return [`jailhouse cell create ${cellFile}`, load.join(' '), `jailhouse cell start ${cellName}`];
}
