/** Field-by-field checks of board layouts, links and cells declared by needs (file, field and fix in each error). */
import type { Checker } from '../../checker.ts';
import { memFlags } from '../helpers.ts';
import { validateConsole, validatePio } from '../validate-input.ts';

const PAGE = 0x1000;
/** GIC interrupt IDs (and IOAPIC pins) a cell can be given: the hypervisor's irq bitmap has 1024. */
const IRQS = 1024;
const PCI_SLOTS = 32;
const NEEDS_KEYS = ['name', 'ram', 'cpus', 'devices', 'console', 'vpciIrqBase', 'flags', 'inmate', 'linux'] as const;
const LINK_KEYS = ['name', 'kind', 'peers', 'rwSize', 'outSize', 'at', 'bdf'] as const;

function pageAligned(check: Checker, value: unknown, field: string, min = 0): number {
  return check.bytes(value, field, { page: true, min });
}

function ranges(check: Checker, value: unknown, field: string): void {
  check.array(value, field).forEach((item, i) => {
    const r = check.object(item, `${field}[${i}]`);
    check.known(r, `${field}[${i}]`, ['base', 'size']);
    check.span(pageAligned(check, r.base, `${field}[${i}].base`), pageAligned(check, r.size, `${field}[${i}].size`, PAGE), `${field}[${i}].base`);
  });
}

/** A board device's MMIO windows (may be sub-page), ports and console. */
function validateDevice(check: Checker, device: Record<string, unknown>, field: string): void {
  check.array(device.mmio, `${field}.mmio`).forEach((item, i) => {
    const w = check.object(item, `${field}.mmio[${i}]`);
    check.known(w, `${field}.mmio[${i}]`, ['phys', 'size', 'flags']);
    check.span(check.bytes(w.phys, `${field}.mmio[${i}].phys`), check.bytes(w.size, `${field}.mmio[${i}].size`, { min: 1 }), `${field}.mmio[${i}].phys`);
    if (w.flags !== undefined) {
      try { memFlags(check.string(w.flags, `${field}.mmio[${i}].flags`)); } catch (error) {
        check.fail(`${field}.mmio[${i}].flags`, (error as Error).message, 'name memory flags separated by spaces, e.g. "IO_8 IO_32"');
      }
    }
  });
  check.array(device.pio, `${field}.pio`).forEach((p, i) => validatePio(check, p, `${field}.pio[${i}]`));
  if (device.console !== undefined) validateConsole(check, device.console, `${field}.console`);
}

