/**
 * Load-time checks of the cell configs a machine writes with addresses: every number fits its
 * .cell field (widths from include/jailhouse/cell-config.h, as binary.ts writes them), addresses
 * and sizes are whole bytes whose ranges end below 2^53, and what the hypervisor maps as pages
 * (its own memory, RAM) is 4 KiB aligned. Each error names the file, the field path and the fix.
 */
import type { Checker, UintBits } from '../checker.ts';
import { MAX_IOMMU_UNITS, MEM } from './model.ts';

type Widths = Readonly<Record<string, UintBits>>;

const CONSOLE: Widths = { address: 64, size: 32, type: 16, flags: 16, divider: 32, gateNr: 32, clockReg: 64 };
const CELL: Widths = { id: 32, flags: 32, cpuSetSize: 32, vpciIrqBase: 32, cpuResetAddress: 64, msgReplyTimeout: 64 };
const CACHE: Widths = { start: 32, size: 32, type: 8, flags: 16 };
const IRQCHIP: Widths = { address: 64, id: 32, pinBase: 32 };
const PIO: Widths = { base: 16, length: 16 };
const PCI_DEVICE: Widths = {
  type: 8, iommu: 8, domain: 16, bdf: 16, capsStart: 16, numCaps: 16, numMsiVectors: 8, numMsixVectors: 16,
  msixRegionSize: 16, msixAddress: 64, shmemRegionsStart: 32, shmemDevId: 8, shmemPeers: 8, shmemProtocol: 16,
};
const PCI_CAP: Widths = { id: 16, start: 16, len: 16, flags: 16 };
const PLATFORM: Widths = { pciMmconfigBase: 64, pciMmconfigEndBus: 8, pciIsVirtual: 8, pciDomain: 16 };
const IOMMU: Widths = { type: 32, base: 64, size: 32 };
const X86: Widths = { pmTimerAddress: 16, apicMode: 8, vtdInterruptLimit: 32, tscKhz: 32, apicKhz: 32 };
const ARM: Widths = { maintenanceIrq: 8, gicVersion: 8, gicdBase: 64, giccBase: 64, gichBase: 64, gicvBase: 64, gicrBase: 64 };
const IOMMU_EXTRA_BYTES = 12;
/** A pci_device holds 6 BAR masks. */
const BAR_MASKS = 6;

function widths(check: Checker, value: unknown, field: string, table: Widths): Record<string, unknown> {
  const object = check.object(value, field);
  for (const [key, bits] of Object.entries(table)) check.uint(object[key], `${field}.${key}`, bits);
  return object;
}

/** A list the encoder walks: it must be there (cellDefaults gives the empty ones). */
function items(check: Checker, value: unknown, field: string, max = Number.MAX_SAFE_INTEGER): unknown[] {
  if (value === undefined) check.fail(field, 'missing', `give ${field}: [] (cellDefaults({...}) fills every list)`);
  return check.list(value, field, max);
}

export function validateConsole(check: Checker, value: unknown, field: string): void {
  widths(check, value, field, CONSOLE);
}

/**
 * A memory region: phys, virt, size and flags are u64. RAM must be whole pages (the hypervisor
 * maps a non-MMIO region as sub-page MMIO otherwise, control.c JAILHOUSE_MEMORY_IS_SUBPAGE); MMIO
 * may be sub-page. A size of 0 maps nothing: only upstream's all-zero placeholder may have it.
 */
export function validateRegion(check: Checker, value: unknown, field: string): void {
  const m = check.object(value, field);
  const flags = check.uint(m.flags, `${field}.flags`, 64);
  const page = (flags & MEM.IO) === 0;
  const size = check.bytes(m.size, `${field}.size`, { page });
  const phys = check.bytes(m.phys, `${field}.phys`, { page });
  const virt = check.bytes(m.virt, `${field}.virt`, { page });
  if (size === 0 && (phys !== 0 || virt !== 0 || flags !== 0)) {
    check.fail(`${field}.size`, '0 maps nothing', 'give the region its size, or make it the empty placeholder { phys: 0, virt: 0, size: 0, flags: 0 } an IVSHMEM device counts');
  }
  check.span(phys, size, `${field}.phys`);
  check.span(virt, size, `${field}.virt`);
}

