/** Raspberry Pi 4 Model B: its devices as cells see them and where jhbuild may place cells, from bcm2711-rpi-4-b.dtb (`jhbuild machine new`). */
import { consoles, type BoardLayout } from '../../../src/index.ts';

/** The debug console: /soc/serial@7e215040 (brcm,bcm2835-aux-uart). */
export const UART = 0xfe215040;
/** /soc/interrupt-controller@40041000 (arm,gic-400) reg. */
export const GIC = { d: 0xff841000, c: 0xff842000, h: 0xff844000, v: 0xff846000 } as const;

// FINDING: devices carry no guest device-tree node (dts): clocks and pins of a Linux guest are not derivable; write a .dtsi as machines/rpi4/uart1.dtsi
export const board: BoardLayout = {
  cellRam: [{ base: 0xdba00000, size: 0x20000000 }], // below IVSHMEM, half the bank at most: the root's RAM, reserved from its kernel as cells take it
  sharedMemory: [{ base: 0xfba00000, size: 0x200000 }], // below the hypervisor, outside the root's RAM regions
  virtualIrqs: { first: 181, count: 8 }, // no node of the tree raises SPIs 181-188 (the highest it uses is 190)
  devices: {
    ethernet0: { mmio: [{ phys: 0xfd580000, size: 0x10000 }], irqs: [189, 190] }, // /scb/ethernet@7d580000
    serial0: { mmio: [{ phys: 0xfe201000, size: 0x200 }], irqs: [153], console: consoles.pl011(0xfe201000) }, // /soc/serial@7e201000
    serial1: { mmio: [{ phys: 0xfe215040, size: 0x40 }], irqs: [125], console: consoles.uart8250Mmio(UART), shared: true }, // /soc/serial@7e215040
  },
  windows: [
    { base: 0xff841000, size: 0x1000, what: 'GIC /soc/interrupt-controller@40041000' },
    { base: 0xff842000, size: 0x2000, what: 'GIC /soc/interrupt-controller@40041000' },
    { base: 0xff844000, size: 0x2000, what: 'GIC /soc/interrupt-controller@40041000' },
    { base: 0xff846000, size: 0x2000, what: 'GIC /soc/interrupt-controller@40041000' },
    { base: 0x600000000, size: 0x4000000, what: 'PCI host /scb/pcie@7d500000' },
  ],
};
