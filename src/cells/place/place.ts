/**
 * Cells declared by needs become cell configs: RAM from the board's cell pool (top down, in
 * declaration order, so a cell added at the end never moves the others), IVSHMEM links with their
 * bdf, regions and peer ids, interrupt pins and the virtual PCI interrupt base, console and
 * communication region. Cells written with addresses are taken as they are and placed around.
 */
import { JhError } from '../../errors.ts';
import { hex } from '../describe.ts';
import { cellDefaults, commRegion, deviceRegions, irqsOf, mem, occupiesRam } from '../helpers.ts';
import { CELL_FLAGS, NO_CONSOLE, PCI_TYPE, type Arch, type Cell, type Irqchip, type MemoryRegion, type PciDevice, type Platform } from '../model.ts';
import { FreeSpace } from './memory.ts';
import { layoutAt, layoutOf, layoutSize, peerDevice, peerRegions, type LinkLayout } from './links.ts';
import type { BoardLayout, CellNeeds, LinkNeeds } from './needs.ts';
import type { CellInput } from '../input.ts';

const KiB = 0x400;
const MiB = 0x100000;
/** ARM Linux cells get a small loader region at guest address 0; x86 guests their low MiB (real-mode boot, setup data). */
const LOADER = { arm: 64 * KiB, arm64: 64 * KiB, x86: MiB } as const;
const X86_LOW = MiB;
const X86_HIGH_VIRT = 2 * MiB;
const ROOT = 'root';
const ARM_COMM = 0x80000000;

export interface PlacementInput {
  readonly file: string;
  readonly arch: Arch;
  readonly platform: Platform;
  readonly hypervisorMemory: MemoryRegion;
  readonly root: Omit<Cell, 'cpus'>;
  readonly cells: readonly (CellInput | CellNeeds)[];
  readonly links: readonly LinkNeeds[];
  readonly board?: BoardLayout;
}

export interface Placement {
  readonly root: Omit<Cell, 'cpus'>;
  readonly cells: readonly CellInput[];
  /** Names of the cells jhbuild placed (the others were written with addresses). */
  readonly placed: readonly string[];
}

const isNeeds = (cell: CellInput | CellNeeds): cell is CellNeeds => !('memory' in cell);
const range = (m: { phys: number; size: number }) => [m.phys, m.phys + m.size] as const;
const ivshmemRegions = (cell: Pick<Cell, 'memory' | 'pciDevices'>) => cell.pciDevices
  .filter((d) => d.type === PCI_TYPE.IVSHMEM).flatMap((d) => deviceRegions(cell, d));

/** What each needs cell collects while links are placed, before its own memory is laid out. */
interface Pending { regions: MemoryRegion[]; devices: { device: PciDevice; regionOffset: number }[] }