/** A cell's descriptor and lists, as a machine writes it (its CPUs are checked with the machine's). */
export function validateCellConfig(check: Checker, value: unknown, field: string): void {
  const cell = widths(check, value, field, CELL);
  if (typeof cell.name !== 'string') check.fail(`${field}.name`, 'expected a string', `name the cell, e.g. name: 'inmate-demo'`);
  validateConsole(check, cell.console, `${field}.console`);
  items(check, cell.memory, `${field}.memory`).forEach((m, i) => validateRegion(check, m, `${field}.memory[${i}]`));
  items(check, cell.cacheRegions, `${field}.cacheRegions`).forEach((c, i) => widths(check, c, `${field}.cacheRegions[${i}]`, CACHE));
  items(check, cell.irqchips, `${field}.irqchips`).forEach((c, i) => {
    const chip = widths(check, c, `${field}.irqchips[${i}]`, IRQCHIP);
    const words = items(check, chip.pinBitmap, `${field}.irqchips[${i}].pinBitmap`, 4);
    if (words.length !== 4) check.fail(`${field}.irqchips[${i}].pinBitmap`, `${words.length} words`, 'give 4 words of 32 pins each (irqBitmap(base, irqs) makes them)');
    words.forEach((w, k) => check.uint(w, `${field}.irqchips[${i}].pinBitmap[${k}]`, 32));
  });
  items(check, cell.pio, `${field}.pio`).forEach((p, i) => validatePio(check, p, `${field}.pio[${i}]`));
  items(check, cell.pciDevices, `${field}.pciDevices`).forEach((d, i) => {
    const device = widths(check, d, `${field}.pciDevices[${i}]`, PCI_DEVICE);
    items(check, device.barMask, `${field}.pciDevices[${i}].barMask`, BAR_MASKS).forEach((mask, k) => check.uint(mask, `${field}.pciDevices[${i}].barMask[${k}]`, 32));
  });
  items(check, cell.pciCaps, `${field}.pciCaps`).forEach((c, i) => widths(check, c, `${field}.pciCaps[${i}]`, PCI_CAP));
  items(check, cell.streamIds, `${field}.streamIds`).forEach((s, i) => check.uint(s, `${field}.streamIds[${i}]`, 32));
}

/** A port range: base and length u16, inside the 64 Ki ports. */
export function validatePio(check: Checker, value: unknown, field: string): void {
  const p = widths(check, value, field, PIO) as { base: number; length: number };
  if (p.base + p.length > 0x10000) check.fail(`${field}.length`, `ports 0x${p.base.toString(16)} + 0x${p.length.toString(16)} end past 0xffff`, 'keep base + length at or below 0x10000');
}

/** The system config a machine writes (the root cell without its CPUs, which follow from the machine's count). */
export function validateSystemConfig(check: Checker, value: unknown, field: string): void {
  const system = check.object(value, field);
  check.oneOf(system.arch, `${field}.arch`, ['x86', 'arm', 'arm64']);
  check.uint(system.flags, `${field}.flags`, 32);
  // The hypervisor runs from these pages (the driver maps them whole).
  const hv = check.object(system.hypervisorMemory, `${field}.hypervisorMemory`);
  const hvField = `${field}.hypervisorMemory`;
  const size = check.bytes(hv.size, `${hvField}.size`, { page: true, min: 0x1000 });
  const phys = check.bytes(hv.phys, `${hvField}.phys`, { page: true });
  check.span(phys, size, `${hvField}.phys`);
  check.bytes(hv.virt, `${hvField}.virt`);
  check.uint(hv.flags, `${hvField}.flags`, 64);
  validateConsole(check, system.debugConsole, `${field}.debugConsole`);
  const pf = widths(check, system.platform, `${field}.platform`, PLATFORM) as Record<string, unknown> & { pciMmconfigBase: number; pciMmconfigEndBus: number };
  check.span(pf.pciMmconfigBase, (pf.pciMmconfigEndBus + 1) * 256 * 4096, `${field}.platform.pciMmconfigBase`);
  items(check, pf.iommuUnits, `${field}.platform.iommuUnits`, MAX_IOMMU_UNITS).forEach((u, i) => {
    const unit = widths(check, u, `${field}.platform.iommuUnits[${i}]`, IOMMU);
    check.list(unit.extra, `${field}.platform.iommuUnits[${i}].extra`, IOMMU_EXTRA_BYTES).forEach((b, k) => check.uint(b, `${field}.platform.iommuUnits[${i}].extra[${k}]`, 8));
  });
  if (pf.x86 !== undefined) widths(check, pf.x86, `${field}.platform.x86`, X86);
  if (pf.arm !== undefined) widths(check, pf.arm, `${field}.platform.arm`, ARM);
  validateCellConfig(check, system.rootCell, `${field}.rootCell`);
}
