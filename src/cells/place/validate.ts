/** Field-by-field checks of board layouts, links and cells declared by needs (file, field and fix in each error). */
import type { Checker } from '../../project/validate.ts';

const PAGE = 0x1000;
const NEEDS_KEYS = ['name', 'ram', 'cpus', 'devices', 'console', 'vpciIrqBase', 'flags', 'inmate', 'linux'] as const;
const LINK_KEYS = ['name', 'kind', 'peers', 'rwSize', 'outSize', 'at', 'bdf'] as const;

function pageAligned(check: Checker, value: unknown, field: string, min = 0): void {
  const n = check.number(value, field, min);
  if (n % PAGE !== 0) check.fail(field, `0x${n.toString(16)} is not a multiple of 4 KiB`, `round ${field} to a 4 KiB boundary`);
}

function ranges(check: Checker, value: unknown, field: string): void {
  check.array(value, field).forEach((item, i) => {
    const r = check.object(item, `${field}[${i}]`);
    check.known(r, `${field}[${i}]`, ['base', 'size']);
    pageAligned(check, r.base, `${field}[${i}].base`);
    pageAligned(check, r.size, `${field}[${i}].size`, PAGE);
  });
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
      check.number(w.base, `board.windows[${i}].base`);
      check.number(w.size, `board.windows[${i}].size`, 1);
      check.string(w.what, `board.windows[${i}].what`);
    });
    for (const key of ['virtualIrqs', 'pciSlots'] as const) {
      if (board[key] === undefined) continue;
      const pool = check.object(board[key], `board.${key}`);
      check.known(pool, `board.${key}`, key === 'pciSlots' ? ['bus', 'first', 'count'] : ['first', 'count']);
      check.number(pool.first, `board.${key}.first`);
      check.number(pool.count, `board.${key}.count`, 1);
    }
    for (const [name, value] of Object.entries(check.object(board.devices, 'board.devices'))) {
      const device = check.object(value, `board.devices.${name}`);
      check.known(device, `board.devices.${name}`, ['mmio', 'pio', 'irqs', 'console', 'shared', 'dts', 'dtsAliases']);
      check.array(device.irqs, `board.devices.${name}.irqs`).forEach((irq, i) => check.number(irq, `board.devices.${name}.irqs[${i}]`, 0, 1023));
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
    pageAligned(check, ram.size, `${field}.ram.size`, PAGE);
    if (ram.align !== undefined) {
      const align = check.number(ram.align, `${field}.ram.align`, PAGE);
      if ((align & (align - 1)) !== 0) check.fail(`${field}.ram.align`, `0x${align.toString(16)} is not a power of two`, 'use 0x10000, 0x200000, ...');
    }
    if (ram.at !== undefined) pageAligned(check, ram.at, `${field}.ram.at`);
    for (const [j, name] of check.strings(cell.devices, `${field}.devices`).entries()) {
      if (!devices.has(name)) check.fail(`${field}.devices[${j}]`, `the board has no device "${name}"`, `use one of: ${[...devices].join(', ') || '(board.devices is empty)'}`);
    }
    if (cell.console !== undefined && !devices.has(check.string(cell.console, `${field}.console`))) {
      check.fail(`${field}.console`, `the board has no device "${String(cell.console)}"`, `use one of: ${[...devices].join(', ')}`);
    }
    if (cell.linux !== undefined) check.string(check.object(cell.linux, `${field}.linux`).cmdline, `${field}.linux.cmdline`);
  });
}