export function placeCells(input: PlacementInput): Placement {
  const needs = input.cells.filter(isNeeds);
  if (needs.length === 0 && input.links.length === 0) return { root: input.root, cells: input.cells as CellInput[], placed: [] };
  const board = input.board;
  if (!board) {
    throw new JhError('E_PLACE_NO_LAYOUT', `cell "${needs[0]?.name ?? input.links[0]!.name}" is declared by needs, but the machine has no board layout`, {
      file: input.file, hint: 'add board: { cellRam, sharedMemory, devices } saying where cells may go, or write the cell with addresses' });
  }
  const fail = (code: string, message: string, hint: string): never => { throw new JhError(code, message, { file: input.file, hint }); };
  const explicit = input.cells.filter((c): c is CellInput => !isNeeds(c));
  const byName = new Map<string, CellInput | CellNeeds>(input.cells.map((c) => [c.name, c]));

  const ram = new FreeSpace(board.cellRam);
  const shared = new FreeSpace(board.sharedMemory);
  const hold = (start: number, end: number) => { ram.remove(start, end); shared.remove(start, end); };
  hold(...range(input.hypervisorMemory));
  for (const cell of explicit) for (const m of cell.memory.filter(occupiesRam)) hold(...range(m));
  for (const m of ivshmemRegions(input.root)) hold(...range(m));
  for (const m of input.root.memory.filter(occupiesRam)) shared.remove(...range(m));

  // Links: every peer gets the same bdf and layout; a pinned peer that has the device keeps it.
  const domain = input.platform.pciDomain;
  const usedSlots = new Set([input.root, ...explicit].flatMap((c) => c.pciDevices.filter((d) => d.domain === domain || c === input.root).map((d) => d.bdf >> 3)));
  const pending = new Map<string, Pending>(needs.map((n) => [n.name, { regions: [], devices: [] }]));
  let root = input.root;
  for (const link of input.links) {
    const pinnedPeers = link.peers.map((peer, devId) => ({ peer, devId, cell: peer === ROOT ? root : byName.get(peer) }))
      .filter((p): p is { peer: string; devId: number; cell: CellInput | Omit<Cell, 'cpus'> } => p.cell !== undefined && (p.peer === ROOT || !isNeeds(p.cell as CellInput | CellNeeds)));
    const found = link.bdf === undefined ? undefined : pinnedPeers.map((p) => ({ ...p, device: p.cell.pciDevices.find((d) => d.type === PCI_TYPE.IVSHMEM && d.bdf === link.bdf) })).find((p) => p.device);
    let layout: LinkLayout;
    let bdf: number;
    if (found) {
      layout = layoutOf(found.cell, found.device!);
      bdf = link.bdf!;
      if (found.device!.shmemPeers !== link.peers.length) {
        fail('E_PLACE_LINK', `link "${link.name}": ${found.peer}'s device at bdf ${hex(bdf)} has ${found.device!.shmemPeers} peers, the link names ${link.peers.length}`, `list the same peers in links[].peers as the device has, in dev_id order`);
      }
    } else {
      bdf = link.bdf ?? freeSlot(board, usedSlots, link, input.file) << 3;
      const size = layoutSize(link);
      const start = link.at ?? shared.takeTop(size, 64 * KiB);
      if (start === undefined) {
        const best = shared.largest(64 * KiB);
        fail('E_PLACE_FIT', `link "${link.name}" needs ${hex(size)} bytes of shared memory; the largest free stretch of board.sharedMemory is ${best ? `${hex(best.size)} at ${hex(best.start)}` : 'none'}`,
          'widen board.sharedMemory, or make the link smaller (rwSize/outSize)');
      }
      if (link.at !== undefined) {
        if (!shared.holds(link.at, link.at + size)) fail('E_PLACE_PINNED', `link "${link.name}" is pinned at ${hex(link.at)} (${hex(size)} bytes), which is outside board.sharedMemory or already used`, 'move links[].at into a free part of board.sharedMemory, or drop it and let jhbuild place the link');
        hold(link.at, link.at + size);
      }
      layout = layoutAt(link, start!);
    }
    usedSlots.add(bdf >> 3);
    link.peers.forEach((peer, devId) => {
      const template = found?.device;
      if (peer === ROOT) {
        if (root.pciDevices.some((d) => d.type === PCI_TYPE.IVSHMEM && d.bdf === bdf)) return;
        const regions = peerRegions(link, layout, devId, false);
        const device = peerDevice(input.arch, link, { domain, bdf, devId, regionsStart: root.memory.length, template });
        root = { ...root, memory: [...root.memory, ...regions], pciDevices: [...root.pciDevices, device] };
        return;
      }
      const mine = pending.get(peer);
      if (!mine) {
        const cell = byName.get(peer) as CellInput;
        const has = cell.pciDevices.find((d) => d.type === PCI_TYPE.IVSHMEM && d.bdf === bdf);
        if (!has || has.shmemDevId !== devId) {
          fail('E_PLACE_LINK', `link "${link.name}": cell "${peer}" is written with addresses and has no IVSHMEM device at bdf ${hex(bdf)} with dev_id ${devId}`,
            `declare "${peer}" by needs so jhbuild can add the link, or pin links[].bdf to the device it has`);
        }
        return;
      }
      const regions = peerRegions(link, layout, devId, true);
      mine.devices.push({ device: peerDevice(input.arch, link, { domain, bdf, devId, regionsStart: 0, template }), regionOffset: mine.regions.length });
      mine.regions.push(...regions);
    });
  }

  // Interrupts already owned by a non-root cell, and the virtual PCI interrupts of every cell.
  const irqsTaken = new Set<number>();
  const takeVpci = (cell: Pick<Cell, 'vpciIrqBase' | 'pciDevices'>) => {
    for (const d of cell.pciDevices) if (d.type === PCI_TYPE.IVSHMEM) irqsTaken.add(cell.vpciIrqBase + 32 + ((d.bdf >> 3) & 3));
  };
  takeVpci(root);
  for (const cell of explicit) {
    takeVpci(cell);
    for (const irq of irqsOf(cell.irqchips)) irqsTaken.add(irq);
  }

  const cells = input.cells.map((cell): CellInput => {
    if (!isNeeds(cell)) return cell;
    return placeOne(input, board, cell, pending.get(cell.name)!, { ram, irqsTaken, root, fail });
  });
  return { root, cells, placed: needs.map((n) => n.name) };
}

