/** Where jhbuild may place cells on QEMU q35 (the board layout) and the devices it can give them. */
import type { BoardLayout } from '../../src/index.ts';
import { pcDevices } from '../x86-common.ts';

export const board: BoardLayout = {
  // Cells between the hypervisor and the IVSHMEM memory (memmap= reserves all of it).
  cellRam: [{ base: 0x3a600000, size: 0x4a00000 }],
  sharedMemory: [{ base: 0x3f000000, size: 0x200000 }],
  // Bus 1 (behind the pcie-pci-bridge), slots 0x0c-0x0f: upstream's IVSHMEM devices.
  pciSlots: { bus: 1, first: 0x0c, count: 4 },
  devices: pcDevices,
};
