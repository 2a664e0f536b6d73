/**
 * Raspberry Pi 4 Model B (4 GiB). It starts from the machine `jhbuild machine new` derives from Linux
 * 6.1's bcm2711-rpi-4-b.dtb (generated/, which test/machine-new.test.ts regenerates and compares) and
 * pins upstream Jailhouse's configs/arm64/rpi4*.c where upstream chose otherwise, so that the root
 * cell stays byte-identical to upstream's (test/cells.test.ts). From the tree: CPUs, RAM banks, GIC,
 * console, the virtual PCI host, boot. Pinned, and why:
 * - the hypervisor at 0x1fc00000 and the cells and IVSHMEM below it (the tree's choice: the top of
 *   RAM): upstream keeps Jailhouse in the first 512 MiB;
 * - the root's MMIO as upstream's two windows (0xfd500000+0x1b00000, the PCIe outbound window) instead
 *   of the tree's 26 device regions: the same devices but the local interrupt controller at 0xff800000,
 *   which upstream leaves unmapped; and every SPI up to 224 (the tree's highest is 190);
 * - vpci_irq_base 0x96 (upstream's; the tree's lowest free SPI is one lower) and the root's name;
 * - the kernel: allnoconfig with the Pi's fragment, not defconfig (a fragment is not derivable).
 */
import { cellDefaults, defineMachine, gic, mem } from '../../src/index.ts';
import { demoLinks, freertosDemo, gicDemo, rootIvshmem } from '../arm-common.ts';
import derived from './generated/rpi4.machine.ts';
import { board, GIC } from './board.ts';

const MiB = 0x100000;
const ALL = 0xffffffff;
/** Upstream's IVSHMEM memory, right below the hypervisor. */
const SHMEM = { demo: 0x1faf0000, net: 0x1fb00000 };
const root = rootIvshmem(SHMEM, 1);
/** The tree's system (a generated machine always has one). */
const system = derived.system!;

export default defineMachine({
  ...derived,
  summary: 'Raspberry Pi 4 Model B, GICv2, mini UART, 4 GiB',
  system: {
    ...system,
    hypervisorMemory: { phys: 0x1fc00000, virt: 0, size: 0x400000, flags: 0 },
    rootCell: cellDefaults({
      name: 'Raspberry-Pi4',
      vpciIrqBase: 0x96,
      memory: [
        ...root.memory,
        mem(0xfd500000, 0x1b00000, 'R W IO'),
        mem(0x600000000, 0x4000000, 'R W IO'),
        mem(0, 0x1fa10000, 'R W X'),
        mem(0x20000000, 0xdc000000, 'R W X'),
        mem(0x100000000, 0x100000000, 'R W X'),
      ],
      irqchips: [gic(GIC.d, [ALL, ALL, ALL, ALL]), gic(GIC.d, [ALL, ALL, 0, 0], 160)],
      pciDevices: root.pciDevices,
    }),
  },
  board,
  links: demoLinks,
  cells: [
    gicDemo({ uart: board.devices.serial1!, ram: 0x1fa00000, demo: SHMEM.demo, gicd: GIC.d, vpciIrqBase: 0x98, domain: 1 }),
    // FreeRTOS on CPU 2 beside gic-demo; with 4 cores the Linux guest keeps one (upstream gives it two).
    freertosDemo('serial1'),
    { name: 'linux-demo', ram: { size: 128 * MiB }, cpus: 1, devices: ['serial1'], console: 'serial1', linux: { cmdline: 'console=ttyS0,115200' } },
  ],
  kernel: { ...derived.kernel, base: 'allnoconfig', fragments: ['fragments/jailhouse-root.config', 'fragments/board-common-arm64.config', 'fragments/rpi4.config'] },
  guestKernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-guest.config', 'fragments/rpi4-guest.config'], image: 'Image', dtbs: [] },
});
