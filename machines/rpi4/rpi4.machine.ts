/**
 * Raspberry Pi 4 (4 GiB), values from Jailhouse's configs/arm64/rpi4*.c. The root kernel is told
 * to leave the Jailhouse area alone by a device-tree reservation, not by the cmdline.
 */
import { cellDefaults, consoles, defineMachine, gic, mem, readDtsoProperties } from '../../src/index.ts';
import { demoLinks, freertosDemo, gicDemo, rootIvshmem } from '../arm-common.ts';
import { board, GIC, UART } from './board.ts';

const MiB = 0x100000;
const ALL = 0xffffffff;
/** Upstream's IVSHMEM memory, right below the hypervisor. */
const SHMEM = { demo: 0x1faf0000, net: 0x1fb00000 };
const root = rootIvshmem(SHMEM, 1);

export default defineMachine({
  name: 'rpi4',
  summary: 'Raspberry Pi 4 Model B, GICv2, mini UART, 4 GiB',
  arch: 'arm64',
  crossCompile: 'aarch64-linux-gnu-',
  cpus: 4,
  ram: [{ base: 0, size: 0x3b400000 }, { base: 0x40000000, size: 0xbc000000 }, { base: 0x100000000, size: 0x100000000 }],
  reservation: 'devicetree',
  // The mini UART on GPIO 14/15 is serial1 in the board dtb's aliases, so ttyS1 (the PL011 serves Bluetooth).
  rootConsole: ['console=ttyS1,115200'],
  system: {
    arch: 'arm64', flags: 1,
    hypervisorMemory: { phys: 0x1fc00000, virt: 0, size: 0x400000, flags: 0 },
    debugConsole: consoles.uart8250Mmio(UART, { size: 0x40 }),
    platform: {
      pciMmconfigBase: 0xff900000, pciMmconfigEndBus: 0, pciIsVirtual: 1, pciDomain: 1, iommuUnits: [],
      arm: { maintenanceIrq: 25, gicVersion: 2, gicdBase: GIC.d, giccBase: GIC.c, gichBase: GIC.h, gicvBase: GIC.v, gicrBase: 0 },
    },
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
    gicDemo({ uart: board.devices.uart!, ram: 0x1fa00000, demo: SHMEM.demo, gicd: GIC.d, vpciIrqBase: 0x98, domain: 1 }),
    // FreeRTOS on CPU 2 beside gic-demo; with 4 cores the Linux guest keeps one (upstream gives it two).
    freertosDemo('uart'),
    { name: 'linux-demo', ram: { size: 128 * MiB }, cpus: 1, devices: ['uart'], console: 'uart', linux: { cmdline: 'console=ttyS0,115200' } },
  ],
  kernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-root.config', 'fragments/board-common-arm64.config', 'fragments/rpi4.config'], image: 'Image', dtbs: ['broadcom/bcm2711-rpi-4-b.dtb'] },
  guestKernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-guest.config', 'fragments/rpi4-guest.config'], image: 'Image', dtbs: [] },
  boot: 'rpi-firmware',
  bootFirmware: { tfaPlatform: 'rpi4' },
  rootDtProperties: readDtsoProperties(new URL('root.dtso', import.meta.url)),
  // An SD card: the firmware reads the first (FAT) partition of an MBR disk.
  image: {
    table: 'mbr',
    partitions: [
      { name: 'boot', type: 'fat32', size: 64 * MiB, bootable: true, content: 'boot' },
      { name: 'root', type: 'linux', size: 'fit', content: 'root' },
    ],
  },
});
