/**
 * The placement of a machine's cells as people read it: a table per cell, the links, a memory map
 * (text for the terminal, SVG for docs and CI artifacts), and what moved since the last plan.
 */
import { bdfName, hex } from '../cells/describe.ts';
import { MEM, PCI_TYPE, SHMEM_PROTO, type Cell, type MemoryRegion } from '../cells/model.ts';
import { reservedByCmdline, reservedRanges, rootCmdline } from './cmdline.ts';
import { deviceRegions, irqsOf, occupiesRam } from '../cells/helpers.ts';
import type { Machine } from '../machine/types.ts';

const KiB = 0x400;
const MiB = 0x100000;

export interface Segment { readonly start: number; readonly end: number; readonly owner: string; readonly what: string }

export interface CellRow {
  readonly cell: string;
  readonly how: 'root' | 'written' | 'placed';
  readonly cpus: readonly number[];
  readonly ram: readonly { start: number; size: number; what: string }[];
  readonly links: readonly string[];
  readonly devices: readonly string[];
  readonly irqs: readonly number[];
  readonly vpciIrqBase: number;
}

export interface Plan {
  readonly machine: string;
  readonly cmdline: string;
  readonly cells: readonly CellRow[];
  readonly links: readonly { name: string; kind: string; bdf: string; start: number; size: number; peers: string[] }[];
  readonly segments: readonly Segment[];
  /** The device map: the board's named devices and windows, the virtual PCI host, the root's other MMIO. */
  readonly devices: readonly Segment[];
}

export const size = (n: number) => (n >= MiB && n % MiB === 0 ? `${n / MiB} MiB` : n % KiB === 0 ? `${n / KiB} KiB` : `${n} B`);
/** The root's RAM: x86 root configs map device memory without the IO flag, but never executable. */
const isRootRam = (m: MemoryRegion) => occupiesRam(m) && (m.flags & MEM.EXECUTE) !== 0;
const ivshmemIndices = (cell: Pick<Cell, 'pciDevices'>) => new Set(cell.pciDevices.filter((d) => d.type === PCI_TYPE.IVSHMEM)
  .flatMap((d) => Array.from({ length: 2 + d.shmemPeers }, (_, i) => d.shmemRegionsStart + i)));
const bdfText = (domain: number, bdf: number) => `${domain.toString(16).padStart(4, '0')}:${bdfName(bdf)}`;

const VIRTIO: Record<number, string> = { 1: 'net', 2: 'blk', 3: 'console' };
function protocolName(protocol: number): string {
  if (protocol === SHMEM_PROTO.UNDEFINED) return 'shmem';
  if (protocol === SHMEM_PROTO.VETH) return 'net';
  if (protocol >= SHMEM_PROTO.VIRTIO_FRONT) return `virtio-${VIRTIO[protocol & 0x3fff] ?? protocol & 0x3fff} ${protocol >= SHMEM_PROTO.VIRTIO_BACK ? 'back' : 'front'}end`;
  return `protocol ${hex(protocol)}`;
}

export function machinePlan(machine: Machine): Plan {
  const root = machine.system.rootCell;
  const linkNames = new Map((machine.links ?? []).map((l) => [l.bdf, l.name]));
  const deviceName = (bdf: number, devId: number) => `${linkNames.get(bdf) ?? bdfText(0, bdf)}#${devId}`;
  const rows: CellRow[] = [root, ...machine.cells].map((cell) => {
    const shm = ivshmemIndices(cell);
    return {
      cell: cell.name,
      how: cell === root ? 'root' : machine.placed.includes(cell.name) ? 'placed' : 'written',
      cpus: cell === root ? root.cpus.filter((c) => !machine.cells.some((x) => x.cpus.includes(c))) : cell.cpus,
      ram: cell.memory.filter((m, i) => occupiesRam(m) && !shm.has(i)).map((m) => ({ start: m.phys, size: m.size, what: m.comment ?? 'RAM' })),
      links: cell.pciDevices.filter((d) => d.type === PCI_TYPE.IVSHMEM).map((d) => deviceName(d.bdf, d.shmemDevId)),
      devices: cell === root ? [] : cell.memory.filter((m) => m.size > 0 && (m.flags & MEM.IO) !== 0).map((m) => `${m.comment ?? 'MMIO'}@${hex(m.phys)}`)
        .concat(cell.pio.map((p) => `pio ${hex(p.base)}+${p.length}`)),
      irqs: cell === root ? [] : irqsOf(cell.irqchips),
      vpciIrqBase: cell.vpciIrqBase,
    };
  });
  const links = root.pciDevices.filter((d) => d.type === PCI_TYPE.IVSHMEM).map((d) => {
    const regions = deviceRegions(root, d).filter((m) => m.size > 0);
    const start = Math.min(...regions.map((m) => m.phys));
    const peers = [root, ...machine.cells].flatMap((c) => c.pciDevices.filter((x) => x.type === PCI_TYPE.IVSHMEM && x.bdf === d.bdf).map((x) => `${c.name}(${x.shmemDevId})`));
    const protocol = protocolName(d.shmemProtocol);
    return { name: linkNames.get(d.bdf) ?? bdfText(d.domain, d.bdf), kind: protocol, bdf: bdfText(d.domain, d.bdf), start, size: Math.max(...regions.map((m) => m.phys + m.size)) - start, peers };
  });
  return { machine: machine.name, cmdline: rootCmdline(machine).join(' '), cells: rows, links, segments: memorySegments(machine), devices: deviceSegments(machine) };
}

