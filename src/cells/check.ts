/**
 * Checks a system config and its cells before anything boots: everything upstream's
 * jailhouse-config-check looks at, plus what nothing checks today (cross-cell overlaps, CPU sets,
 * IVSHMEM peers, PCI caps ranges, consoles, alignment, names, loadable regions, the root kernel's
 * reservation). Pure: every finding has a stable code, names the cell and region, and says the fix.
 */
import { hex } from './describe.ts';
import { checkHypervisorRefusals } from './check-hypervisor.ts';
import { vpciWindow } from './vpci.ts';
import { irqsOf, occupiesRam } from './helpers.ts';
import { CELL_NAME_MAX, CON_FLAGS, CON_TYPE, MEM, PCI_TYPE, type Cell, type CellConfig, type MemoryRegion, type SystemConfig } from './model.ts';

export interface Finding {
  readonly code: string;
  readonly cell: string;
  readonly region?: number;
  readonly range?: readonly [number, number];
  readonly message: string;
  readonly hint: string;
}

export interface Range { readonly start: number; readonly end: number; readonly what: string }

export interface CheckOptions {
  /** Memory the root kernel is told to leave alone (from mem=/memmap= or device-tree reservations). */
  readonly reserved?: readonly Range[];
  /** Where the reservation came from, for messages ("cmdline mem=768M"). */
  readonly reservedFrom?: string;
  /** CPUs the machine has. */
  readonly cpuCount?: number;
  /** Address windows the board's device tree claims (interrupt controllers, buses, devices): no virtual device may sit there. */
  readonly boardWindows?: readonly Range[];
  /** RAM banks of the machine: a virtual PCI window there must be reserved from the root kernel. */
  readonly ram?: readonly { base: number; size: number }[];
}

const PAGE = 0x1000;
const overlaps = (a0: number, a1: number, b0: number, b1: number) => a0 < b1 && b0 < a1;
const isComm = (m: MemoryRegion) => (m.flags & MEM.COMM_REGION) !== 0;
const isEmpty = (m: MemoryRegion) => m.size === 0;
const isIo = (m: MemoryRegion) => (m.flags & MEM.IO) !== 0;
/** A non-root cell's own memory: RAM it takes from the root (not shared, not I/O, not the comm region). */
const isPrivateRam = (m: MemoryRegion) => occupiesRam(m) && (m.flags & MEM.ROOTSHARED) === 0;

