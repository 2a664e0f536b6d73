/**
 * QEMU arm64 virt (GICv3, virtualization=on), values from Jailhouse's configs/arm64/qemu-arm64*.c.
 * RAM 0x40000000/1 GiB; cells are placed below the hypervisor and the root kernel's mem= ends
 * below them. The virtual PCI host moved out of the GIC redistributor window (see VPCI).
 */
import {
  CELL_FLAGS, SYS_FLAGS, bdf, cellDefaults, commRegion, consoles, defineMachine, gic, irqBitmap, ivshmemDevice,
  ivshmemNetRegions, ivshmemSharedRegions, mmio, ram,
} from '../src/index.ts';

const UART = 0x09000000;
const GICD = 0x08000000;
const DEMO_SHMEM = 0x7faf0000;
const NET_SHMEM = 0x7fb00000;
// Upstream's 0x08e00000 lies in the GIC redistributor window QEMU's device tree claims, and root
// Linux refuses the host there; 0x0b000000 is free (after virtio-mmio, before the platform bus).
const VPCI = 0x0b000000;
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
      arm: { gicVersion: 3, gicdBase: GICD, gicrBase: 0x080a0000, giccBase: 0, gichBase: 0, gicvBase: 0, maintenanceIrq: 25 },
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
      irqchips: [gic(GICD, [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff])],
      pciDevices: [
        ivshmemDevice({ domain: 1, bdf: bdf(0, 0), regionsStart: 0, devId: 0, peers: 3, comment: 'IVSHMEM 0001:00:00.0 (demo)' }),
        ivshmemDevice({ domain: 1, bdf: bdf(0, 1), regionsStart: 5, devId: 0, peers: 2, protocol: 'VETH', comment: 'IVSHMEM 0001:00:01.0 (networking)' }),
      ],
    }),
  },
  // Cells go between the root kernel's RAM and the hypervisor; IVSHMEM memory right below the hypervisor.
  board: {
    cellRam: [{ base: 0x60000000, size: 0x1fa10000 }],
    sharedMemory: [{ base: 0x7fa10000, size: 0x1f0000 }],
    // SPIs 96-127 (IDs 128-159): nothing on QEMU virt raises them (upstream's vPCI interrupts live here).
    virtualIrqs: { first: 128, count: 32 },
    // What QEMU virt's device tree claims (hw/arm/virt.c base_memmap): the virtual PCI host must avoid it.
    windows: [
      { base: 0x08000000, size: 0x01000000, what: 'GIC distributor, ITS and redistributors (room for 123 CPUs)' },
      { base: 0x09000000, size: 0x000c0000, what: 'UART, RTC, fw_cfg, GPIO, SMMU, ACPI' },
      { base: 0x0a000000, size: 0x00004000, what: 'virtio-mmio transports' },
      { base: 0x0c000000, size: 0x03000000, what: 'platform bus and secure memory' },
      { base: 0x10000000, size: 0x30000000, what: 'PCIe MMIO, I/O and ECAM' },
    ],
    devices: { uart: { mmio: [{ phys: UART, size: 0x1000 }], irqs: [33], console: consoles.pl011(UART), shared: true } },
  },
  links: [
    { name: 'demo', kind: 'shmem', peers: ['root', 'inmate-demo', 'linux-demo'], bdf: bdf(0, 0) },
    { name: 'net', kind: 'net', peers: ['root', 'linux-demo'], bdf: bdf(0, 1) },
  ],
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
        irqchips: [gic(GICD, irqBitmap(32, [144]))],
        pciDevices: [ivshmemDevice({ domain: 1, bdf: bdf(0, 0), regionsStart: 0, devId: 1, peers: 3, comment: 'IVSHMEM (demo)' })],
      }),
      cpus: 1,
      inmate: 'gic-demo.bin',
    },
    // Declared by needs: jhbuild places its RAM, loader, IVSHMEM regions and interrupts (`jhbuild cells plan`).
    // FreeRTOS on its own CPU beside gic-demo: `jhbuild run qemu --demo freertos`.
    { name: 'freertos-demo', ram: { size: MiB }, cpus: 1, console: 'uart', inmate: 'freertos-demo.bin' },
    { name: 'linux-demo', ram: { size: 128 * MiB }, cpus: 2, devices: ['uart'], console: 'uart', linux: { cmdline: 'console=ttyAMA0' } },
  ],
  kernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-root.config', 'fragments/qemu-arm64.config'], image: 'Image', dtbs: [] },
  // The busybox guest: it builds from Debian's sources alone. 'buildroot' (the default) needs
  // Buildroot's downloads: online, or in a mirror folder (MIRROR/buildroot/PACKAGE/FILE).
  guestRootfs: 'busybox',
  guestKernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-guest.config', 'fragments/qemu-arm64-guest.config'], image: 'Image', dtbs: [] },
  qemu: { binary: 'qemu-system-aarch64', machine: 'virt,gic-version=3,virtualization=on,its=off', cpu: 'cortex-a57' },
  boot: 'qemu',
});