/** Claims split at every boundary; each piece goes to the first claim that covers it, equal neighbours merged. */
function flatten(claims: readonly Segment[]): Segment[] {
  const sorted = [...new Set(claims.flatMap((c) => [c.start, c.end]))].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const [a, b] = [sorted[i]!, sorted[i + 1]!];
    const claim = claims.find((c) => c.start <= a && b <= c.end);
    if (!claim) continue;
    const last = out[out.length - 1];
    if (last && last.end === a && last.owner === claim.owner && last.what === claim.what) out[out.length - 1] = { ...last, end: b };
    else out.push({ start: a, end: b, owner: claim.owner, what: claim.what });
  }
  return out;
}

/**
 * Where the devices are: the board's named devices (owned by the cell that maps them, else the root),
 * its windows (interrupt controller frames are the hypervisor's), the virtual PCI host's config space,
 * and the root's MMIO regions under their comments (a generated machine's name the tree's nodes).
 */
export function deviceSegments(machine: Machine): Segment[] {
  const root = machine.system.rootCell;
  const mappedBy = (phys: number) => machine.cells.filter((c) => c.memory.some((m) => (m.flags & MEM.IO) !== 0 && m.phys <= phys && phys < m.phys + m.size)).map((c) => c.name);
  const claims: Segment[] = [];
  for (const [name, device] of Object.entries(machine.board?.devices ?? {})) {
    for (const w of device.mmio ?? []) {
      const cells = mappedBy(w.phys);
      // A device one cell takes is that cell's; one the root keeps using (a shared console) stays the root's.
      const claim = device.shared || cells.length !== 1 ? { owner: 'root', what: `device ${name}${cells.length ? ` (shared with ${cells.join(', ')})` : ''}` } : { owner: cells[0]!, what: `device ${name}` };
      claims.push({ start: w.phys, end: w.phys + w.size, ...claim });
    }
  }
  for (const w of machine.board?.windows ?? []) claims.push({ start: w.base, end: w.base + w.size, owner: /^GIC/.test(w.what) ? 'hypervisor' : 'root', what: w.what });
  const platform = machine.system.platform;
  if (platform.pciIsVirtual) {
    claims.push({ start: platform.pciMmconfigBase, end: platform.pciMmconfigBase + (platform.pciMmconfigEndBus + 1) * MiB, owner: 'hypervisor', what: 'virtual PCI host' });
  }
  for (const m of root.memory.filter((r) => r.size > 0 && (r.flags & MEM.IO) !== 0)) claims.push({ start: m.phys, end: m.phys + m.size, owner: 'root', what: m.comment ?? 'MMIO' });
  return flatten(claims);
}

/** The RAM picture: hypervisor, each cell's RAM, IVSHMEM memory, root RAM (used by the root kernel or reserved and idle). */
export function memorySegments(machine: Machine): Segment[] {
  const hv = machine.system.hypervisorMemory;
  const root = machine.system.rootCell;
  const linkNames = new Map((machine.links ?? []).map((l) => [l.bdf, l.name]));
  const claims: Segment[] = [{ start: hv.phys, end: hv.phys + hv.size, owner: 'hypervisor', what: 'hypervisor' }];
  for (const d of root.pciDevices.filter((x) => x.type === PCI_TYPE.IVSHMEM)) {
    const what = `link ${linkNames.get(d.bdf) ?? bdfText(d.domain, d.bdf)}`;
    for (const m of deviceRegions(root, d)) {
      if (m.size > 0) claims.push({ start: m.phys, end: m.phys + m.size, owner: 'ivshmem', what });
    }
  }
  for (const cell of machine.cells) {
    const shm = ivshmemIndices(cell);
    cell.memory.forEach((m, i) => {
      if (occupiesRam(m) && !shm.has(i) && (m.flags & MEM.ROOTSHARED) === 0) claims.push({ start: m.phys, end: m.phys + m.size, owner: cell.name, what: m.comment ?? 'RAM' });
    });
  }
  const reserved = machine.reservation === 'devicetree' ? reservedRanges(machine) : reservedByCmdline(rootCmdline(machine), machine);
  const rootRam = root.memory.filter(isRootRam).map((m) => ({ start: m.phys, end: m.phys + m.size }));
  // The root's RAM the root kernel was told to leave alone, and none of the above took: reserved and idle.
  const idle = rootRam.flatMap((m) => reserved.map((r) => ({ start: Math.max(m.start, r.start), end: Math.min(m.end, r.end) })))
    .filter((r) => r.end > r.start).map((r) => ({ ...r, owner: 'free', what: 'reserved, unused' }));
  return flatten([...claims, ...idle, ...rootRam.map((m) => ({ ...m, owner: 'root', what: 'root kernel RAM' }))]);
}

