/**
 * What a machine may say instead of addresses: what the board lets cells use (its layout), what
 * each cell needs, and which cells talk over IVSHMEM. jhbuild turns these into cell configs.
 */
import type { Console, PioRegion } from '../model.ts';

export interface AddressRange { readonly base: number; readonly size: number }

/** A device of the board a cell can be given by name. */
export interface BoardDevice {
  /** MMIO windows (identity-mapped, R W IO; extra flags such as IO_8 IO_32 allowed). */
  readonly mmio?: readonly { readonly phys: number; readonly size: number; readonly flags?: string }[];
  /** x86 port I/O ranges. */
  readonly pio?: readonly PioRegion[];
  /** Interrupts the cell takes: GIC interrupt IDs on ARM (SPIs from 32), IOAPIC pins on x86. */
  readonly irqs?: readonly number[];
  /** The console when a cell names this device as its console. */
  readonly console?: Console;
  /** The root keeps using it too (a shared UART for the demos): mapped ROOTSHARED. */
  readonly shared?: boolean;
  /** Its node in a Linux guest's device tree (a PL011 is described without one). */
  readonly dts?: string;
  /** Device-tree aliases its node needs, e.g. { serial3: 'uart4' } for console=ttymxc3. */
  readonly dtsAliases?: Readonly<Record<string, string>>;
}

/** Where the board lets jhbuild place cells, and what it can hand out. */
export interface BoardLayout {
  /** RAM for cells: inside the root cell's RAM (the root gives it up when a cell starts) and reserved from the root kernel. */
  readonly cellRam: readonly AddressRange[];
  /** Memory for IVSHMEM links: outside the root cell's RAM regions (the root maps each link's regions itself). */
  readonly sharedMemory: readonly AddressRange[];
  /** ARM: GIC interrupt IDs no hardware raises, for virtual PCI INTx (a cell's vpci_irq_base + 32 + slot % 4). */
  readonly virtualIrqs?: { readonly first: number; readonly count: number };
  /** Free device slots for IVSHMEM devices (x86: on a real bus of the machine). Default: bus 0, slots 0-31. */
  readonly pciSlots?: { readonly bus?: number; readonly first: number; readonly count: number };
  readonly devices: Readonly<Record<string, BoardDevice>>;
  /** Address windows the board's own device tree claims (interrupt controllers, buses): no virtual device may sit there. */
  readonly windows?: readonly { readonly base: number; readonly size: number; readonly what: string }[];
}

/** RAM a cell needs: a size, optionally an alignment, optionally pinned at an address. */
export interface RamNeed {
  readonly size: number;
  /** Default: 2 MiB for Linux (block mappings), 64 KiB otherwise. */
  readonly align?: number;
  /** Pin the cell's RAM (with a Linux cell's loader below it) at this physical address. */
  readonly at?: number;
}

export interface CellNeeds {
  readonly name: string;
  readonly ram: RamNeed;
  /** A count (allocated from CPU 1 upwards) or the CPUs by number. */
  readonly cpus: number | readonly number[];
  /** Board devices by name (board.devices). */
  readonly devices?: readonly string[];
  /** The device whose console the cell writes to (also given to the cell). */
  readonly console?: string;
  /** ARM: pin vpci_irq_base (a GIC interrupt ID minus 32). */
  readonly vpciIrqBase?: number;
  /** Extra cell flags (CELL_FLAGS), added to what the cell's kind sets. */
  readonly flags?: number;
  readonly inmate?: string;
  readonly linux?: { readonly cmdline: string; readonly dtb?: string };
}

export type LinkKind = 'net' | 'shmem' | 'virtio-blk' | 'virtio-console';

/** An IVSHMEM device shared by cells: peers in dev_id order ("root" is the root cell). */
export interface LinkNeeds {
  readonly name: string;
  readonly kind: LinkKind;
  readonly peers: readonly string[];
  /** shmem: the read/write section and each peer's output section (defaults 0x9000 and 0x2000). */
  readonly rwSize?: number;
  readonly outSize?: number;
  /** Pin the shared memory. */
  readonly at?: number;
  /** Pin the device (bus << 8 | slot << 3 | fn); a pinned peer that already has a device there keeps it. */
  readonly bdf?: number;
}

export const isCellNeeds = (cell: object): cell is CellNeeds => 'ram' in cell && !('memory' in cell);
