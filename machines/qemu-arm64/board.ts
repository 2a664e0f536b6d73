/** QEMU virt's devices as cells see them, and where jhbuild may place cells (the board layout). */
import { consoles, type BoardLayout } from '../../src/index.ts';

/** The PL011: the hypervisor's, the root's and the demos' console. */
export const UART = 0x09000000;
/** GICv3: distributor and redistributors. */
export const GIC = { d: 0x08000000, r: 0x080a0000 } as const;
// Upstream's 0x08e00000 lies in the GIC redistributor window QEMU's device tree claims, and root
// Linux refuses the host there; 0x0b000000 is free (after virtio-mmio, before the platform bus).
/** The virtual PCI host's ECAM window (system.platform.pciMmconfigBase). */
export const VPCI = 0x0b000000;

export const board: BoardLayout = {
  // Cells go between the root kernel's RAM and the hypervisor; IVSHMEM memory right below the hypervisor.
  cellRam: [{ base: 0x60000000, size: 0x1fa10000 }],
  sharedMemory: [{ base: 0x7fa10000, size: 0x1f0000 }],
  // SPIs 96-127 (IDs 128-159): nothing on QEMU virt raises them (upstream's vPCI interrupts live here).
  virtualIrqs: { first: 128, count: 32 },
  // What QEMU virt's device tree claims (hw/arm/virt.c base_memmap): the virtual PCI host must avoid it.
  windows: [
    { base: 0x08000000, size: 0x01000000, what: 'GIC distributor, ITS and redistributors (room for 123 CPUs)' },
    { base: 0x09000000, size: 0x000c0000, what: 'UART, RTC, fw_cfg, GPIO, SMMU, ACPI' },
    { base: 0x0a000000, size: 0x00004000, what: 'virtio-mmio transports' },
    { base: 0x0c000000, size: 0x03000000, what: 'platform bus and secure memory' },
    { base: 0x10000000, size: 0x30000000, what: 'PCIe MMIO, I/O and ECAM' },
  ],
  devices: { uart: { mmio: [{ phys: UART, size: 0x1000 }], irqs: [33], console: consoles.pl011(UART), shared: true } },
};
