/** FSL i.MX8MM EVK board: its devices as cells see them and where jhbuild may place cells, from imx8mm-evk.dtb (`jhbuild machine new`). */
import { consoles, type BoardLayout } from '../../../src/index.ts';

/** The debug console: /soc@0/bus@30800000/spba-bus@30800000/serial@30890000 (fsl,imx8mm-uart, fsl,imx6q-uart). */
export const UART = 0x30890000;
/** /soc@0/interrupt-controller@38800000 (arm,gic-v3) reg. */
export const GIC = { d: 0x38800000, r: 0x38880000 } as const;

// FINDING: devices carry no guest device-tree node (dts): clocks and pins of a Linux guest are not derivable; write a .dtsi as machines/rpi4/uart1.dtsi
export const board: BoardLayout = {
  cellRam: [{ base: 0x9fa00000, size: 0x20000000 }], // below IVSHMEM, half the bank at most: the root's RAM, reserved from its kernel as cells take it
  sharedMemory: [{ base: 0xbfa00000, size: 0x200000 }], // below the hypervisor, outside the root's RAM regions
  virtualIrqs: { first: 88, count: 8 }, // no node of the tree raises SPIs 88-95 (the highest it uses is 157)
  devices: {
    ethernet0: { mmio: [{ phys: 0x30be0000, size: 0x10000 }], irqs: [150, 151, 152, 153] }, // /soc@0/bus@30800000/ethernet@30be0000
    gpio0: { mmio: [{ phys: 0x30200000, size: 0x10000 }], irqs: [96, 97] }, // /soc@0/bus@30000000/gpio@30200000
    gpio1: { mmio: [{ phys: 0x30210000, size: 0x10000 }], irqs: [98, 99] }, // /soc@0/bus@30000000/gpio@30210000
    gpio2: { mmio: [{ phys: 0x30220000, size: 0x10000 }], irqs: [100, 101] }, // /soc@0/bus@30000000/gpio@30220000
    gpio3: { mmio: [{ phys: 0x30230000, size: 0x10000 }], irqs: [102, 103] }, // /soc@0/bus@30000000/gpio@30230000
    gpio4: { mmio: [{ phys: 0x30240000, size: 0x10000 }], irqs: [104, 105] }, // /soc@0/bus@30000000/gpio@30240000
    mmc0: { mmio: [{ phys: 0x30b40000, size: 0x10000 }], irqs: [54] }, // /soc@0/bus@30800000/mmc@30b40000 (disabled in the tree: the root does not use it)
    mmc1: { mmio: [{ phys: 0x30b50000, size: 0x10000 }], irqs: [55] }, // /soc@0/bus@30800000/mmc@30b50000
    mmc2: { mmio: [{ phys: 0x30b60000, size: 0x10000 }], irqs: [56] }, // /soc@0/bus@30800000/mmc@30b60000
    serial0: { mmio: [{ phys: 0x30860000, size: 0x10000 }], irqs: [58], console: consoles.imx(0x30860000) }, // /soc@0/bus@30800000/spba-bus@30800000/serial@30860000 (disabled in the tree: the root does not use it)
    serial1: { mmio: [{ phys: 0x30890000, size: 0x10000 }], irqs: [59], console: consoles.imx(UART), shared: true }, // /soc@0/bus@30800000/spba-bus@30800000/serial@30890000
    serial2: { mmio: [{ phys: 0x30880000, size: 0x10000 }], irqs: [60], console: consoles.imx(0x30880000) }, // /soc@0/bus@30800000/spba-bus@30800000/serial@30880000 (disabled in the tree: the root does not use it)
    serial3: { mmio: [{ phys: 0x30a60000, size: 0x10000 }], irqs: [61], console: consoles.imx(0x30a60000) }, // /soc@0/bus@30800000/serial@30a60000 (disabled in the tree: the root does not use it)
  },
  windows: [
    { base: 0x38800000, size: 0x10000, what: 'GIC /soc@0/interrupt-controller@38800000' },
    { base: 0x38880000, size: 0xc0000, what: 'GIC /soc@0/interrupt-controller@38800000' },
    { base: 0x1ff80000, size: 0x10000, what: 'PCI host /soc@0/pcie@33800000' },
    { base: 0x18000000, size: 0x7f00000, what: 'PCI host /soc@0/pcie@33800000' },
  ],
};