export function planText(plan: Plan): string {
  const lines = [`machine ${plan.machine}: root cmdline "${plan.cmdline}"`, ''];
  const table = [['cell', 'how', 'CPUs', 'RAM', 'links (name#dev_id)', 'devices', 'IRQs', 'vpci_irq_base']];
  for (const row of plan.cells) {
    table.push([row.cell, row.how, row.cpus.join(',') || '-',
      row.how === 'root' ? '(all RAM not given away)' : row.ram.map((r) => `${hex(r.start)} ${size(r.size)}`).join(', '),
      row.links.join(' ') || '-', row.devices.join(' ') || '-', row.irqs.join(',') || '-', row.vpciIrqBase ? String(row.vpciIrqBase) : '-']);
  }
  lines.push(...columns(table), '');
  if (plan.links.length > 0) {
    lines.push(...columns([['link', 'kind', 'bdf', 'memory', 'peers (dev_id)'], ...plan.links.map((l) => [l.name, l.kind, l.bdf, `${hex(l.start)} ${size(l.size)}`, l.peers.join(' ')])]), '');
  }
  lines.push('memory map', ...memoryMapText(plan.segments));
  if (plan.devices.length > 0) lines.push('', 'device map', ...memoryMapText(plan.devices));
  return `${lines.join('\n')}\n`;
}

function columns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}

export function memoryMapText(segments: readonly Segment[]): string[] {
  const lines: string[] = [];
  let previousEnd: number | undefined;
  for (const s of segments) {
    if (previousEnd !== undefined && s.start !== previousEnd) lines.push(`  ${hex(previousEnd).padStart(12)} ┴`, '  ...');
    lines.push(`  ${hex(s.start).padStart(12)} ${previousEnd === s.start ? '┼' : '┬'}`, `  ${''.padStart(12)} │ ${s.owner === s.what ? s.owner : `${s.owner}: ${s.what}`} (${size(s.end - s.start)})`);
    previousEnd = s.end;
  }
  if (previousEnd !== undefined) lines.push(`  ${hex(previousEnd).padStart(12)} ┴`);
  return lines;
}

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#edc948', '#76b7b2', '#ff9da7', '#9c755f'];
const FIXED: Record<string, string> = { hypervisor: '#e15759', ivshmem: '#bab0ac', root: '#d4e6f1', free: '#f4f4f4' };
const xml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * Columns of addresses, lowest at the bottom: the memory map, and beside it the device map. Heights grow
 * with log2 of the size so 64 KiB and 1 GiB both show.
 */
export function memoryMapSvg(plan: Plan): string {
  const all = [...plan.segments, ...plan.devices];
  const owners = [...new Set(all.map((s) => s.owner))].filter((o) => !(o in FIXED));
  const color = (owner: string) => FIXED[owner] ?? PALETTE[owners.indexOf(owner) % PALETTE.length]!;
  const heightOf = (s: Segment) => Math.round(22 + 8 * Math.max(0, Math.log2((s.end - s.start) / 0x1000)));
  const columns = [{ title: 'memory', segments: plan.segments }, ...(plan.devices.length ? [{ title: 'devices', segments: plan.devices }] : [])];
  const total = Math.max(...columns.map((c) => c.segments.reduce((n, s) => n + heightOf(s), 0)));
  const parts: string[] = [];
  columns.forEach(({ title, segments }, k) => {
    const x = 120 + k * 660;
    let y = 60 + total;
    parts.push(`<text x="${x}" y="44" font-weight="bold">${title}</text>`);
    for (const s of segments) {
      const h = heightOf(s);
      y -= h;
      parts.push(`<rect x="${x}" y="${y}" width="200" height="${h}" fill="${color(s.owner)}" stroke="#333"/>`,
        `<text x="${x - 8}" y="${y + h}" text-anchor="end">${hex(s.start)}</text>`,
        `<text x="${x + 210}" y="${y + h / 2 + 4}">${xml(s.owner === s.what ? s.owner : `${s.owner}: ${s.what}`)} (${size(s.end - s.start)})</text>`);
    }
    const last = segments[segments.length - 1];
    if (last) parts.push(`<text x="${x - 8}" y="${y + 4}" text-anchor="end">${hex(last.end)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${120 + columns.length * 660}" height="${total + 80}" font-family="monospace" font-size="12">
<text x="10" y="20" font-weight="bold">${xml(plan.machine)}: ${xml(plan.cmdline)}</text>
${parts.join('\n')}
</svg>
`;
}

/** Cells whose RAM is not where the previous plan had it. */
export function movedSince(previous: Plan, current: Plan): string[] {
  const before = new Map(previous.cells.map((c) => [c.cell, c.ram.map((r) => `${hex(r.start)} ${size(r.size)}`).join(', ')]));
  return current.cells.flatMap((c) => {
    const was = before.get(c.cell);
    const now = c.ram.map((r) => `${hex(r.start)} ${size(r.size)}`).join(', ');
    return was !== undefined && was !== now && c.how !== 'root' ? [`${c.cell}: ${was} -> ${now}`] : [];
  });
}
