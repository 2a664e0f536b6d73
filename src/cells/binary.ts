/**
 * Encoder and decoder of Jailhouse's binary .cell format, config revision 14 (packed, little
 * endian; include/jailhouse/cell-config.h). encode gives, byte for byte, what Jailhouse's build
 * makes from the equivalent C (compile + objcopy -O binary).
 */
import { JhError } from '../errors.ts';
import {
  ARCH_CODES, CONFIG_REVISION, MAX_IOMMU_UNITS, type Arch, type Cell, type CellConfig, type Console,
  type IommuUnit, type MemoryRegion, type PciDevice, type SystemConfig,
} from './model.ts';

export const SIZES = {
  cellDesc: 132, systemHeader: 356, console: 32, memory: 32, cache: 12, irqchip: 32, pio: 4, pciDevice: 56,
  pciCap: 8, streamId: 4, iommu: 28,
} as const;
const SYSTEM_SIGNATURE = 'JHSYS';
const CELL_SIGNATURE = 'JHCLL';
/** Jailhouse v0.12 (config revision 12) wrote 6-byte signatures. */
const V012_SIGNATURES = ['JHSYST', 'JHCELL'] as const;
const ARCH_BY_CODE: Record<number, Arch> = { 0: 'x86', 1: 'arm', 2: 'arm64' };

/**
 * DataView wraps what does not fit (-4 becomes 0xfffffffffffffffc) and BigInt(0.5) throws: refuse
 * both. Machines are checked field by field at load; this guards callers of the library. A u32 may
 * be negative down to -2^31: JavaScript's | and << give bit 31 that way.
 */
function fits(at: number, v: number, bits: 8 | 16 | 32 | 64): number {
  const max = bits === 64 ? Number.MAX_SAFE_INTEGER : 2 ** bits - 1;
  if (!Number.isSafeInteger(v) || v > max || v < (bits === 32 ? -(2 ** 31) : 0)) {
    throw new JhError('E_CELL_RANGE', `${v} does not fit the u${bits} at byte ${at} of the .cell`, {
      hint: `give a whole number from 0 to ${bits === 64 ? '2^53 - 1' : `0x${max.toString(16)}`}` });
  }
  return v;
}

class Writer {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(at: number, v: number) { this.view.setUint8(at, fits(at, v, 8)); }
  u16(at: number, v: number) { this.view.setUint16(at, fits(at, v, 16), true); }
  u32(at: number, v: number) { this.view.setUint32(at, fits(at, v, 32) >>> 0, true); }
  u64(at: number, v: number) { this.view.setBigUint64(at, BigInt(fits(at, v, 64)), true); }
  ascii(at: number, text: string, max: number) {
    for (let i = 0; i < Math.min(text.length, max); i++) this.bytes[at + i] = text.charCodeAt(i) & 0xff;
  }
  result() { return this.bytes; }
}

class Reader {
  private readonly view: DataView;
  readonly bytes: Uint8Array;
  readonly source: string;
  constructor(bytes: Uint8Array, source: string) {
    this.bytes = bytes;
    this.source = source;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(end: number, what: string) {
    if (end > this.bytes.length) {
      throw new JhError('E_CELL_TRUNCATED', `${what} ends at byte ${end} but the file has ${this.bytes.length}`, {
        file: this.source, hint: `the file is cut short at byte ${this.bytes.length}, its counts are wrong, or it is not a revision 14 .cell; rebuild it` });
    }
  }
  u8(at: number) { return this.view.getUint8(at); }
  u16(at: number) { return this.view.getUint16(at, true); }
  u32(at: number) { return this.view.getUint32(at, true); }
  u64(at: number) {
    const v = this.view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new JhError('E_CELL_RANGE', `value 0x${v.toString(16)} at byte ${at} exceeds 2^53`, { file: this.source, hint: 'such values are not supported' });
    }
    return Number(v);
  }
  ascii(at: number, max: number) {
    let s = '';
    for (let i = 0; i < max && this.bytes[at + i] !== 0; i++) s += String.fromCharCode(this.bytes[at + i]!);
    return s;
  }
}

