/**
 * From the hardware a tree describes to the memory map a machine needs: the hypervisor's 4 MiB at
 * the top of RAM (as upstream's boards), IVSHMEM and cell RAM below it, the root's RAM and MMIO,
 * a virtual PCI window where the tree claims nothing, free interrupts for virtual PCI. Pure.
 */
import type { Hardware } from './hardware.ts';
import { alignDown, alignUp, hex, MiB, PAGE, overlapsAny, pageAligned, subtract, union, type Span } from './ranges.ts';

export const HYPERVISOR_SIZE = 4 * MiB;
const SHARED_SIZE = 2 * MiB;
const CELL_RAM_MAX = 512 * MiB;
/** One bus of MMCONFIG plus the root's IVSHMEM BAR pages, rounded up. */
const VPCI_SIZE = 2 * MiB;
const VIRTUAL_IRQS = 8;
const FOUR_GIB = 0x100000000;

export interface Layout {
  readonly ram: readonly Span[];
  readonly hypervisor: Span;
  readonly sharedMemory: Span;
  readonly cellRam: Span;
  readonly rootRam: readonly Span[];
  readonly rootMmio: readonly Span[];
  readonly vpci: Span;
  readonly virtualIrqs: { readonly first: number; readonly count: number; readonly why: string };
  /** The root's GIC pins: 128-pin windows from 32, each word all-ones up to the highest interrupt. */
  readonly irqchips: readonly { readonly pinBase: number; readonly words: readonly [number, number, number, number] }[];
  readonly findings: string[];
}

export function planLayout(hw: Hardware): Layout {
  const findings: string[] = [];
  const ram = union(subtract(hw.ram, hw.noMap)).map((s) => ({ ...s, start: alignUp(s.start, PAGE), end: alignDown(s.end, PAGE) })).filter((s) => s.end > s.start);
  // The hypervisor's bank: the highest one below 4 GiB with room (32-bit DMA keeps working for the root), else the first.
  const roomy = ram.filter((b) => b.end - b.start >= HYPERVISOR_SIZE + SHARED_SIZE + 64 * MiB);
  const bank = [...roomy].reverse().find((b) => b.end <= FOUR_GIB) ?? roomy[0] ?? ram[0]!;
  const hvEnd = alignDown(bank.end, 2 * MiB);
  const hvStart = hvEnd - HYPERVISOR_SIZE;
  const hypervisor: Span = { start: hvStart, end: hvEnd, from: [`top of ${bank.from.join(', ')}`] };
  const sharedMemory: Span = { start: hvStart - SHARED_SIZE, end: hvStart, from: ['below the hypervisor'] };
  const cellSize = Math.min(CELL_RAM_MAX, alignDown((sharedMemory.start - bank.start) / 2, 2 * MiB));
  const cellRam: Span = { start: sharedMemory.start - cellSize, end: sharedMemory.start, from: ['below IVSHMEM, half the bank at most'] };
  const rootRam = subtract(ram, [hypervisor, sharedMemory]);

  const gicFrames = hw.gic?.frames ?? [];
  const rootMmio = subtract(union(hw.mmio.map(pageAligned)), [...hw.ram, ...gicFrames.map(pageAligned)]);

  const vpci = vpciHole(hw, ram, findings);
  const virtualIrqs = freeIrqs(hw.spisUsed, findings);
  const top = Math.max(hw.spisUsed.at(-1) ?? 32, virtualIrqs.first + virtualIrqs.count - 1);
  const irqchips: { pinBase: number; words: [number, number, number, number] }[] = [];
  for (let pinBase = 32; pinBase <= top; pinBase += 128) {
    const words: [number, number, number, number] = [0, 0, 0, 0];
    for (let w = 0; w < 4; w++) if (pinBase + w * 32 <= top) words[w] = 0xffffffff;
    irqchips.push({ pinBase, words });
  }
  return { ram, hypervisor, sharedMemory, cellRam, rootRam, rootMmio, vpci, virtualIrqs, irqchips, findings };
}

/** Right above the highest address the tree claims below 4 GiB (rpi4: upstream's 0xff900000), else the highest hole that fits. */
function vpciHole(hw: Hardware, ram: readonly Span[], findings: string[]): Span {
  const claims = union([...hw.claimed, ...ram].map(pageAligned));
  const low = claims.filter((c) => c.start < FOUR_GIB);
  const above = alignUp(Math.max(...low.map((c) => c.end)), MiB);
  const fits = (start: number) => start + VPCI_SIZE <= FOUR_GIB && !overlapsAny(start, start + VPCI_SIZE, claims);
  let start = fits(above) ? above : undefined;
  for (let i = low.length - 1; start === undefined && i > 0; i--) {
    const candidate = alignDown(low[i]!.start - VPCI_SIZE, MiB);
    if (candidate >= low[i - 1]!.end && fits(candidate)) start = candidate;
  }
  if (start === undefined) start = alignUp(Math.max(...claims.map((c) => c.end)), MiB);
  findings.push(`virtual PCI host at ${hex(start)}: no node of the tree claims [${hex(start)}, ${hex(start + VPCI_SIZE)}); addresses the tree does not describe (boot ROM, firmware-only blocks) are not known here: check the SoC's memory map`);
  return { start, end: start + VPCI_SIZE, from: ['a hole of the tree\'s address map'] };
}

/** The highest run of free SPIs below the highest used one (lines the GIC surely implements), else right above it. */
function freeIrqs(used: readonly number[], findings: string[]): Layout['virtualIrqs'] {
  const taken = new Set(used);
  const max = used.at(-1) ?? 63;
  for (let first = max - VIRTUAL_IRQS; first >= 32; first--) {
    let free = true;
    for (let i = 0; i < VIRTUAL_IRQS && free; i++) free = !taken.has(first + i);
    if (free) return { first, count: VIRTUAL_IRQS, why: `no node of the tree raises SPIs ${first}-${first + VIRTUAL_IRQS - 1} (the highest it uses is ${max})` };
  }
  findings.push(`no run of ${VIRTUAL_IRQS} free SPIs below ${max}: virtual PCI takes ${max + 1}-${max + VIRTUAL_IRQS}; check the GIC implements them (GICD_TYPER.ITLinesNumber is not in the tree)`);
  return { first: max + 1, count: VIRTUAL_IRQS, why: `above the highest SPI of the tree (${max})` };
}
