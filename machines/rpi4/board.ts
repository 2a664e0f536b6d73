/** The Raspberry Pi 4's devices as cells see them, and where jhbuild may place cells (the board layout). */
import { consoles, readDtsiNodes, type BoardLayout } from '../../src/index.ts';

/** The mini UART on GPIO 14/15 (aux UART1): the hypervisor's, the root's and the demos' console. */
export const UART = 0xfe215040;
/** GIC-400: distributor, CPU interface, virtual interface control and virtual CPU interface. */
export const GIC = { d: 0xff841000, c: 0xff842000, h: 0xff844000, v: 0xff846000 } as const;

export const board: BoardLayout = {
  // Cells below the Jailhouse area at 0x1fa00000 (reserved in the device tree); IVSHMEM right below the hypervisor.
  cellRam: [{ base: 0x8000000, size: 0x17a10000 }],
  sharedMemory: [{ base: 0x1fa10000, size: 0x1f0000 }],
  // Interrupt IDs 182-189: no BCM2711 peripheral raises them (upstream's vPCI interrupts).
  virtualIrqs: { first: 182, count: 8 },
  devices: {
    uart: {
      mmio: [{ phys: UART, size: 0x40, flags: 'IO_8 IO_32' }], irqs: [125], console: consoles.uart8250Mmio(UART), shared: true,
      dts: readDtsiNodes(new URL('uart1.dtsi', import.meta.url)),
    },
  },
};
