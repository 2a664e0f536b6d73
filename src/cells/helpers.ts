/** Short ways to write the common parts of a cell config: RAM, MMIO, IVSHMEM links, consoles, GIC. */
import { JhError } from '../errors.ts';
import {
  CON_FLAGS, CON_TYPE, IVSHMEM_BAR_MASK_INTX, IVSHMEM_BAR_MASK_MSIX, MEM, NO_CONSOLE, PCI_TYPE, SHMEM_PROTO,
  type Cell, type Console, type Irqchip, type MemoryRegion, type PciDevice,
} from './model.ts';

const SHORT: Record<string, keyof typeof MEM> = { R: 'READ', W: 'WRITE', X: 'EXECUTE' };

/** Memory a region takes from the machine's RAM (not empty, not I/O, not the communication region). */
export const occupiesRam = (m: MemoryRegion) => m.size > 0 && (m.flags & (MEM.IO | MEM.COMM_REGION)) === 0;

/** The regions an IVSHMEM device of `cell` uses: state table, read/write section, one output per peer. */
export const deviceRegions = (cell: Pick<Cell, 'memory'>, d: PciDevice) => cell.memory.slice(d.shmemRegionsStart, d.shmemRegionsStart + 2 + d.shmemPeers);

/** The interrupt numbers the irqchips' bitmaps give. */
export function irqsOf(irqchips: readonly Irqchip[]): number[] {
  return irqchips.flatMap((chip) => chip.pinBitmap.flatMap((word, w) =>
    Array.from({ length: 32 }, (_, b) => b).filter((b) => (word >>> b) & 1).map((b) => chip.pinBase + w * 32 + b)));
}

/** Memory flags from names: "R W X LOADABLE", "R W IO ROOTSHARED". */
export function memFlags(names: string): number {
  return names.split(/\s+/).filter(Boolean).reduce((acc, name) => {
    const key = (SHORT[name] ?? name) as keyof typeof MEM;
    if (!(key in MEM)) throw new JhError('E_MACHINE_FIELD', `unknown memory flag "${name}" in "${names}"`, { hint: `use ${Object.keys(MEM).join(' ')} or R W X` });
    return acc | MEM[key];
  }, 0);
}

export interface MemOptions { readonly virt?: number; readonly comment?: string }

/** A memory region, identity-mapped unless virt is given. */
export function mem(phys: number, size: number, flags: string | number, options: MemOptions = {}): MemoryRegion {
  return { phys, virt: options.virt ?? phys, size, flags: typeof flags === 'number' ? flags : memFlags(flags), ...(options.comment ? { comment: options.comment } : {}) };
}

export const ram = (phys: number, size: number, options: MemOptions & { loadable?: boolean; dma?: boolean } = {}) =>
  mem(phys, size, `R W X${options.loadable ? ' LOADABLE' : ''}${options.dma ? ' DMA' : ''}`, { comment: 'RAM', ...options });

export const mmio = (phys: number, size: number, comment = 'MMIO', extra = '') => mem(phys, size, `R W IO ${extra}`.trim(), { comment });

/** The communication region every non-root cell maps (upstream at 0x80000000 on ARM). */
export const commRegion = (virt = 0x80000000): MemoryRegion =>
  mem(0, 0x1000, 'R W COMM_REGION', { virt, comment: 'communication region' });

/**
 * The shared memory of a multi-peer IVSHMEM device (upstream's "demo" layout): a read-only state
 * table, a read-write section, then one output section per peer, writable only by its owner.
 */
export function ivshmemSharedRegions(start: number, devId: number, options: { peers: number; rwSize?: number; outSize?: number; rootShared: boolean }): MemoryRegion[] {
  const rs = options.rootShared ? ' ROOTSHARED' : '';
  const rwSize = options.rwSize ?? 0x9000;
  const outSize = options.outSize ?? 0x2000;
  const regions = [mem(start, 0x1000, `R${rs}`, { comment: 'IVSHMEM state table' }), mem(start + 0x1000, rwSize, `R W${rs}`, { comment: 'IVSHMEM read/write section' })];
  for (let peer = 0; peer < options.peers; peer++) {
    const at = start + 0x1000 + rwSize + peer * outSize;
    regions.push(mem(at, outSize, `R${peer === devId ? ' W' : ''}${rs}`, { comment: `IVSHMEM output of peer ${peer}` }));
  }
  return regions;
}