export function cellSize(cell: Cell): number {
  return SIZES.cellDesc + cell.cpuSetSize + cell.memory.length * SIZES.memory + cell.cacheRegions.length * SIZES.cache
    + cell.irqchips.length * SIZES.irqchip + cell.pio.length * SIZES.pio + cell.pciDevices.length * SIZES.pciDevice
    + cell.pciCaps.length * SIZES.pciCap + cell.streamIds.length * SIZES.streamId;
}

function writeConsole(w: Writer, at: number, c: Console) {
  w.u64(at, c.address); w.u32(at + 8, c.size); w.u16(at + 12, c.type); w.u16(at + 14, c.flags);
  w.u32(at + 16, c.divider); w.u32(at + 20, c.gateNr); w.u64(at + 24, c.clockReg);
}

function readConsole(r: Reader, at: number): Console {
  return { address: r.u64(at), size: r.u32(at + 8), type: r.u16(at + 12), flags: r.u16(at + 14), divider: r.u32(at + 16),
    gateNr: r.u32(at + 20), clockReg: r.u64(at + 24) };
}

function writeMemory(w: Writer, at: number, m: MemoryRegion) {
  w.u64(at, m.phys); w.u64(at + 8, m.virt); w.u64(at + 16, m.size); w.u64(at + 24, m.flags);
}

function readMemory(r: Reader, at: number): MemoryRegion {
  return { phys: r.u64(at), virt: r.u64(at + 8), size: r.u64(at + 16), flags: r.u64(at + 24) };
}

/** Writes a cell_desc and its arrays at `at`; `header` false leaves signature and revision zero (root cell). */
function writeCell(w: Writer, at: number, cell: Cell, arch: Arch, header: boolean): number {
  if (header) {
    w.ascii(at, CELL_SIGNATURE, 5); w.u8(at + 5, ARCH_CODES[arch]); w.u16(at + 6, CONFIG_REVISION);
  }
  w.ascii(at + 8, cell.name, 32);
  w.u32(at + 40, cell.id); w.u32(at + 44, cell.flags); w.u32(at + 48, cell.cpuSetSize);
  w.u32(at + 52, cell.memory.length); w.u32(at + 56, cell.cacheRegions.length); w.u32(at + 60, cell.irqchips.length);
  w.u32(at + 64, cell.pio.length); w.u32(at + 68, cell.pciDevices.length); w.u32(at + 72, cell.pciCaps.length);
  w.u32(at + 76, cell.streamIds.length); w.u32(at + 80, cell.vpciIrqBase); w.u64(at + 84, cell.cpuResetAddress);
  w.u64(at + 92, cell.msgReplyTimeout); writeConsole(w, at + 100, cell.console);
  let p = at + SIZES.cellDesc;
  for (const cpu of cell.cpus) {
    const byte = p + (cpu >> 3);
    if (cpu >= cell.cpuSetSize * 8) {
      throw new JhError('E_CELL_CPU_SET_SIZE', `cell "${cell.name}": CPU ${cpu} does not fit a ${cell.cpuSetSize}-byte CPU set`, {
        hint: 'raise cpuSetSize (bytes) or use fewer CPUs' });
    }
    w.u8(byte, (w.result()[byte]! | (1 << (cpu & 7))));
  }
  p += cell.cpuSetSize;
  for (const m of cell.memory) { writeMemory(w, p, m); p += SIZES.memory; }
  for (const c of cell.cacheRegions) { w.u32(p, c.start); w.u32(p + 4, c.size); w.u8(p + 8, c.type); w.u16(p + 10, c.flags); p += SIZES.cache; }
  for (const i of cell.irqchips) {
    w.u64(p, i.address); w.u32(p + 8, i.id); w.u32(p + 12, i.pinBase);
    i.pinBitmap.forEach((v, k) => w.u32(p + 16 + 4 * k, v));
    p += SIZES.irqchip;
  }
  for (const pio of cell.pio) { w.u16(p, pio.base); w.u16(p + 2, pio.length); p += SIZES.pio; }
  for (const d of cell.pciDevices) { writePci(w, p, d); p += SIZES.pciDevice; }
  for (const c of cell.pciCaps) { w.u16(p, c.id); w.u16(p + 2, c.start); w.u16(p + 4, c.len); w.u16(p + 6, c.flags); p += SIZES.pciCap; }
  for (const s of cell.streamIds) { w.u32(p, s); p += SIZES.streamId; }
  return p;
}