export function checkConfigs(system: SystemConfig, cells: readonly CellConfig[], options: CheckOptions = {}): Finding[] {
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);
  const root = system.rootCell;
  const all: Cell[] = [root, ...cells.map((c) => c.cell)];
  const at = (m: MemoryRegion): [number, number] => [m.phys, m.phys + m.size];

  for (const c of cells) {
    if (c.arch !== system.arch) {
      add({ code: 'E_CELL_ARCH', cell: c.cell.name, message: `cell is for ${c.arch}, the system is ${system.arch}`,
        hint: `build the cell config for ${system.arch}` });
    }
  }

  // Names.
  const seen = new Set<string>();
  for (const cell of all) {
    if (cell.name.length === 0) add({ code: 'E_CELL_NAME_EMPTY', cell: '(unnamed)', message: 'the cell has no name', hint: 'give every cell a name' });
    if (cell.name.length > CELL_NAME_MAX) {
      add({ code: 'E_CELL_NAME_LENGTH', cell: cell.name, message: `name is ${cell.name.length} characters; Jailhouse keeps ${CELL_NAME_MAX}`,
        hint: `shorten it to at most ${CELL_NAME_MAX} characters` });
    }
    if (seen.has(cell.name)) add({ code: 'E_CELL_NAME_DUPLICATE', cell: cell.name, message: 'two cells have this name; the hypervisor refuses the second', hint: 'rename one of them' });
    seen.add(cell.name);
  }

  // Regions of each cell: alignment, overlaps inside the cell, overlaps with what the hypervisor owns.
  const hv = system.hypervisorMemory;
  const pf = system.platform;
  const owned: Range[] = [{ start: hv.phys, end: hv.phys + hv.size, what: 'hypervisor memory' }];
  // A virtual PCI host's BARs are emulated too: the whole window must trap.
  const vpci = vpciWindow(system);
  if (pf.pciMmconfigBase) owned.push({ start: pf.pciMmconfigBase, end: vpci?.end ?? pf.pciMmconfigBase + (pf.pciMmconfigEndBus + 1) * 256 * 4096, what: 'PCI MMCONFIG' });
  pf.iommuUnits.forEach((u, i) => owned.push({ start: u.base, end: u.base + u.size, what: `IOMMU unit ${i}` }));
  if (pf.arm) {
    const cpuCount = Math.max(root.cpus.length, options.cpuCount ?? 0);
    const v3 = pf.arm.gicVersion === 3;
    if (pf.arm.gicdBase) owned.push({ start: pf.arm.gicdBase, end: pf.arm.gicdBase + (v3 ? 0x10000 : 0x1000), what: 'GIC distributor' });
    if (v3 && pf.arm.gicrBase) owned.push({ start: pf.arm.gicrBase, end: pf.arm.gicrBase + 0x20000 * cpuCount, what: 'GIC redistributors' });
    if (!v3) {
      for (const [name, base] of [['GIC CPU interface', pf.arm.giccBase], ['GIC hypervisor interface', pf.arm.gichBase], ['GIC virtual CPU interface', pf.arm.gicvBase]] as const) {
        if (base) owned.push({ start: base, end: base + 0x2000, what: name });
      }
    }
  }
  if (pf.x86) owned.push({ start: 0xfee00000, end: 0xfee01000, what: 'xAPIC' });

  for (const cell of all) {
    cell.memory.forEach((m, i) => {
      if (isEmpty(m)) return;
      const range = at(m);
      if (!isIo(m) && ((m.phys | m.virt | m.size) & (PAGE - 1)) !== 0) {
        add({ code: 'E_CELL_ALIGN', cell: cell.name, region: i, range, message: `region ${i} (${hex(m.phys)}, size ${hex(m.size)}, virt ${hex(m.virt)}) is not 4 KiB aligned`,
          hint: 'align start, virtual start and size to 0x1000 (only MMIO regions may be sub-page)' });
      }
      for (const o of owned) {
        if (!isComm(m) && overlaps(range[0], range[1], o.start, o.end)) {
          add({ code: o.what === 'hypervisor memory' ? 'E_CELL_HYPERVISOR_OVERLAP' : o.what === 'PCI MMCONFIG' ? 'E_CELL_MMCONFIG_OVERLAP'
            : o.what.startsWith('IOMMU') ? 'E_CELL_IOMMU_OVERLAP' : 'E_CELL_IRQCHIP_OVERLAP',
          cell: cell.name, region: i, range, message: `region ${i} [${hex(range[0])}, ${hex(range[1])}) overlaps the ${o.what} [${hex(o.start)}, ${hex(o.end)})`,
          hint: `shrink or move region ${i}; the ${o.what} belongs to the hypervisor` });
        }
      }
      for (let j = 0; j < i; j++) {
        const n = cell.memory[j]!;
        if (isEmpty(n)) continue;
        const physClash = !isComm(m) && !isComm(n) && overlaps(m.phys, m.phys + m.size, n.phys, n.phys + n.size);
        const virtClash = overlaps(m.virt, m.virt + m.size, n.virt, n.virt + n.size);
        if (physClash || virtClash) {
          add({ code: 'E_CELL_REGION_OVERLAP', cell: cell.name, region: i, range,
            message: `region ${i} overlaps region ${j} (${physClash ? 'physical' : 'virtual'} [${hex(physClash ? n.phys : n.virt)}, ${hex((physClash ? n.phys : n.virt) + n.size)}))`,
            hint: `make regions ${j} and ${i} disjoint or merge them` });
        }
      }
    });
    // PCI capabilities and IVSHMEM region references.
    cell.pciDevices.forEach((d, i) => {
      if (d.numCaps > 0 && d.capsStart + d.numCaps > cell.pciCaps.length) {
        add({ code: 'E_PCI_CAPS_RANGE', cell: cell.name, message: `PCI device ${i} (bdf ${hex(d.bdf)}) uses caps ${d.capsStart}..${d.capsStart + d.numCaps - 1}, the cell has ${cell.pciCaps.length}`,
          hint: 'fix caps_start/num_caps or add the missing capabilities' });
      }
      if (d.type === PCI_TYPE.IVSHMEM) {
        const needed = d.shmemProtocol === 1 ? 4 : 2 + d.shmemPeers;
        if (d.shmemRegionsStart + needed > cell.memory.length) {
          add({ code: 'E_IVSHMEM_REGIONS', cell: cell.name, message: `IVSHMEM device ${i} (bdf ${hex(d.bdf)}) needs ${needed} regions from index ${d.shmemRegionsStart}, the cell has ${cell.memory.length}`,
            hint: 'point shmem_regions_start at the device\'s state table region' });
        }
        if (d.shmemDevId >= d.shmemPeers) {
          add({ code: 'E_IVSHMEM_DEV_ID', cell: cell.name, message: `IVSHMEM device ${i} (bdf ${hex(d.bdf)}) has dev_id ${d.shmemDevId} but only ${d.shmemPeers} peers`,
            hint: 'dev_id must be below the peer count' });
        }
      }
    });
    // Console inside the cell's own regions.
    const con = cell === root ? undefined : cell.console;
    if (con && con.type !== CON_TYPE.NONE && con.type !== CON_TYPE.EFIFB) {
      const mmioConsole = (con.flags & CON_FLAGS.MMIO) !== 0;
      const inside = mmioConsole ? cell.memory.some((m) => m.size > 0 && con.address >= m.phys && con.address < m.phys + m.size)
        : cell.pio.some((p) => con.address >= p.base && con.address < p.base + p.length);
      if (!inside) {
        add({ code: 'E_CELL_CONSOLE_OUTSIDE', cell: cell.name, range: [con.address, con.address + Math.max(con.size, 1)],
          message: `console at ${hex(con.address)} is outside the cell's ${mmioConsole ? 'memory' : 'PIO'} regions`,
          hint: `add a region that covers ${hex(con.address)} (e.g. the UART, ROOTSHARED) or drop the console` });
      }
    }
  }

  // Non-root cells.
  const rootCpus = new Set(root.cpus);
  const cpuOwner = new Map<number, string>();
  for (const { cell } of cells) {
    if (cell.cpus.length === 0) add({ code: 'E_CELL_CPU_EMPTY', cell: cell.name, message: 'the cell has no CPU', hint: 'give it at least one CPU' });
    for (const cpu of cell.cpus) {
      if (options.cpuCount !== undefined && cpu >= options.cpuCount) {
        add({ code: 'E_CELL_CPU_RANGE', cell: cell.name, message: `CPU ${cpu} does not exist; the machine has ${options.cpuCount}`, hint: 'ask for fewer CPUs or raise the machine\'s cpus' });
      } else if (!rootCpus.has(cpu)) {
        add({ code: 'E_CELL_CPU_NOT_IN_ROOT', cell: cell.name, message: `CPU ${cpu} is not in the root cell's set (${root.cpus.join(',')})`, hint: 'non-root cells can only take CPUs from the root cell' });
      }
      const other = cpuOwner.get(cpu);
      if (other !== undefined) add({ code: 'E_CELL_CPU_SHARED', cell: cell.name, message: `CPU ${cpu} is also given to cell "${other}"`, hint: 'give each CPU to one non-root cell' });
      cpuOwner.set(cpu, cell.name);
    }
    if (!cell.memory.some((m) => (m.flags & MEM.LOADABLE) !== 0 && m.size > 0)) {
      add({ code: 'E_CELL_NO_LOADABLE', cell: cell.name, message: 'no region is LOADABLE: `jailhouse cell load` has nowhere to put the image',
        hint: 'mark the cell\'s RAM (where the inmate starts) with LOADABLE' });
    }
  }
  // Loading goes through the root: the hypervisor gives LOADABLE regions back to the root only
  // where the root's own config maps them (remap_to_root_cell), so anything else faults the root.
  const rootRam = root.memory.filter(occupiesRam);
  for (const { cell } of cells) {
    cell.memory.forEach((m, i) => {
      if ((m.flags & MEM.LOADABLE) === 0 || m.size === 0) return;
      let covered = m.phys;
      for (const r of [...rootRam].sort((x, y) => x.phys - y.phys)) if (r.phys <= covered && r.phys + r.size > covered) covered = r.phys + r.size;
      if (covered < m.phys + m.size) {
        add({ code: 'E_CELL_LOADABLE_NOT_IN_ROOT', cell: cell.name, region: i, range: at(m),
          message: `LOADABLE region ${i} [${hex(m.phys)}, ${hex(m.phys + m.size)}) is not in the root cell's memory from ${hex(covered)}; \`jailhouse cell load\` would fault the root`,
          hint: 'place the cell\'s RAM inside the root cell\'s RAM regions (board.cellRam), or extend the root\'s RAM region over it' });
      }
    });
  }
  // Interrupts: creating a cell takes its interrupts from the root; a second cell silently takes them from the first.
  const irqOwner = new Map<number, string>();
  for (const { cell } of cells) {
    for (const irq of irqsOf(cell.irqchips)) {
      const other = irqOwner.get(irq);
      if (other !== undefined && other !== cell.name) {
        add({ code: 'E_CELL_IRQ_SHARED', cell: cell.name, message: `interrupt ${irq} is also given to cell "${other}"; whichever starts last takes it`,
          hint: 'give each interrupt to one non-root cell (a console needs none)' });
      }
      irqOwner.set(irq, cell.name);
    }
  }
  if (root.cpus.length > 0 && root.cpus.every((cpu) => cpuOwner.has(cpu))) {
    add({ code: 'E_CELL_ROOT_NO_CPU', cell: root.name, message: 'the non-root cells take every CPU of the root cell', hint: 'leave at least one CPU (CPU 0) to the root cell' });
  }

  // Private memory of different non-root cells.
  for (let a = 0; a < cells.length; a++) {
    for (let b = 0; b < a; b++) {
      const A = cells[a]!.cell;
      const B = cells[b]!.cell;
      A.memory.forEach((m, i) => {
        if (!isPrivateRam(m)) return;
        B.memory.forEach((n, j) => {
          if (isPrivateRam(n) && overlaps(m.phys, m.phys + m.size, n.phys, n.phys + n.size)) {
            add({ code: 'E_CELL_OVERLAP', cell: A.name, region: i, range: at(m),
              message: `region ${i} [${hex(m.phys)}, ${hex(m.phys + m.size)}) overlaps region ${j} of cell "${B.name}" [${hex(n.phys)}, ${hex(n.phys + n.size)})`,
              hint: 'give each cell its own RAM, or share it explicitly (ROOTSHARED / IVSHMEM)' });
          }
        });
      });
    }
  }

  if (vpci) checkVpciWindow(system, vpci, options, add);
  checkIvshmemPeers(all, add);
  checkHypervisorRefusals(system, cells, add);

  if (options.reserved) {
    const uses: { cell: string; index: number; m: MemoryRegion }[] = [
      { cell: '(hypervisor)', index: -1, m: hv },
      ...cells.flatMap(({ cell }) => cell.memory.map((m, index) => ({ cell: cell.name, index, m })).filter((u) => occupiesRam(u.m))),
    ];
    for (const u of uses) {
      const [s, e] = [u.m.phys, u.m.phys + u.m.size];
      let covered = s;
      for (const r of [...options.reserved].sort((x, y) => x.start - y.start)) if (r.start <= covered && r.end > covered) covered = r.end;
      if (covered < e) {
        add({ code: 'E_CELL_NOT_RESERVED', cell: u.cell, ...(u.index >= 0 ? { region: u.index } : {}), range: [s, e],
          message: `${u.index >= 0 ? `region ${u.index}` : 'hypervisor memory'} [${hex(s)}, ${hex(e)}) is not reserved from the root kernel (${options.reservedFrom ?? 'no reservation'}); Linux would use it as RAM`,
          hint: 'reserve it on the root cmdline (mem=/memmap=) or in the device tree (reserved-memory, no-map)' });
      }
    }
  }
  return findings;
}

