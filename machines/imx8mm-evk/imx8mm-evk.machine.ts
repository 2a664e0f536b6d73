/**
 * NXP i.MX8M Mini EVK (2 GiB), values from Jailhouse's configs/arm64/imx8mm*.c. Upstream's
 * linux-demo RAM (0x93c00000, 0x24000000) covers inmate-demo's RAM at 0xb3c00000; here the
 * linux-demo RAM ends below it (size 0x20000000) so that both cells can run at once, and
 * inmate-demo's IVSHMEM device says 3 peers like the root's (upstream: 1, with dev_id 1).
 */
import { cellDefaults, consoles, defineMachine, gic, mem } from '../../src/index.ts';
import { demoLinks, freertosDemo, gicDemo, rootIvshmem } from '../arm-common.ts';
import { board, GIC, UART2 } from './board.ts';

const MiB = 0x100000;
const ALL = 0xffffffff;
/** Upstream's IVSHMEM memory, above the virtual PCI host's window. */
const SHMEM = { demo: 0xbba00000, net: 0xbbb00000 };
const root = rootIvshmem(SHMEM, 1);

export default defineMachine({
  name: 'imx8mm-evk',
  summary: 'NXP i.MX8M Mini EVK, GICv3, UART2, 2 GiB',
  arch: 'arm64',
  crossCompile: 'aarch64-linux-gnu-',
  cpus: 4,
  ram: [{ base: 0x40000000, size: 0x80000000 }],
  reservation: 'devicetree',
  rootConsole: ['console=ttymxc1,115200'],
  rootCmdline: ['clk_ignore_unused'],
  system: {
    arch: 'arm64', flags: 1,
    hypervisorMemory: { phys: 0xb7c00000, virt: 0, size: 0x400000, flags: 0 },
    debugConsole: consoles.imx(UART2, { size: 0x1000 }),
    platform: {
      pciMmconfigBase: 0xbb800000, pciMmconfigEndBus: 0, pciIsVirtual: 1, pciDomain: 1, iommuUnits: [],
      arm: { maintenanceIrq: 25, gicVersion: 3, gicdBase: GIC.d, giccBase: 0, gichBase: 0, gicvBase: 0, gicrBase: GIC.r },
    },
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
    gicDemo({ uart: board.devices.uart2!, ram: 0xb3c00000, demo: SHMEM.demo, gicd: GIC.d, vpciIrqBase: 0x4c, domain: 1 }),
    // FreeRTOS on CPU 2 beside gic-demo; with 4 cores the Linux guest keeps one (upstream gives it two).
    freertosDemo('uart2'),
    {
      name: 'linux-demo', ram: { size: 512 * MiB }, cpus: 1, devices: ['uart4', 'usdhc3'], console: 'uart2',
      linux: { cmdline: 'clk_ignore_unused console=ttymxc3,115200 earlycon=ec_imx6q,0x30890000,115200 root=/dev/mmcblk2p2 rootwait rw' },
    },
  ],
  kernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-root.config', 'fragments/board-common-arm64.config', 'fragments/imx8mm-evk.config'], image: 'Image', dtbs: ['freescale/imx8mm-evk.dtb'] },
  guestKernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-guest.config', 'fragments/imx8mm-evk-guest.config'], image: 'Image', dtbs: [] },
  boot: 'uboot-imx',
  // The boot ROM reads flash.bin at 33 KiB on an SD card (i.MX8MN/8MP: 32 KiB).
  bootFirmware: { tfaPlatform: 'imx8mm', ubootDefconfig: 'imx8mm_evk_defconfig', loaderOffset: 33 * 1024 },
  // MBR, first partition at 8 MiB: flash.bin lives between the table and it.
  image: {
    table: 'mbr',
    partitions: [
      { name: 'boot', type: 'fat32', offset: 8 * MiB, size: 64 * MiB, bootable: true, content: 'boot' },
      { name: 'root', type: 'linux', size: 'fit', content: 'root' },
    ],
  },
});
