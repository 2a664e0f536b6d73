/**
 * NXP i.MX8M Mini EVK (2 GiB). It starts from the machine `jhbuild machine new` derives from Linux
 * 6.1's imx8mm-evk.dtb (generated/, which test/machine-new.test.ts regenerates and compares) and pins
 * upstream Jailhouse's configs/arm64/imx8mm*.c where upstream chose otherwise, so that the root cell
 * stays byte-identical to upstream's (test/cells.test.ts). From the tree: CPUs, RAM, GIC, console,
 * devices, boot. Pinned, and why:
 * - the hypervisor at 0xb7c00000, the virtual PCI host at 0xbb800000, the cells and IVSHMEM around
 *   them (the tree's choice: the top of RAM and the hole above it), as NXP's jh_mmcboot reserves them;
 * - the root's MMIO as upstream's one window below the GIC (0x0+0x38800000) instead of the tree's
 *   device regions, every SPI up to 416 (the tree's highest is 157), vpci_irq_base 0x33;
 * - the console's baud (the tree's stdout-path names none) and clk_ignore_unused (NXP's: the root must
 *   not gate clocks of devices a cell took over; clocks are not in the cells' view of the tree);
 * - the kernel: allnoconfig with the EVK's fragment, not defconfig (a fragment is not derivable).
 * Upstream's linux-demo RAM (0x93c00000, 0x24000000) covers inmate-demo's RAM at 0xb3c00000; here
 * the linux-demo RAM ends below it so that both cells can run at once, and inmate-demo's IVSHMEM
 * device says 3 peers like the root's (upstream: 1, with dev_id 1).
 */
import { cellDefaults, defineMachine, gic, mem } from '../../src/index.ts';
import { demoLinks, freertosDemo, gicDemo, rootIvshmem } from '../arm-common.ts';
import derived from './generated/imx8mm-evk.machine.ts';
import { board, GIC } from './board.ts';

const MiB = 0x100000;
const ALL = 0xffffffff;
/** Upstream's IVSHMEM memory, above the virtual PCI host's window. */
const SHMEM = { demo: 0xbba00000, net: 0xbbb00000 };
const root = rootIvshmem(SHMEM, 1);
/** The tree's system (a generated machine always has one). */
const system = derived.system!;

export default defineMachine({
  ...derived,
  summary: 'NXP i.MX8M Mini EVK, GICv3, UART2, 2 GiB',
  rootConsole: ['console=ttymxc1,115200'],
  rootCmdline: ['clk_ignore_unused'],
  system: {
    ...system,
    hypervisorMemory: { phys: 0xb7c00000, virt: 0, size: 0x400000, flags: 0 },
    platform: { ...system.platform, pciMmconfigBase: 0xbb800000 },
    rootCell: cellDefaults({
      name: 'imx8mm',
      vpciIrqBase: 0x33,
      memory: [
        ...root.memory,
        mem(0, GIC.d, 'R W IO'), // the SoC's MMIO, up to the GIC
        mem(0x40000000, 0x73c00000, 'R W X'),
        mem(0xb3c00000, 0x4000000, 'R W X'),
        mem(0xb8000000, 0x3700000, 'R W X'),
        mem(0xbb700000, 0x100000, 'R W X'),
        mem(0xbbc00000, 0x2400000, 'R W X'),
        mem(0xbe000000, 0x2000000, 'R W'),
      ],
      irqchips: [gic(GIC.d, [ALL, ALL, ALL, ALL]), gic(GIC.d, [ALL, ALL, ALL, ALL], 160), gic(GIC.d, [ALL, ALL, ALL, ALL], 288)],
      pciDevices: root.pciDevices,
    }),
  },
  board,
  links: demoLinks,
  cells: [
    gicDemo({ uart: board.devices.serial1!, ram: 0xb3c00000, demo: SHMEM.demo, gicd: GIC.d, vpciIrqBase: 0x4c, domain: 1 }),
    // FreeRTOS on CPU 2 beside gic-demo; with 4 cores the Linux guest keeps one (upstream gives it two).
    freertosDemo('serial1'),
    {
      name: 'linux-demo', ram: { size: 512 * MiB }, cpus: 1, devices: ['serial3', 'mmc2'], console: 'serial1',
      linux: { cmdline: 'clk_ignore_unused console=ttymxc3,115200 earlycon=ec_imx6q,0x30890000,115200 root=/dev/mmcblk2p2 rootwait rw' },
    },
  ],
  kernel: { ...derived.kernel, base: 'allnoconfig', fragments: ['fragments/jailhouse-root.config', 'fragments/board-common-arm64.config', 'fragments/imx8mm-evk.config'] },
  guestKernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-guest.config', 'fragments/imx8mm-evk-guest.config'], image: 'Image', dtbs: [] },
});