function freeSlot(board: BoardLayout, used: Set<number>, link: LinkNeeds, file: string): number {
  const slots = board.pciSlots ?? { first: 0, count: 32 };
  const bus = (slots.bus ?? 0) << 5;
  for (let slot = slots.first; slot < slots.first + slots.count; slot++) if (!used.has(bus | slot)) return bus | slot;
  throw new JhError('E_PLACE_FIT', `link "${link.name}" needs a PCI slot; all ${slots.count} slots from ${slots.first} (board.pciSlots) are taken`, {
    file, hint: 'widen board.pciSlots or join links (a multi-peer shmem link serves several cells)' });
}

interface Shared {
  readonly ram: FreeSpace;
  readonly irqsTaken: Set<number>;
  readonly root: Omit<Cell, 'cpus'>;
  readonly fail: (code: string, message: string, hint: string) => never;
}

function placeOne(input: PlacementInput, board: BoardLayout, need: CellNeeds, links: Pending, shared: Shared): CellInput {
  const { fail } = shared;
  const arm = input.arch !== 'x86';
  const linux = need.linux !== undefined;
  const loader = linux ? LOADER[input.arch] : 0;
  const align = need.ram.align ?? (linux ? 2 * MiB : 64 * KiB);
  // An ARM Linux cell's RAM is mapped where it lies: keep it off the communication region's guest page.
  const commPage = arm && linux && shared.ram.holds(ARM_COMM, ARM_COMM + 0x1000);
  if (commPage) shared.ram.remove(ARM_COMM, ARM_COMM + 0x1000);
  const ramStart = allocateRam(need, loader, align, shared.ram, fail, board);
  if (commPage) shared.ram.release(ARM_COMM, ARM_COMM + 0x1000);

  // Devices by name: MMIO, port I/O, interrupts; the console device only for output (no interrupts).
  const deviceRegions: MemoryRegion[] = [];
  const pio: { base: number; length: number }[] = [];
  const irqs: number[] = [];
  const named = [...new Set([...(need.devices ?? []), ...(need.console ? [need.console] : [])])];
  for (const name of named) {
    const device = board.devices[name];
    if (!device) fail('E_PLACE_DEVICE', `cell "${need.name}" asks for device "${name}", which the board does not have`, `use one of: ${Object.keys(board.devices).join(', ') || '(none)'}`);
    const given = need.devices?.includes(name) ?? false;
    for (const w of device!.mmio ?? []) {
      deviceRegions.push(mem(w.phys, w.size, `R W IO${device!.shared ? ' ROOTSHARED' : ''} ${w.flags ?? ''}`.trim(), { comment: name }));
    }
    pio.push(...(device!.pio ?? []));
    if (given) irqs.push(...(device!.irqs ?? []));
  }
  for (const irq of irqs) {
    if (shared.irqsTaken.has(irq)) fail('E_PLACE_IRQ', `cell "${need.name}": interrupt ${irq} of its devices is already another cell's`, 'give the device to one cell only (a console needs no interrupt: name it in console, not devices)');
    shared.irqsTaken.add(irq);
  }

  // Virtual PCI interrupts (ARM INTx): vpci_irq_base + 32 + slot % 4 must be free.
  const slots = links.devices.map((d) => (d.device.bdf >> 3) & 3);
  let vpciIrqBase = 0;
  if (arm && slots.length > 0) {
    vpciIrqBase = need.vpciIrqBase ?? pickVpciBase(board, slots, shared.irqsTaken, need, fail);
    for (const slot of slots) shared.irqsTaken.add(vpciIrqBase + 32 + slot);
    irqs.push(...slots.map((slot) => vpciIrqBase + 32 + slot));
  }

  const own = ramRegions(input.arch, linux, need.ram.size, loader, ramStart);
  const atZero = own.find((m) => m.virt === 0 && m.phys !== 0 && m.size === need.ram.size);
  const lowestDevice = Math.min(...[...links.regions, ...deviceRegions].filter((m) => m.size > 0).map((m) => m.virt));
  if (atZero && lowestDevice < atZero.size) {
    fail('E_PLACE_FIT', `cell "${need.name}" needs ${describeSize(need.ram.size)} of RAM at guest address 0; its device and IVSHMEM mappings start at ${hex(lowestDevice)}, so at most ${describeSize(lowestDevice)} fits`,
      `ask for at most ${describeSize(lowestDevice)} (ram.size), or make it a Linux cell (its RAM is mapped where it lies)`);
  }
  const memory = [...links.regions, ...deviceRegions, ...own];
  const pciDevices = links.devices.map(({ device, regionOffset }) => ({ ...device, shmemRegionsStart: regionOffset }));
  const flags = (arm ? CELL_FLAGS.PASSIVE_COMMREG : CELL_FLAGS.VIRTUAL_CONSOLE_PERMITTED)
    | (linux ? CELL_FLAGS.PASSIVE_COMMREG | CELL_FLAGS.VIRTUAL_CONSOLE_PERMITTED : 0) | (need.flags ?? 0);
  return {
    ...cellDefaults({
      name: need.name, flags, vpciIrqBase, memory, pio, pciDevices,
      irqchips: irqchipsFor(input, shared.root, irqs, need, fail),
      console: need.console ? board.devices[need.console]!.console ?? NO_CONSOLE : NO_CONSOLE,
    }),
    cpus: need.cpus,
    ...(need.inmate ? { inmate: need.inmate } : {}),
    ...(need.linux ? { linux: need.linux } : {}),
  };
}