export function validateNeeds(check: Checker, machine: Record<string, unknown>): void {
  const board = machine.board === undefined ? undefined : check.object(machine.board, 'board');
  const devices = new Set<string>();
  if (board) {
    check.known(board, 'board', ['cellRam', 'sharedMemory', 'virtualIrqs', 'pciSlots', 'devices', 'windows']);
    ranges(check, board.cellRam, 'board.cellRam');
    ranges(check, board.sharedMemory, 'board.sharedMemory');
    check.array(board.windows, 'board.windows').forEach((item, i) => {
      const w = check.object(item, `board.windows[${i}]`);
      check.known(w, `board.windows[${i}]`, ['base', 'size', 'what']);
      check.span(check.bytes(w.base, `board.windows[${i}].base`), check.bytes(w.size, `board.windows[${i}].size`, { min: 1 }), `board.windows[${i}].base`);
      check.string(w.what, `board.windows[${i}].what`);
    });
    for (const key of ['virtualIrqs', 'pciSlots'] as const) {
      if (board[key] === undefined) continue;
      const pool = check.object(board[key], `board.${key}`);
      check.known(pool, `board.${key}`, key === 'pciSlots' ? ['bus', 'first', 'count'] : ['first', 'count']);
      const end = key === 'pciSlots' ? PCI_SLOTS : IRQS;
      const first = check.number(pool.first, `board.${key}.first`, 0, end - 1);
      check.number(pool.count, `board.${key}.count`, 1, end - first);
      if (pool.bus !== undefined) check.uint(pool.bus, `board.${key}.bus`, 8);
    }
    for (const [name, value] of Object.entries(check.object(board.devices, 'board.devices'))) {
      const device = check.object(value, `board.devices.${name}`);
      check.known(device, `board.devices.${name}`, ['mmio', 'pio', 'irqs', 'console', 'shared', 'dts', 'dtsAliases']);
      check.array(device.irqs, `board.devices.${name}.irqs`).forEach((irq, i) => check.number(irq, `board.devices.${name}.irqs[${i}]`, 0, IRQS - 1));
      validateDevice(check, device, `board.devices.${name}`);
      devices.add(name);
    }
  }

  const cellNames = new Set(check.array(machine.cells, 'cells').map((c) => (c as { name?: unknown }).name));
  check.array(machine.links, 'links').forEach((item, i) => {
    const field = `links[${i}]`;
    const link = check.object(item, field);
    check.known(link, field, LINK_KEYS);
    check.string(link.name, `${field}.name`);
    const kind = check.oneOf(link.kind, `${field}.kind`, ['net', 'shmem', 'virtio-blk', 'virtio-console']);
    const peers = check.strings(link.peers, `${field}.peers`);
    const max = kind === 'shmem' ? 16 : 2;
    if (peers.length < 2 || peers.length > max) check.fail(`${field}.peers`, `${peers.length} peers; a ${kind} link has 2${max > 2 ? `-${max}` : ''}`, `list ${max > 2 ? `2 to ${max}` : 'exactly 2'} cells ("root" for the root cell)`);
    peers.forEach((peer, p) => {
      if (peer !== 'root' && !cellNames.has(peer)) check.fail(`${field}.peers[${p}]`, `no cell is named "${peer}"`, `use "root" or one of: ${[...cellNames].join(', ')}`);
      if (peers.indexOf(peer) !== p) check.fail(`${field}.peers[${p}]`, `"${peer}" is listed twice`, 'list each peer once');
    });
    for (const key of ['rwSize', 'outSize', 'at'] as const) if (link[key] !== undefined) pageAligned(check, link[key], `${field}.${key}`);
    if (link.bdf !== undefined) check.number(link.bdf, `${field}.bdf`, 0, 0xffff);
  });

  check.array(machine.cells, 'cells').forEach((item, i) => {
    const cell = item as Record<string, unknown>;
    if (!('ram' in cell) || 'memory' in cell) return;
    const field = `cells[${i}]`;
    check.known(cell, field, NEEDS_KEYS);
    if (!board) check.fail(field, `"${String(cell.name)}" is declared by needs (ram), but the machine has no board layout`, 'add board: { cellRam, sharedMemory, devices } to the machine');
    const ram = check.object(cell.ram, `${field}.ram`);
    check.known(ram, `${field}.ram`, ['size', 'align', 'at']);
    const size = pageAligned(check, ram.size, `${field}.ram.size`, PAGE);
    if (ram.align !== undefined) {
      const align = check.number(ram.align, `${field}.ram.align`, PAGE);
      if (!Number.isInteger(Math.log2(align))) check.fail(`${field}.ram.align`, `0x${align.toString(16)} is not a power of two`, 'use 0x10000, 0x200000, ...');
    }
    if (ram.at !== undefined) check.span(pageAligned(check, ram.at, `${field}.ram.at`), size, `${field}.ram.at`);
    if (cell.vpciIrqBase !== undefined) check.uint(cell.vpciIrqBase, `${field}.vpciIrqBase`, 32);
    if (cell.flags !== undefined) check.uint(cell.flags, `${field}.flags`, 32);
    for (const [j, name] of check.strings(cell.devices, `${field}.devices`).entries()) {
      if (!devices.has(name)) check.fail(`${field}.devices[${j}]`, `the board has no device "${name}"`, `use one of: ${[...devices].join(', ') || '(board.devices is empty)'}`);
    }
    if (cell.console !== undefined && !devices.has(check.string(cell.console, `${field}.console`))) {
      check.fail(`${field}.console`, `the board has no device "${String(cell.console)}"`, `use one of: ${[...devices].join(', ')}`);
    }
    if (cell.linux !== undefined) check.string(check.object(cell.linux, `${field}.linux`).cmdline, `${field}.linux.cmdline`);
  });
}