function writePci(w: Writer, p: number, d: PciDevice) {
  w.u8(p, d.type); w.u8(p + 1, d.iommu); w.u16(p + 2, d.domain); w.u16(p + 4, d.bdf);
  for (let k = 0; k < 6; k++) w.u32(p + 6 + 4 * k, d.barMask[k] ?? 0);
  w.u16(p + 30, d.capsStart); w.u16(p + 32, d.numCaps); w.u8(p + 34, d.numMsiVectors);
  w.u8(p + 35, (d.msi64Bits ? 1 : 0) | (d.msiMaskable ? 2 : 0));
  w.u16(p + 36, d.numMsixVectors); w.u16(p + 38, d.msixRegionSize); w.u64(p + 40, d.msixAddress);
  w.u32(p + 48, d.shmemRegionsStart); w.u8(p + 52, d.shmemDevId); w.u8(p + 53, d.shmemPeers); w.u16(p + 54, d.shmemProtocol);
}

function readPci(r: Reader, p: number): PciDevice {
  const bits = r.u8(p + 35);
  return {
    type: r.u8(p), iommu: r.u8(p + 1), domain: r.u16(p + 2), bdf: r.u16(p + 4),
    barMask: [0, 1, 2, 3, 4, 5].map((k) => r.u32(p + 6 + 4 * k)), capsStart: r.u16(p + 30), numCaps: r.u16(p + 32),
    numMsiVectors: r.u8(p + 34), msi64Bits: (bits & 1) !== 0, msiMaskable: (bits & 2) !== 0, numMsixVectors: r.u16(p + 36),
    msixRegionSize: r.u16(p + 38), msixAddress: r.u64(p + 40), shmemRegionsStart: r.u32(p + 48), shmemDevId: r.u8(p + 52),
    shmemPeers: r.u8(p + 53), shmemProtocol: r.u16(p + 54),
  };
}

function readCell(r: Reader, at: number): { cell: Cell; end: number } {
  r.need(at + SIZES.cellDesc, 'cell descriptor');
  const count = (off: number) => r.u32(at + off);
  const cpuSetSize = count(48);
  const cell0 = {
    name: r.ascii(at + 8, 32), id: count(40), flags: count(44), cpuSetSize, vpciIrqBase: count(80),
    cpuResetAddress: r.u64(at + 84), msgReplyTimeout: r.u64(at + 92), console: readConsole(r, at + 100),
  };
  const counts = { memory: count(52), cache: count(56), irqchips: count(60), pio: count(64), pci: count(68), caps: count(72), streams: count(76) };
  let p = at + SIZES.cellDesc;
  const end = p + cpuSetSize + counts.memory * SIZES.memory + counts.cache * SIZES.cache + counts.irqchips * SIZES.irqchip
    + counts.pio * SIZES.pio + counts.pci * SIZES.pciDevice + counts.caps * SIZES.pciCap + counts.streams * SIZES.streamId;
  // The counts come from the file: nothing is read or allocated before they are known to fit it.
  const named = { cpu_set_size: cpuSetSize, num_memory_regions: counts.memory, num_cache_regions: counts.cache, num_irqchips: counts.irqchips,
    num_pio_regions: counts.pio, num_pci_devices: counts.pci, num_pci_caps: counts.caps, num_stream_ids: counts.streams };
  r.need(end, `cell "${cell0.name}" (${Object.entries(named).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ')})`);
  const cpus: number[] = [];
  for (let bit = 0; bit < cpuSetSize * 8; bit++) if (r.u8(p + (bit >> 3)) & (1 << (bit & 7))) cpus.push(bit);
  p += cpuSetSize;
  const list = <T>(n: number, size: number, read: (q: number) => T): T[] => {
    const out: T[] = [];
    for (let k = 0; k < n; k++) { out.push(read(p)); p += size; }
    return out;
  };
  const memory = list(counts.memory, SIZES.memory, (q) => readMemory(r, q));
  const cacheRegions = list(counts.cache, SIZES.cache, (q) => ({ start: r.u32(q), size: r.u32(q + 4), type: r.u8(q + 8), flags: r.u16(q + 10) }));
  const irqchips = list(counts.irqchips, SIZES.irqchip, (q) => ({
    address: r.u64(q), id: r.u32(q + 8), pinBase: r.u32(q + 12),
    pinBitmap: [r.u32(q + 16), r.u32(q + 20), r.u32(q + 24), r.u32(q + 28)] as const,
  }));
  const pio = list(counts.pio, SIZES.pio, (q) => ({ base: r.u16(q), length: r.u16(q + 2) }));
  const pciDevices = list(counts.pci, SIZES.pciDevice, (q) => readPci(r, q));
  const pciCaps = list(counts.caps, SIZES.pciCap, (q) => ({ id: r.u16(q), start: r.u16(q + 2), len: r.u16(q + 4), flags: r.u16(q + 6) }));
  const streamIds = list(counts.streams, SIZES.streamId, (q) => r.u32(q));
  return { cell: { ...cell0, cpus, memory, cacheRegions, irqchips, pio, pciDevices, pciCaps, streamIds }, end: p };
}

