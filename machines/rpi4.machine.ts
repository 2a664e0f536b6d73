/**
 * Raspberry Pi 4 (4 GiB), values from Jailhouse's configs/arm64/rpi4*.c. The root kernel is told
 * to leave the Jailhouse area alone by a device-tree reservation, not by the cmdline.
 */
import { cellDefaults, commRegion, consoles, defineMachine, ivshmemNetRegions, ivshmemSharedRegions, mem, pciDevice } from '../src/index.ts';

const MiB = 0x100000;

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
    debugConsole: { address: 0xfe215040, size: 0x40, type: 2, flags: 3, divider: 0, gateNr: 0, clockReg: 0 },
    platform: {pciMmconfigBase: 0xff900000,pciMmconfigEndBus: 0,pciIsVirtual: 1,pciDomain: 1,iommuUnits: [],arm: {maintenanceIrq: 0x19,gicVersion: 2,gicdBase: 0xff841000,giccBase: 0xff842000,gichBase: 0xff844000,gicvBase: 0xff846000,gicrBase: 0}},
    rootCell: cellDefaults({
      name: "Raspberry-Pi4",
      vpciIrqBase: 0x96,
      memory: [
        ...ivshmemSharedRegions(0x1faf0000, 0, { peers: 3, rootShared: false }),
        ...ivshmemNetRegions(0x1fb00000, 0),
        mem(0xfd500000, 0x1b00000, 'R W IO'),
        mem(0x600000000, 0x4000000, 'R W IO'),
        mem(0, 0x1fa10000, 'R W X'),
        mem(0x20000000, 0xdc000000, 'R W X'),
        mem(0x100000000, 0x100000000, 'R W X'),
      ],
      irqchips: [{ address: 0xff841000, id: 0, pinBase: 32, pinBitmap: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff] }, { address: 0xff841000, id: 0, pinBase: 160, pinBitmap: [0xffffffff, 0xffffffff, 0, 0] }],
      pciDevices: [
        pciDevice({ type: 3, domain: 1, bdf: 0, barMask: [0xfffff000, 0, 0, 0, 0, 0], shmemPeers: 3 }),
        pciDevice({ type: 3, domain: 1, bdf: 8, barMask: [0xfffff000, 0, 0, 0, 0, 0], shmemRegionsStart: 5, shmemPeers: 2, shmemProtocol: 1 }),
      ],
    }),
  },
  // Cells below the Jailhouse area at 0x1fa00000 (reserved in the device tree); IVSHMEM right below the hypervisor.
  board: {
    cellRam: [{ base: 0x8000000, size: 0x17a10000 }],
    sharedMemory: [{ base: 0x1fa10000, size: 0x1f0000 }],
    // Interrupt IDs 182-189: no BCM2711 peripheral raises them (upstream's vPCI interrupts).
    virtualIrqs: { first: 182, count: 8 },
    devices: {
      uart: {
        mmio: [{ phys: 0xfe215040, size: 0x40, flags: 'IO_8 IO_32' }], irqs: [125], console: consoles.uart8250Mmio(0xfe215040), shared: true,
        // The guest's node, as Jailhouse's inmate-rpi4.dts: the mini UART runs from the 500 MHz core clock.
        dts: `fixed: clk500mhz {
		compatible = "fixed-clock";
		#clock-cells = <0>;
		clock-frequency = <500000000>;
	};

	uart1: serial@fe215040 {
		compatible = "brcm,bcm2835-aux-uart";
		reg = <0x0 0xfe215040 0x0 0x40>;
		interrupts = <0 93 4>;
		clocks = <&fixed>;
	};`,
      },
    },
  },
  links: [
    { name: 'demo', kind: 'shmem', peers: ['root', 'inmate-demo', 'linux-demo'], bdf: 0 },
    { name: 'net', kind: 'net', peers: ['root', 'linux-demo'], bdf: 8 },
  ],
  cells: [
    {
      ...cellDefaults({
        name: "inmate-demo",
        flags: 1,
        vpciIrqBase: 0x98,
        console: { address: 0xfe215040, size: 0, type: 2, flags: 3, divider: 0, gateNr: 0, clockReg: 0 },
        memory: [
          ...ivshmemSharedRegions(0x1faf0000, 1, { peers: 3, rootShared: true }),
          mem(0xfe215040, 0x40, 'R W IO ROOTSHARED IO_8 IO_32'),
          mem(0x1fa00000, 0x10000, 'R W X LOADABLE', { virt: 0 }),
          commRegion(),
        ],
        irqchips: [{ address: 0xff841000, id: 0, pinBase: 160, pinBitmap: [0x1000000, 0, 0, 0] }],
        pciDevices: [
          pciDevice({ type: 3, domain: 1, bdf: 0, barMask: [0xfffff000, 0, 0, 0, 0, 0], shmemDevId: 1, shmemPeers: 3 }),
        ],
      }),
      cpus: 1,
      inmate: 'gic-demo.bin',
    },
    // FreeRTOS on CPU 2 beside gic-demo; with 4 cores the Linux guest keeps one (upstream gives it two).
    { name: 'freertos-demo', ram: { size: MiB }, cpus: 1, console: 'uart', inmate: 'freertos-demo.bin' },
    { name: 'linux-demo', ram: { size: 128 * MiB }, cpus: 1, devices: ['uart'], console: 'uart', linux: { cmdline: 'console=ttyS0,115200' } },
  ],
  kernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-root.config', 'fragments/board-common-arm64.config', 'fragments/rpi4.config'], image: 'Image', dtbs: ['broadcom/bcm2711-rpi-4-b.dtb'] },
  guestKernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-guest.config', 'fragments/rpi4-guest.config'], image: 'Image', dtbs: [] },
  boot: 'rpi-firmware',
  bootFirmware: { tfaPlatform: 'rpi4' },
  // Jailhouse's vPCI host takes PCI domain 1; the SoC's PCIe controller keeps domain 0.
  rootDtProperties: [{ path: '/scb/pcie@7d500000', name: 'linux,pci-domain', value: '<0>' }],
  // An SD card: the firmware reads the first (FAT) partition of an MBR disk.
  image: {
    table: 'mbr',
    partitions: [
      { name: 'boot', type: 'fat32', size: 64 * MiB, bootable: true, content: 'boot' },
      { name: 'root', type: 'linux', size: 'fit', content: 'root' },
    ],
  },
});