function checkIvshmemPeers(cells: readonly Cell[], add: (f: Finding) => void): void {
  type End = { cell: Cell; index: number; regions: MemoryRegion[]; peers: number; protocol: number; devId: number };
  const byBdf = new Map<number, End[]>();
  for (const cell of cells) {
    cell.pciDevices.forEach((d, index) => {
      if (d.type !== PCI_TYPE.IVSHMEM) return;
      const count = d.shmemProtocol === 1 ? 4 : 2 + d.shmemPeers;
      const regions = cell.memory.slice(d.shmemRegionsStart, d.shmemRegionsStart + count);
      byBdf.set(d.bdf, [...(byBdf.get(d.bdf) ?? []), { cell, index, regions, peers: d.shmemPeers, protocol: d.shmemProtocol, devId: d.shmemDevId }]);
    });
  }
  for (const [bdf, ends] of byBdf) {
    const first = ends[0]!;
    const where = (e: End) => `"${e.cell.name}" (PCI device ${e.index})`;
    const layout = (e: End) => e.regions.filter((m) => m.size > 0).map((m) => `${hex(m.phys)}+${hex(m.size)}`).join(',');
    const ids = new Map<number, End>();
    for (const e of ends) {
      const base = { cell: e.cell.name, hint: `make every endpoint of IVSHMEM bdf ${hex(bdf)} agree with ${where(first)}` };
      if (e.peers !== first.peers) add({ ...base, code: 'E_IVSHMEM_PEER_COUNT', message: `IVSHMEM bdf ${hex(bdf)}: ${where(e)} has ${e.peers} peers, ${where(first)} has ${first.peers}` });
      if (!protocolsPair(e.protocol, first.protocol)) add({ ...base, code: 'E_IVSHMEM_PROTOCOL', message: `IVSHMEM bdf ${hex(bdf)}: ${where(e)} speaks protocol ${hex(e.protocol)}, ${where(first)} ${hex(first.protocol)}` });
      if (e.peers === first.peers && layout(e) !== layout(first)) add({ ...base, code: 'E_IVSHMEM_LAYOUT', message: `IVSHMEM bdf ${hex(bdf)}: ${where(e)} maps regions ${layout(e)}, ${where(first)} maps ${layout(first)}` });
      const dup = ids.get(e.devId);
      if (dup) add({ ...base, code: 'E_IVSHMEM_DEV_ID', message: `IVSHMEM bdf ${hex(bdf)}: ${where(e)} and ${where(dup)} both use dev_id ${e.devId}`, hint: 'give each peer its own dev_id (0 is the root cell)' });
      ids.set(e.devId, e);
    }
  }
}