export function encodeSystem(system: SystemConfig): Uint8Array {
  const w = new Writer(SIZES.systemHeader + cellSize(system.rootCell));
  w.ascii(0, SYSTEM_SIGNATURE, 5); w.u8(5, ARCH_CODES[system.arch]); w.u16(6, CONFIG_REVISION);
  w.u32(8, system.flags);
  writeMemory(w, 12, system.hypervisorMemory);
  writeConsole(w, 44, system.debugConsole);
  const pf = system.platform;
  w.u64(76, pf.pciMmconfigBase); w.u8(84, pf.pciMmconfigEndBus); w.u8(85, pf.pciIsVirtual); w.u16(86, pf.pciDomain);
  if (pf.iommuUnits.length > MAX_IOMMU_UNITS) {
    throw new JhError('E_CELL_IOMMU_COUNT', `${pf.iommuUnits.length} IOMMU units; the format holds ${MAX_IOMMU_UNITS}`, { hint: 'remove units' });
  }
  pf.iommuUnits.forEach((u, k) => writeIommu(w, 88 + k * SIZES.iommu, u));
  if (pf.x86) {
    w.u16(312, pf.x86.pmTimerAddress); w.u8(314, pf.x86.apicMode); w.u32(316, pf.x86.vtdInterruptLimit);
    w.u32(320, pf.x86.tscKhz); w.u32(324, pf.x86.apicKhz);
  }
  if (pf.arm) {
    w.u8(312, pf.arm.maintenanceIrq); w.u8(313, pf.arm.gicVersion); w.u64(316, pf.arm.gicdBase); w.u64(324, pf.arm.giccBase);
    w.u64(332, pf.arm.gichBase); w.u64(340, pf.arm.gicvBase); w.u64(348, pf.arm.gicrBase);
  }
  writeCell(w, SIZES.systemHeader, system.rootCell, system.arch, false);
  return w.result();
}

function writeIommu(w: Writer, at: number, u: IommuUnit) {
  w.u32(at, u.type); w.u64(at + 4, u.base); w.u32(at + 12, u.size);
  u.extra.forEach((b, k) => w.u8(at + 16 + k, b));
}

export function encodeCell(config: CellConfig): Uint8Array {
  const w = new Writer(cellSize(config.cell));
  writeCell(w, 0, config.cell, config.arch, true);
  return w.result();
}

export type DecodedCellFile = { kind: 'system'; system: SystemConfig } | { kind: 'cell'; config: CellConfig };

