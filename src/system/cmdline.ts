/**
 * The root kernel's command line and memory reservation, derived from the machine, and the same
 * text quoted for each place it is written (argv, shell, grub.cfg, U-Boot, extlinux, cmdline.txt).
 */
import { JhError } from '../errors.ts';
import { occupiesRam } from '../cells/helpers.ts';
import { hex } from '../cells/describe.ts';
import { vpciWindow } from '../cells/vpci.ts';
import { inmateDtbName } from './guest/inmate-dts.ts';
import type { Range } from '../cells/check/index.ts';
import type { Machine, MachineCell } from '../machine/types.ts';

const MiB = 0x100000;

/** Memory the hypervisor and the non-root cells use: Linux on the root must not use it as RAM. */
export function reservedRanges(machine: Machine): Range[] {
  const hv = machine.system.hypervisorMemory;
  const ranges: Range[] = [{ start: hv.phys, end: hv.phys + hv.size, what: 'hypervisor' }];
  const vpci = vpciWindow(machine.system);
  if (vpci && machine.ram.some((b) => vpci.start < b.base + b.size && b.base < vpci.end)) ranges.push({ ...vpci, what: 'virtual PCI host' });
  for (const cell of machine.cells) {
    for (const m of cell.memory) {
      if (!occupiesRam(m)) continue;
      ranges.push({ start: m.phys, end: m.phys + m.size, what: cell.name });
    }
  }
  return mergeRanges(ranges);
}

export function mergeRanges(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) out[out.length - 1] = { start: last.start, end: Math.max(last.end, r.end), what: `${last.what}, ${r.what}` };
    else out.push({ ...r });
  }
  return out;
}

export function formatSize(bytes: number): string {
  if (bytes % (1024 * MiB) === 0) return `${bytes / (1024 * MiB)}G`;
  if (bytes % MiB === 0) return `${bytes / MiB}M`;
  return hex(bytes);
}

/** The kernel arguments that keep the root kernel off the reserved memory. */
export function reservationArgs(machine: Machine): string[] {
  const ranges = reservedRanges(machine);
  if (machine.reservation === 'devicetree') return [];
  // Whole MiB: what people write, and what keeps the root kernel's memory map simple.
  if (machine.reservation === 'memmap') {
    const start = Math.floor(Math.min(...ranges.map((r) => r.start)) / MiB) * MiB;
    const end = Math.ceil(Math.max(...ranges.map((r) => r.end)) / MiB) * MiB;
    return [`memmap=${formatSize(end - start)}$${hex(start)}`];
  }
  const bank = machine.ram.find((b) => ranges[0]!.start >= b.base && ranges[0]!.start < b.base + b.size);
  if (!bank) {
    throw new JhError('E_CMDLINE_RESERVATION', `the reserved memory at ${hex(ranges[0]!.start)} is in none of the machine's RAM banks`, {
      file: machine.file, hint: 'fix ram or the cell memory regions' });
  }
  return [`mem=${formatSize(Math.floor((ranges[0]!.start - bank.base) / MiB) * MiB)}`];
}

export function rootCmdline(machine: Machine): string[] {
  return [...(machine.intelIommuOff ? ['intel_iommu=off'] : []), ...reservationArgs(machine), ...machine.rootConsole, ...(machine.rootCmdline ?? [])];
}

function parseSize(text: string): number {
  const m = /^(0x[0-9a-f]+|\d+)([KMG]?)$/i.exec(text);
  if (!m) return NaN;
  const scale = { '': 1, K: 1024, M: MiB, G: 1024 * MiB }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * scale;
}

