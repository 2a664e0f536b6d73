/**
 * The i.MX8M Mini EVK's devices as cells see them, and where jhbuild may place cells: the board layout
 * `jhbuild machine new` derived from imx8mm-evk.dtb (generated/board.ts), with upstream Jailhouse's
 * layout pinned where it chose otherwise.
 */
import { readDtsiNodes, type BoardLayout } from '../../src/index.ts';
import { board as derived } from './generated/board.ts';

export { GIC, UART } from './generated/board.ts';

const { serial1, serial3, mmc2 } = derived.devices as Required<typeof derived.devices>;
/** One page of a UART's 64 KiB bus slot, as upstream maps them (the registers end at 0xc0). */
const firstPage = (device: NonNullable<typeof serial1>) => device.mmio!.map((w) => ({ ...w, size: 0x1000 }));

export const board: BoardLayout = {
  ...derived,
  // Upstream's: cells at the top of the root's RAM below the hypervisor at 0xb7c00000 (reserved in the
  // device tree), IVSHMEM above the virtual PCI host. The tree's own choice would be the top of RAM.
  cellRam: [{ base: 0x80000000, size: 0x37c00000 }],
  sharedMemory: [{ base: 0xbba00000, size: 0x200000 }],
  // Upstream's vPCI interrupts 106-113 (the tree's lowest free SPIs are 88-95).
  virtualIrqs: { first: 106, count: 8 },
  devices: {
    ...derived.devices,
    // UART2: the hypervisor's, the root's and the demos' console; its interrupt stays with the root.
    serial1: { ...serial1!, mmio: firstPage(serial1!), irqs: [] },
    // UART4 and uSDHC3, the Linux guest's console and disk (upstream's linux-demo), with their guest nodes
    // from Jailhouse's inmate-imx8mm-evk.dts; the tree's aliases name them as the guest's kernel does.
    serial3: { ...serial3!, mmio: firstPage(serial3!), dtsAliases: { serial3: 'uart4' }, dts: readDtsiNodes(new URL('uart4.dtsi', import.meta.url)) },
    mmc2: { ...mmc2!, dtsAliases: { mmc2: 'usdhc3' }, dts: readDtsiNodes(new URL('usdhc3.dtsi', import.meta.url)) },
  },
};