/** JAILHOUSE_SHMEM_NET_REGIONS(start, dev_id): state, an empty placeholder, two 0x7f000 output regions. */
export function ivshmemNetRegions(start: number, devId: number): MemoryRegion[] {
  return [
    mem(start, 0x1000, 'R ROOTSHARED', { comment: 'IVSHMEM-net state table' }),
    { phys: 0, virt: 0, size: 0, flags: 0, comment: 'IVSHMEM-net (unused read/write section)' },
    mem(start + 0x1000, 0x7f000, `R ROOTSHARED${devId === 0 ? ' W' : ''}`, { comment: 'IVSHMEM-net output of peer 0' }),
    mem(start + 0x80000, 0x7f000, `R ROOTSHARED${devId === 1 ? ' W' : ''}`, { comment: 'IVSHMEM-net output of peer 1' }),
  ];
}

export const bdf = (bus: number, device: number, fn = 0) => (bus << 8) | (device << 3) | fn;

export function ivshmemDevice(options: { domain: number; bdf: number; regionsStart: number; devId: number; peers: number;
  protocol?: keyof typeof SHMEM_PROTO; msix?: number; comment?: string }): PciDevice {
  return {
    type: PCI_TYPE.IVSHMEM, iommu: 0, domain: options.domain, bdf: options.bdf,
    barMask: [...(options.msix ? IVSHMEM_BAR_MASK_MSIX : IVSHMEM_BAR_MASK_INTX)], capsStart: 0, numCaps: 0, numMsiVectors: 0,
    msi64Bits: false, msiMaskable: false, numMsixVectors: options.msix ?? 0, msixRegionSize: 0, msixAddress: 0,
    shmemRegionsStart: options.regionsStart, shmemDevId: options.devId, shmemPeers: options.peers,
    shmemProtocol: SHMEM_PROTO[options.protocol ?? 'UNDEFINED'], ...(options.comment ? { comment: options.comment } : {}),
  };
}

export function pciDevice(fields: Partial<PciDevice> & Pick<PciDevice, 'type' | 'bdf'>): PciDevice {
  return { iommu: 0, domain: 0, barMask: [0, 0, 0, 0, 0, 0], capsStart: 0, numCaps: 0, numMsiVectors: 0, msi64Bits: false,
    msiMaskable: false, numMsixVectors: 0, msixRegionSize: 0, msixAddress: 0, shmemRegionsStart: 0, shmemDevId: 0,
    shmemPeers: 0, shmemProtocol: 0, ...fields };
}

type ConsoleFields = Partial<Omit<Console, 'address' | 'type'>>;
const consoleOf = (type: number, address: number, fields: ConsoleFields): Console => ({ ...NO_CONSOLE, type, address, ...fields });

export const consoles = {
  pl011: (address: number, fields: ConsoleFields = {}) => consoleOf(CON_TYPE.PL011, address, { flags: CON_FLAGS.MMIO | CON_FLAGS.REGDIST_4, ...fields }),
  uart8250Mmio: (address: number, fields: ConsoleFields = {}) => consoleOf(CON_TYPE['8250'], address, { flags: CON_FLAGS.MMIO | CON_FLAGS.REGDIST_4, ...fields }),
  uart8250Pio: (port: number, fields: ConsoleFields = {}) => consoleOf(CON_TYPE['8250'], port, { size: 8, flags: 0, ...fields }),
  imx: (address: number, fields: ConsoleFields = {}) => consoleOf(CON_TYPE.IMX, address, { flags: CON_FLAGS.MMIO | CON_FLAGS.REGDIST_4, ...fields }),
  none: NO_CONSOLE,
};

/** A GIC irqchip entry: pins from pinBase, bitmap of the SPIs the cell owns. */
export function gic(address: number, pins: readonly [number, number, number, number], pinBase = 32): Irqchip {
  return { address, id: 0, pinBase, pinBitmap: pins };
}

/** The bitmap word set for the given interrupt numbers (each within [base, base + 128)). */
export function irqBitmap(base: number, irqs: readonly number[]): [number, number, number, number] {
  const words: [number, number, number, number] = [0, 0, 0, 0];
  for (const irq of irqs) words[(irq - base) >> 5] = (words[(irq - base) >> 5]! | (1 << ((irq - base) & 31))) >>> 0;
  return words;
}

export type CellFields = Partial<Omit<Cell, 'name'>> & Pick<Cell, 'name'>;

/** A cell with every list empty and every number zero unless given; CPU bitmaps are 8 bytes like upstream. */
export function cellDefaults<T extends CellFields>(fields: T): Omit<Cell, keyof T> & T {
  return {
    id: 0, flags: 0, cpuSetSize: 8, cpus: [], memory: [], cacheRegions: [], irqchips: [], pio: [], pciDevices: [], pciCaps: [],
    streamIds: [], vpciIrqBase: 0, cpuResetAddress: 0, msgReplyTimeout: 0, console: NO_CONSOLE, ...fields,
  } as Omit<Cell, keyof T> & T;
}