/** What a cmdline tells Linux to leave alone (mem= leaves everything above the limit; memmap=S$B reserves [B, B+S)). */
export function reservedByCmdline(args: readonly string[], machine: Pick<Machine, 'ram'>): Range[] {
  const ranges: Range[] = [];
  for (const arg of args) {
    const mem = /^mem=(.+)$/.exec(arg);
    if (mem) {
      const limit = parseSize(mem[1]!);
      const base = machine.ram[0]?.base ?? 0;
      ranges.push({ start: base + limit, end: Number.MAX_SAFE_INTEGER, what: arg });
    }
    const memmap = /^memmap=([^$]+)\$(.+)$/.exec(arg);
    if (memmap) {
      const start = parseSize(memmap[2]!);
      ranges.push({ start, end: start + parseSize(memmap[1]!), what: arg });
    }
  }
  return ranges;
}

export type BootContext = 'argv' | 'shell' | 'grub' | 'uboot' | 'extlinux' | 'cmdline.txt';
export const BOOT_CONTEXTS: readonly BootContext[] = ['argv', 'shell', 'grub', 'uboot', 'extlinux', 'cmdline.txt'];

export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The cmdline as written in each boot context. */
export function quoteCmdline(args: readonly string[], context: BootContext): string {
  const text = args.join(' ');
  switch (context) {
    case 'argv': return text; // one argv element: literal, nothing to escape
    case 'shell': return shellQuote(text);
    case 'grub': return args.map((a) => a.replace(/[\\$"'`;|&<>{}\s]/g, (c) => `\\${c}`)).join(' '); // grub.cfg expands $ in words
    case 'uboot': return `setenv bootargs '${text.replace(/'/g, `'\\''`)}'`; // hush does not expand inside single quotes
    case 'extlinux': return `append ${text}`;
    case 'cmdline.txt': return text;
  }
}

export function findCell(machine: Machine, name: string): MachineCell {
  const cell = machine.cells.find((c) => c.name === name);
  if (!cell) throw new JhError('E_USAGE', `machine ${machine.name} has no cell "${name}"`, { hint: `cells: ${machine.cells.map((c) => c.name).join(', ')}` });
  return cell;
}

/** The `jailhouse cell linux` command that starts a Linux cell, and the guest's own cmdline. */
export function cellLinuxCommand(machine: Machine, cell: MachineCell, paths: { cells: string; kernel: string; initrd?: string; dtbs: string }): { guest: string; argv: string[] } {
  if (!cell.linux) throw new JhError('E_USAGE', `cell "${cell.name}" is not a Linux cell`, { hint: 'pick a cell with linux: {...} in its machine description' });
  const argv = ['jailhouse', 'cell', 'linux', `${paths.cells}/${machine.name}-${cell.name}.cell`, paths.kernel];
  if (machine.arch !== 'x86') argv.push('-d', `${paths.dtbs}/${inmateDtbName(machine, cell)}`);
  if (paths.initrd) argv.push('-i', paths.initrd);
  argv.push('-c', cell.linux.cmdline);
  return { guest: cell.linux.cmdline, argv };
}

/** Device-tree reserved-memory nodes (no-map) for the reserved ranges. */
/** What the root's device-tree overlay template needs: the reservations and the machine's extra properties. Pure. */
export function rootOverlayData(machine: Machine): { machine: string; nodes: { name: string; reg: string }[]; properties: { ref: string; name: string; value: string }[] } {
  return {
    machine: machine.name,
    nodes: reservedMemoryNodes(reservedRanges(machine)),
    properties: (machine.rootDtProperties ?? []).map((p) => ({ ref: `&{${p.path}}`, name: p.name, value: p.value })),
  };
}

export const ROOT_OVERLAY_TEMPLATE = 'dts/jailhouse-reserved.dtso.hbs';

export function reservedMemoryNodes(ranges: readonly Range[]): { name: string; reg: string }[] {
  const cells = (n: number) => `${hex(Math.floor(n / 2 ** 32))} ${hex(n % 2 ** 32)}`;
  return ranges.map((r) => ({ name: `jailhouse@${(r.start).toString(16)}`, reg: `${cells(r.start)} ${cells(r.end - r.start)}` }));
}