export function decodeCellFile(bytes: Uint8Array, source = '<bytes>'): DecodedCellFile {
  const r = new Reader(bytes, source);
  if (bytes.length === 0) throw new JhError('E_CELL_TRUNCATED', 'the file is empty', { file: source, hint: 'rebuild it' });
  // The magic first, on what there is: a short foreign file is not "truncated".
  const head = r.ascii(0, Math.min(6, bytes.length));
  if (![SYSTEM_SIGNATURE, CELL_SIGNATURE, ...V012_SIGNATURES].some((sig) => sig.startsWith(head.slice(0, sig.length)))) {
    throw new JhError('E_CELL_SIGNATURE', `not a Jailhouse config (it starts with "${head}", not ${SYSTEM_SIGNATURE} or ${CELL_SIGNATURE})`, { file: source,
      hint: 'pass a .cell built by Jailhouse or by jhbuild cells encode' });
  }
  r.need(8, 'the header (signature, architecture, revision)');
  const sig6 = r.ascii(0, 6);
  if ((V012_SIGNATURES as readonly string[]).includes(sig6)) {
    throw new JhError('E_CELL_REVISION', 'this is a Jailhouse v0.12 (revision 12) config', { file: source,
      hint: 'rebuild it with Jailhouse master (config revision 14)' });
  }
  const signature = r.ascii(0, 5);
  if (signature !== SYSTEM_SIGNATURE && signature !== CELL_SIGNATURE) {
    throw new JhError('E_CELL_SIGNATURE', `not a Jailhouse config (signature "${signature}")`, { file: source,
      hint: 'pass a .cell built by Jailhouse or by jhbuild cells encode' });
  }
  const arch = ARCH_BY_CODE[r.u8(5)];
  const revision = r.u16(6);
  if (!arch) throw new JhError('E_CELL_ARCH', `unknown architecture code ${r.u8(5)}`, { file: source, hint: 'x86 0, arm 1, arm64 2' });
  if (revision !== CONFIG_REVISION) {
    throw new JhError('E_CELL_REVISION', `config revision ${revision}, expected ${CONFIG_REVISION}`, { file: source,
      hint: 'rebuild it with the Jailhouse version jhbuild targets (master/next)' });
  }
  let end: number;
  let result: DecodedCellFile;
  if (signature === CELL_SIGNATURE) {
    const { cell, end: e } = readCell(r, 0);
    end = e;
    result = { kind: 'cell', config: { arch, cell } };
  } else {
    r.need(SIZES.systemHeader, 'system header');
    const iommuUnits: IommuUnit[] = [];
    for (let k = 0; k < MAX_IOMMU_UNITS; k++) {
      const at = 88 + k * SIZES.iommu;
      if (!bytes.subarray(at, at + SIZES.iommu).some((b) => b !== 0)) continue;
      iommuUnits.push({ type: r.u32(at), base: r.u64(at + 4), size: r.u32(at + 12), extra: [...bytes.subarray(at + 16, at + 28)] });
    }
    const { cell, end: e } = readCell(r, SIZES.systemHeader);
    end = e;
    const platform = {
      pciMmconfigBase: r.u64(76), pciMmconfigEndBus: r.u8(84), pciIsVirtual: r.u8(85), pciDomain: r.u16(86), iommuUnits,
      ...(arch === 'x86'
        ? { x86: { pmTimerAddress: r.u16(312), apicMode: r.u8(314), vtdInterruptLimit: r.u32(316), tscKhz: r.u32(320), apicKhz: r.u32(324) } }
        : { arm: { maintenanceIrq: r.u8(312), gicVersion: r.u8(313), gicdBase: r.u64(316), giccBase: r.u64(324), gichBase: r.u64(332),
          gicvBase: r.u64(340), gicrBase: r.u64(348) } }),
    };
    result = { kind: 'system', system: { arch, flags: r.u32(8), hypervisorMemory: readMemory(r, 12), debugConsole: readConsole(r, 44), platform, rootCell: cell } };
  }
  if (end !== bytes.length) {
    throw new JhError('E_CELL_TRAILING', `${bytes.length - end} bytes after the config's end (byte ${end})`, { file: source,
      hint: 'the counts in the descriptor disagree with the file; rebuild it' });
  }
  return result;
}