/** The cell's RAM (and a Linux cell's loader right below it); returns where the RAM starts. */
function allocateRam(need: CellNeeds, loader: number, align: number, ram: FreeSpace, fail: Shared['fail'], board: BoardLayout): number {
  const size = need.ram.size;
  if (need.ram.at !== undefined) {
    const start = need.ram.at - loader;
    if (!ram.holds(start, need.ram.at + size)) {
      fail('E_PLACE_PINNED', `cell "${need.name}" pins its RAM at ${hex(need.ram.at)} (${hex(size)} bytes${loader ? ` and a ${hex(loader)}-byte loader below` : ''}), outside board.cellRam or already used`,
        `move ram.at into a free part of board.cellRam (${board.cellRam.map((r) => `${hex(r.base)}+${hex(r.size)}`).join(', ')}), or drop it`);
    }
    ram.remove(start, need.ram.at + size);
    return need.ram.at;
  }
  const start = ram.takeTop(size, align, loader);
  if (start === undefined) {
    const best = ram.largest(align, loader);
    const fits = best ? Math.floor(best.size / 0x1000) * 0x1000 : 0;
    return fail('E_PLACE_FIT', `cell "${need.name}" needs ${describeSize(size)} of RAM aligned to ${describeSize(align)}${loader ? ` with a ${describeSize(loader)} loader below it` : ''}; the largest that board.cellRam still holds is ${best ? `${describeSize(best.size)} at ${hex(best.start)}` : 'nothing'}`,
      fits > 0 ? `ask for at most ${describeSize(fits)} (ram.size), lower ram.align, or widen board.cellRam` : 'widen board.cellRam, or remove a cell');
  }
  return start;
}