/** Equal protocols match, and so do a virtio front-end and back-end of the same device type. */
function protocolsPair(a: number, b: number): boolean {
  if (a === b) return true;
  const kinds = new Set([a & 0xc000, b & 0xc000]);
  return (a & 0x3fff) === (b & 0x3fff) && kinds.has(0x8000) && kinds.has(0xc000);
}

export function formatFinding(f: Finding): string {
  const place = [f.cell && `cell "${f.cell}"`, f.region !== undefined && `region ${f.region}`, f.range && `[${hex(f.range[0])}, ${hex(f.range[1])})`].filter(Boolean).join(', ');
  return `${f.code}: ${place}: ${f.message}\n  fix: ${f.hint}`;
}

/** The root kernel must see nothing at the virtual PCI host's window, or its probe fails with a resource collision. */
function checkVpciWindow(system: SystemConfig, vpci: { start: number; end: number }, options: CheckOptions, add: (f: Finding) => void): void {
  const arm = system.platform.arm;
  const claims: Range[] = [...(options.boardWindows ?? [])];
  if (arm?.gicdBase) claims.push({ start: arm.gicdBase, end: arm.gicdBase + (arm.gicVersion === 3 ? 0x10000 : 0x1000), what: 'GIC distributor' });
  const base = { cell: system.rootCell.name, range: [vpci.start, vpci.end] as const,
    hint: 'move platform.pciMmconfigBase to a hole of the board\'s memory map (see board.windows) that the root cell does not map' };
  for (const c of claims) {
    if (overlaps(vpci.start, vpci.end, c.start, c.end)) {
      add({ ...base, code: 'E_VPCI_WINDOW', message: `the virtual PCI window [${hex(vpci.start)}, ${hex(vpci.end)}) overlaps ${c.what} [${hex(c.start)}, ${hex(c.end)}); root Linux refuses the host (resource collision)` });
    }
  }
  const inRam = (options.ram ?? []).some((b) => overlaps(vpci.start, vpci.end, b.base, b.base + b.size));
  const reserved = (options.reserved ?? []).some((r) => r.start <= vpci.start && vpci.end <= r.end);
  if (inRam && options.reserved && !reserved) {
    add({ ...base, code: 'E_VPCI_WINDOW', message: `the virtual PCI window [${hex(vpci.start)}, ${hex(vpci.end)}) lies in RAM the root kernel uses (${options.reservedFrom ?? 'no reservation'})`,
      hint: 'reserve it from the root kernel, or move platform.pciMmconfigBase out of RAM' });
  }
}
