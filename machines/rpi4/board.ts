/**
 * The Raspberry Pi 4's devices as cells see them, and where jhbuild may place cells: the board layout
 * `jhbuild machine new` derived from bcm2711-rpi-4-b.dtb (generated/board.ts), with upstream
 * Jailhouse's layout pinned where it chose otherwise.
 */
import { readDtsiNodes, type BoardLayout } from '../../src/index.ts';
import { board as derived } from './generated/board.ts';

export { GIC, UART } from './generated/board.ts';

const serial1 = derived.devices.serial1!;

export const board: BoardLayout = {
  ...derived,
  // Upstream's: cells below the Jailhouse area at 0x1fa00000 (reserved in the device tree), IVSHMEM right
  // below the hypervisor, in the first 512 MiB. The tree's own choice would be the top of RAM.
  cellRam: [{ base: 0x8000000, size: 0x17a10000 }],
  sharedMemory: [{ base: 0x1fa10000, size: 0x1f0000 }],
  // Upstream's vPCI interrupts 182-189: one above the tree's lowest free SPI (181), as rpi4.c has them.
  virtualIrqs: { first: 182, count: 8 },
  devices: {
    ...derived.devices,
    // The mini UART on GPIO 14/15 (aux UART1): the hypervisor's, the root's and the demos' console. Byte and
    // word access, as upstream maps it; the guest's node from Jailhouse's inmate-rpi4.dts.
    serial1: { ...serial1, mmio: serial1.mmio!.map((w) => ({ ...w, flags: 'IO_8 IO_32' })), dts: readDtsiNodes(new URL('uart1.dtsi', import.meta.url)) },
  },
};
