/** The i.MX8M Mini EVK's devices as cells see them, and where jhbuild may place cells (the board layout). */
import { consoles, readDtsiNodes, type BoardLayout } from '../../src/index.ts';

/** UART2: the hypervisor's, the root's and the demos' console. */
export const UART2 = 0x30890000;
/** GICv3: distributor and redistributors. */
export const GIC = { d: 0x38800000, r: 0x38880000 } as const;

export const board: BoardLayout = {
  // Cells at the top of the root's RAM below the hypervisor (reserved in the device tree).
  cellRam: [{ base: 0x80000000, size: 0x37c00000 }],
  sharedMemory: [{ base: 0xbba00000, size: 0x200000 }],
  // Interrupt IDs 106-113: unused on the i.MX8M Mini (upstream's vPCI interrupts).
  virtualIrqs: { first: 106, count: 8 },
  devices: {
    uart2: { mmio: [{ phys: UART2, size: 0x1000 }], console: consoles.imx(UART2), shared: true },
    uart4: {
      mmio: [{ phys: 0x30a60000, size: 0x1000 }], irqs: [61],
      dtsAliases: { serial3: 'uart4' },
      dts: readDtsiNodes(new URL('uart4.dtsi', import.meta.url)),
    },
    usdhc3: {
      mmio: [{ phys: 0x30b60000, size: 0x10000 }], irqs: [56],
      dtsAliases: { mmc2: 'usdhc3' },
      dts: readDtsiNodes(new URL('usdhc3.dtsi', import.meta.url)),
    },
  },
};