const describeSize = (n: number) => (n % MiB === 0 ? `${n / MiB} MiB` : n % KiB === 0 ? `${n / KiB} KiB` : hex(n));

/** RAM regions in upstream's order: ARM loader, RAM, comm region; x86 low MiB, comm region, high RAM. */
function ramRegions(arch: Arch, linux: boolean, size: number, loader: number, ramStart: number): MemoryRegion[] {
  if (arch !== 'x86') {
    if (!linux) return [mem(ramStart, size, 'R W X LOADABLE', { virt: 0, comment: 'RAM' }), commRegion()];
    return [
      mem(ramStart - loader, loader, 'R W X LOADABLE', { virt: 0, comment: 'RAM (loader)' }),
      mem(ramStart, size, 'R W X DMA LOADABLE', { comment: 'RAM (kernel)' }),
      commRegion(),
    ];
  }
  const comm = commRegion(X86_LOW);
  if (linux) {
    return [mem(ramStart - loader, loader, 'R W X DMA LOADABLE', { virt: 0, comment: 'RAM (loader)' }), comm,
      mem(ramStart, size, 'R W X DMA LOADABLE', { virt: X86_HIGH_VIRT, comment: 'RAM (kernel)' })];
  }
  const low = Math.min(size, X86_LOW);
  return [mem(ramStart, low, 'R W X LOADABLE', { virt: 0, comment: 'RAM' }), comm,
    ...(size > low ? [mem(ramStart + low, size - low, 'R W X LOADABLE', { virt: X86_HIGH_VIRT, comment: 'RAM (high)' })] : [])];
}

function pickVpciBase(board: BoardLayout, slots: number[], taken: Set<number>, need: CellNeeds, fail: Shared['fail']): number {
  const pool = board.virtualIrqs;
  if (!pool) fail('E_PLACE_IRQ', `cell "${need.name}" has IVSHMEM links, and the board names no interrupts for virtual PCI`, 'add board.virtualIrqs: { first, count } (GIC interrupt IDs no device raises)');
  for (let first = pool!.first; first + Math.max(...slots) < pool!.first + pool!.count; first++) {
    if (slots.every((s) => !taken.has(first + s))) return first - 32;
  }
  return fail('E_PLACE_FIT', `cell "${need.name}" needs ${slots.length} virtual PCI interrupt(s); board.virtualIrqs [${pool!.first}, ${pool!.first + pool!.count}) has no free run for slots ${slots.join(',')}`,
    'widen board.virtualIrqs, or pin vpciIrqBase');
}

/** ARM: GIC entries per 128-interrupt window from 32; x86: the root's IOAPIC with the cell's pins. */
function irqchipsFor(input: PlacementInput, root: Omit<Cell, 'cpus'>, irqs: readonly number[], need: CellNeeds, fail: Shared['fail']): Irqchip[] {
  if (irqs.length === 0) return [];
  const windows = new Map<number, [number, number, number, number]>();
  const arm = input.arch !== 'x86';
  for (const irq of irqs) {
    if (arm && irq < 32) fail('E_PLACE_IRQ', `cell "${need.name}": interrupt ${irq} is private to a CPU (below 32)`, 'name SPIs (32 and up) in board.devices[].irqs');
    const base = arm ? 32 + Math.floor((irq - 32) / 128) * 128 : Math.floor(irq / 128) * 128;
    const words = windows.get(base) ?? [0, 0, 0, 0];
    words[(irq - base) >> 5] = (words[(irq - base) >> 5]! | (1 << ((irq - base) & 31))) >>> 0;
    windows.set(base, words);
  }
  const chip = arm ? { address: input.platform.arm?.gicdBase ?? 0, id: 0 } : root.irqchips[0];
  if (!chip) fail('E_PLACE_IRQ', `cell "${need.name}" needs interrupts, and the root cell has no IOAPIC entry to take them from`, 'add the IOAPIC to the root cell\'s irqchips');
  return [...windows].sort(([a], [b]) => a - b).map(([pinBase, pinBitmap]) => ({ address: chip!.address, id: chip!.id, pinBase, pinBitmap }));
}
