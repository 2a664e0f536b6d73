/**
 * A typed model of Jailhouse system and cell configs (config revision 14). Field names follow
 * include/jailhouse/cell-config.h in camelCase; numbers are plain (all values used fit 2^53).
 */
export type Arch = 'x86' | 'arm' | 'arm64';
export const ARCH_CODES: Readonly<Record<Arch, number>> = { x86: 0, arm: 1, arm64: 2 };
export const CONFIG_REVISION = 14;

export const MEM = {
  READ: 0x1, WRITE: 0x2, EXECUTE: 0x4, DMA: 0x8, IO: 0x10, COMM_REGION: 0x20, LOADABLE: 0x40,
  ROOTSHARED: 0x80, NO_HUGEPAGES: 0x100, IO_UNALIGNED: 0x8000, IO_8: 0x10000, IO_16: 0x20000,
  IO_32: 0x40000, IO_64: 0x80000,
} as const;
export const CELL_FLAGS = {
  PASSIVE_COMMREG: 0x1, TEST_DEVICE: 0x2, AARCH32: 0x4,
  VIRTUAL_CONSOLE_PERMITTED: 0x40000000, VIRTUAL_CONSOLE_ACTIVE: 0x80000000,
} as const;
export const SYS_FLAGS = { VIRTUAL_DEBUG_CONSOLE: 0x1 } as const;
export const PCI_TYPE = { DEVICE: 1, BRIDGE: 2, IVSHMEM: 3 } as const;
export const SHMEM_PROTO = { UNDEFINED: 0, VETH: 1, CUSTOM: 0x4000, VIRTIO_FRONT: 0x8000, VIRTIO_BACK: 0xc000 } as const;
export const CON_TYPE = {
  NONE: 0, EFIFB: 1, '8250': 2, PL011: 3, XUARTPS: 4, MVEBU: 5, HSCIF: 6, SCIFA: 7, IMX: 8,
  IMX_LPUART: 9, SCIF: 0xa,
} as const;
export const CON_FLAGS = { MMIO: 0x1, REGDIST_4: 0x2, FB_1920x1080: 0x4, INVERTED_GATE: 0x1000, MDR_QUIRK: 0x2000 } as const;
export const IOMMU_TYPE = { AMD: 1, INTEL: 2, SMMUV3: 3, PVU: 4, ARM_MMU500: 5 } as const;
export const APIC_MODE = { AUTO: 0, XAPIC: 1, X2APIC: 2 } as const;
export const PCI_EXT_CAP = 0x8000;
export const PCICAPS_WRITE = 0x1;
export const MAX_IOMMU_UNITS = 8;
export const CELL_NAME_MAX = 31;
/** JAILHOUSE_IVSHMEM_BAR_MASK_INTX / _MSIX */
export const IVSHMEM_BAR_MASK_INTX = [0xfffff000, 0, 0, 0, 0, 0] as const;
export const IVSHMEM_BAR_MASK_MSIX = [0xfffff000, 0xfffffe00, 0, 0, 0, 0] as const;

export interface MemoryRegion {
  readonly phys: number;
  readonly virt: number;
  readonly size: number;
  readonly flags: number;
  /** Shown as a comment in rendered C; not part of the binary. */
  readonly comment?: string;
}

export interface CacheRegion { readonly start: number; readonly size: number; readonly type: number; readonly flags: number }

export interface Irqchip {
  readonly address: number;
  readonly id: number;
  readonly pinBase: number;
  readonly pinBitmap: readonly [number, number, number, number];
}

export interface PioRegion { readonly base: number; readonly length: number }

export interface PciDevice {
  readonly type: number;
  readonly iommu: number;
  readonly domain: number;
  readonly bdf: number;
  readonly barMask: readonly number[];
  readonly capsStart: number;
  readonly numCaps: number;
  readonly numMsiVectors: number;
  readonly msi64Bits: boolean;
  readonly msiMaskable: boolean;
  readonly numMsixVectors: number;
  readonly msixRegionSize: number;
  readonly msixAddress: number;
  readonly shmemRegionsStart: number;
  readonly shmemDevId: number;
  readonly shmemPeers: number;
  readonly shmemProtocol: number;
  readonly comment?: string;
}

export interface PciCap { readonly id: number; readonly start: number; readonly len: number; readonly flags: number }

export interface Console {
  readonly address: number;
  readonly size: number;
  readonly type: number;
  readonly flags: number;
  readonly divider: number;
  readonly gateNr: number;
  readonly clockReg: number;
}

export interface Cell {
  readonly name: string;
  readonly id: number;
  readonly flags: number;
  /** Size of the CPU bitmap in bytes (upstream uses 8: one __u64). */
  readonly cpuSetSize: number;
  readonly cpus: readonly number[];
  readonly memory: readonly MemoryRegion[];
  readonly cacheRegions: readonly CacheRegion[];
  readonly irqchips: readonly Irqchip[];
  readonly pio: readonly PioRegion[];
  readonly pciDevices: readonly PciDevice[];
  readonly pciCaps: readonly PciCap[];
  readonly streamIds: readonly number[];
  readonly vpciIrqBase: number;
  readonly cpuResetAddress: number;
  readonly msgReplyTimeout: number;
  readonly console: Console;
}

export interface IommuUnit {
  readonly type: number;
  readonly base: number;
  readonly size: number;
  /** amd: bdf u16, base_cap u8, msi_cap u8, features u32; tipvu: tlb_base u64, tlb_size u32. Kept raw (12 bytes). */
  readonly extra: readonly number[];
}

export interface X86Platform {
  readonly pmTimerAddress: number;
  readonly apicMode: number;
  readonly vtdInterruptLimit: number;
  readonly tscKhz: number;
  readonly apicKhz: number;
}

export interface ArmPlatform {
  readonly maintenanceIrq: number;
  readonly gicVersion: number;
  readonly gicdBase: number;
  readonly giccBase: number;
  readonly gichBase: number;
  readonly gicvBase: number;
  readonly gicrBase: number;
}

export interface Platform {
  readonly pciMmconfigBase: number;
  readonly pciMmconfigEndBus: number;
  readonly pciIsVirtual: number;
  readonly pciDomain: number;
  readonly iommuUnits: readonly IommuUnit[];
  readonly x86?: X86Platform;
  readonly arm?: ArmPlatform;
}

export interface SystemConfig {
  readonly arch: Arch;
  readonly flags: number;
  readonly hypervisorMemory: MemoryRegion;
  readonly debugConsole: Console;
  readonly platform: Platform;
  readonly rootCell: Cell;
}

/** A non-root cell config file: a cell plus its architecture. */
export interface CellConfig {
  readonly arch: Arch;
  readonly cell: Cell;
}

export const NO_CONSOLE: Console = { address: 0, size: 0, type: 0, flags: 0, divider: 0, gateNr: 0, clockReg: 0 };
