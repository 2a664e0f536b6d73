/**
 * QEMU arm64 virt (GICv3, virtualization=on), values from Jailhouse's configs/arm64/qemu-arm64*.c.
 * RAM 0x40000000/1 GiB; cells are placed below the hypervisor and the root kernel's mem= ends
 * below them. The virtual PCI host moved out of the GIC redistributor window (see VPCI).
 */
import {
  CELL_FLAGS, SYS_FLAGS, bdf, cellDefaults, commRegion, consoles, defineMachine, gic, irqBitmap, ivshmemDevice,
  ivshmemNetRegions, ivshmemSharedRegions, mmio, ram,
} from '../../src/index.ts';
import { demoLinks, freertosDemo } from '../arm-common.ts';
import { board, GIC, UART, VPCI } from './board.ts';

/** Upstream's IVSHMEM memory, right below the hypervisor. */
const DEMO_SHMEM = 0x7faf0000;
const NET_SHMEM = 0x7fb00000;
const MiB = 0x100000;

export default defineMachine({
  name: 'qemu-arm64',
  summary: 'QEMU arm64 virt machine, GICv3, PL011, 5 CPUs, 1 GiB',
  arch: 'arm64',
  crossCompile: 'aarch64-linux-gnu-',
  cpus: 5,
  ram: [{ base: 0x40000000, size: 0x40000000 }],
  reservation: 'mem',
  rootConsole: ['console=ttyAMA0'],
  system: {
    arch: 'arm64',
    flags: SYS_FLAGS.VIRTUAL_DEBUG_CONSOLE,
    hypervisorMemory: { phys: 0x7fc00000, virt: 0, size: 0x00400000, flags: 0 },
    debugConsole: consoles.pl011(UART, { size: 0x1000 }),
    platform: {
      pciMmconfigBase: VPCI, pciMmconfigEndBus: 0, pciIsVirtual: 1, pciDomain: 1, iommuUnits: [],
      arm: { gicVersion: 3, gicdBase: GIC.d, gicrBase: GIC.r, giccBase: 0, gichBase: 0, gicvBase: 0, maintenanceIrq: 25 },
    },
    rootCell: cellDefaults({
      name: 'qemu-arm64',
      vpciIrqBase: 128 - 32,
      memory: [
        ...ivshmemSharedRegions(DEMO_SHMEM, 0, { peers: 3, rootShared: false }),
        ...ivshmemNetRegions(NET_SHMEM, 0),
        // Permissive MMIO as upstream, with a hole where the virtual PCI host must trap.
        mmio(0x09000000, VPCI - 0x09000000, 'MMIO (permissive)'),
        mmio(VPCI + 0x200000, 0x40000000 - VPCI - 0x200000, 'MMIO (permissive)'),
        ram(0x40000000, 0x3fa10000),
        mmio(0x4010000000, 0x10000000, '"physical" PCI ECAM'),
      ],
      irqchips: [gic(GIC.d, [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff])],
      pciDevices: [
        ivshmemDevice({ domain: 1, bdf: bdf(0, 0), regionsStart: 0, devId: 0, peers: 3, comment: 'IVSHMEM 0001:00:00.0 (demo)' }),
        ivshmemDevice({ domain: 1, bdf: bdf(0, 1), regionsStart: 5, devId: 0, peers: 2, protocol: 'VETH', comment: 'IVSHMEM 0001:00:01.0 (networking)' }),
      ],
    }),
  },
  board,
  links: demoLinks,
  cells: [
    {
      ...cellDefaults({
        name: 'inmate-demo',
        flags: CELL_FLAGS.PASSIVE_COMMREG,
        vpciIrqBase: 144 - 32,
        console: consoles.pl011(UART),
        memory: [
          ...ivshmemSharedRegions(DEMO_SHMEM, 1, { peers: 3, rootShared: true }),
          mmio(UART, 0x1000, 'UART', 'ROOTSHARED'),
          ram(0x7fa00000, 0x00010000, { virt: 0, loadable: true }),
          commRegion(),
        ],
        irqchips: [gic(GIC.d, irqBitmap(32, [144]))],
        pciDevices: [ivshmemDevice({ domain: 1, bdf: bdf(0, 0), regionsStart: 0, devId: 1, peers: 3, comment: 'IVSHMEM (demo)' })],
      }),
      cpus: 1,
      inmate: 'gic-demo.bin',
    },
    // Declared by needs: jhbuild places its RAM, loader, IVSHMEM regions and interrupts (`jhbuild cells plan`).
    // FreeRTOS on its own CPU beside gic-demo: `jhbuild run qemu --demo freertos`.
    freertosDemo('uart'),
    { name: 'linux-demo', ram: { size: 128 * MiB }, cpus: 2, devices: ['uart'], console: 'uart', linux: { cmdline: 'console=ttyAMA0' } },
  ],
  kernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-root.config', 'fragments/qemu-arm64.config'], image: 'Image', dtbs: [] },
  guestKernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-guest.config', 'fragments/qemu-arm64-guest.config'], image: 'Image', dtbs: [] },
  qemu: { binary: 'qemu-system-aarch64', machine: 'virt,gic-version=3,virtualization=on,its=off', cpu: 'cortex-a57' },
  boot: 'qemu',
});
