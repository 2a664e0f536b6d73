/**
 * The demo set the ARM boards carry, laid out as Jailhouse's configs/arm64/<board>.c and
 * <board>-inmate-demo.c: gic-demo, FreeRTOS and a Linux guest beside the root, joined by the
 * 3-peer "demo" IVSHMEM device (bdf 0) and ivshmem-net between the root and Linux (bdf 8).
 */
import {
  CELL_FLAGS, bdf, cellDefaults, commRegion, consoles, ivshmemDevice, ivshmemNetRegions, ivshmemSharedRegions, mem,
  type BoardDevice, type CellInput, type CellNeeds, type LinkNeeds, type MemoryRegion, type PciDevice,
} from '../src/index.ts';

const MiB = 0x100000;
/** The guest RAM of upstream's gic-demo: 64 KiB, loaded at guest address 0. */
const GIC_DEMO_RAM = 0x10000;

export const demoLinks: LinkNeeds[] = [
  { name: 'demo', kind: 'shmem', peers: ['root', 'inmate-demo', 'linux-demo'], bdf: bdf(0, 0) },
  { name: 'net', kind: 'net', peers: ['root', 'linux-demo'], bdf: bdf(0, 1) },
];

/** Where upstream's root config puts the links' shared memory (the demo's and the network's). */
export interface DemoMemory { readonly demo: number; readonly net: number }

/** The root's side of the links, as upstream's root configs write it: their regions first, the devices in link order. */
export function rootIvshmem(at: DemoMemory, domain: number): { memory: MemoryRegion[]; pciDevices: PciDevice[] } {
  return {
    memory: [...ivshmemSharedRegions(at.demo, 0, { peers: 3, rootShared: false }), ...ivshmemNetRegions(at.net, 0)],
    pciDevices: [
      ivshmemDevice({ domain, bdf: bdf(0, 0), regionsStart: 0, devId: 0, peers: 3 }),
      ivshmemDevice({ domain, bdf: bdf(0, 1), regionsStart: 5, devId: 0, peers: 2, protocol: 'VETH' }),
    ],
  };
}

/**
 * gic-demo as upstream's <board>-inmate-demo.c: the demo link's memory, the console UART (shared
 * with the root), its RAM and the communication region; the one interrupt it takes is its
 * IVSHMEM INTx (vpci_irq_base + 32), written in the 32-pin GIC window that holds it.
 */
export function gicDemo(options: { uart: BoardDevice; ram: number; demo: number; gicd: number; vpciIrqBase: number; domain: number }): CellInput {
  const { uart, vpciIrqBase } = options;
  const intx = vpciIrqBase + 32;
  const pinBase = Math.floor(intx / 32) * 32;
  return {
    ...cellDefaults({
      name: 'inmate-demo',
      flags: CELL_FLAGS.PASSIVE_COMMREG,
      vpciIrqBase,
      console: uart.console ?? consoles.none,
      memory: [
        ...ivshmemSharedRegions(options.demo, 1, { peers: 3, rootShared: true }),
        ...(uart.mmio ?? []).map((w) => mem(w.phys, w.size, `R W IO ROOTSHARED ${w.flags ?? ''}`.trim())),
        mem(options.ram, GIC_DEMO_RAM, 'R W X LOADABLE', { virt: 0 }),
        commRegion(),
      ],
      irqchips: [{ address: options.gicd, id: 0, pinBase, pinBitmap: [2 ** (intx - pinBase), 0, 0, 0] }],
      pciDevices: [ivshmemDevice({ domain: options.domain, bdf: bdf(0, 0), regionsStart: 0, devId: 1, peers: 3 })],
    }),
    cpus: 1,
    inmate: 'gic-demo.bin',
  };
}

/** FreeRTOS on a CPU of its own beside gic-demo, printing on the shared UART: `jhbuild run qemu --demo freertos`. */
export const freertosDemo = (console: string): CellNeeds => ({ name: 'freertos-demo', ram: { size: MiB }, cpus: 1, console, inmate: 'freertos-demo.bin' });
