/**
 * NXP i.MX8M Mini EVK (2 GiB), values from Jailhouse's configs/arm64/imx8mm*.c. Upstream's
 * linux-demo RAM (0x93c00000, 0x24000000) covers inmate-demo's RAM at 0xb3c00000; here the
 * linux-demo RAM ends below it (size 0x20000000) so that both cells can run at once, and
 * inmate-demo's IVSHMEM device says 3 peers like the root's (upstream: 1, with dev_id 1).
 */
import { cellDefaults, commRegion, consoles, defineMachine, ivshmemNetRegions, ivshmemSharedRegions, mem, pciDevice } from '../src/index.ts';

const MiB = 0x100000;

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
    debugConsole: { address: 0x30890000, size: 0x1000, type: 8, flags: 3, divider: 0, gateNr: 0, clockReg: 0 },
    platform: {pciMmconfigBase: 0xbb800000,pciMmconfigEndBus: 0,pciIsVirtual: 1,pciDomain: 1,iommuUnits: [],arm: {maintenanceIrq: 0x19,gicVersion: 3,gicdBase: 0x38800000,giccBase: 0,gichBase: 0,gicvBase: 0,gicrBase: 0x38880000}},
    rootCell: cellDefaults({
      name: "imx8mm",
      vpciIrqBase: 0x33,
      memory: [
        ...ivshmemSharedRegions(0xbba00000, 0, { peers: 3, rootShared: false }),
        ...ivshmemNetRegions(0xbbb00000, 0),
        mem(0, 0x38800000, 'R W IO'),
        mem(0x40000000, 0x73c00000, 'R W X'),
        mem(0xb3c00000, 0x4000000, 'R W X'),
        mem(0xb8000000, 0x3700000, 'R W X'),
        mem(0xbb700000, 0x100000, 'R W X'),
        mem(0xbbc00000, 0x2400000, 'R W X'),
        mem(0xbe000000, 0x2000000, 'R W'),
      ],
      irqchips: [{ address: 0x38800000, id: 0, pinBase: 32, pinBitmap: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff] }, { address: 0x38800000, id: 0, pinBase: 160, pinBitmap: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff] }, { address: 0x38800000, id: 0, pinBase: 288, pinBitmap: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff] }],
      pciDevices: [
        pciDevice({ type: 3, domain: 1, bdf: 0, barMask: [0xfffff000, 0, 0, 0, 0, 0], shmemPeers: 3 }),
        pciDevice({ type: 3, domain: 1, bdf: 8, barMask: [0xfffff000, 0, 0, 0, 0, 0], shmemRegionsStart: 5, shmemPeers: 2, shmemProtocol: 1 }),
      ],
    }),
  },
  // Cells at the top of the root's RAM below the hypervisor (reserved in the device tree).
  board: {
    cellRam: [{ base: 0x80000000, size: 0x37c00000 }],
    sharedMemory: [{ base: 0xbba00000, size: 0x200000 }],
    // Interrupt IDs 106-113: unused on the i.MX8M Mini (upstream's vPCI interrupts).
    virtualIrqs: { first: 106, count: 8 },
    devices: {
      uart2: { mmio: [{ phys: 0x30890000, size: 0x1000 }], console: consoles.imx(0x30890000), shared: true },
      // Guest nodes as Jailhouse's inmate-imx8mm-evk.dts: the root set the clocks up; the guest sees them fixed.
      uart4: {
        mmio: [{ phys: 0x30a60000, size: 0x1000 }], irqs: [61],
        dtsAliases: { serial3: 'uart4' },
        dts: `osc_24m: clock-osc-24m {
		compatible = "fixed-clock";
		#clock-cells = <0>;
		clock-frequency = <24000000>;
	};

	uart4: serial@30a60000 {
		compatible = "fsl,imx8mm-uart", "fsl,imx6q-uart";
		reg = <0x0 0x30a60000 0x0 0x10000>;
		interrupts = <0 29 4>;
		clocks = <&osc_24m>, <&osc_24m>;
		clock-names = "ipg", "per";
	};`,
      },
      usdhc3: {
        mmio: [{ phys: 0x30b60000, size: 0x10000 }], irqs: [56],
        dtsAliases: { mmc2: 'usdhc3' },
        dts: `clk_266m: clock-266m {
		compatible = "fixed-clock";
		#clock-cells = <0>;
		clock-frequency = <266000000>;
	};

	clk_200m: clock-200m {
		compatible = "fixed-clock";
		#clock-cells = <0>;
		clock-frequency = <200000000>;
	};

	usdhc3: mmc@30b60000 {
		compatible = "fsl,imx8mm-usdhc", "fsl,imx7d-usdhc";
		reg = <0x0 0x30b60000 0x0 0x10000>;
		interrupts = <0 24 4>;
		clocks = <&clk_266m>, <&clk_266m>, <&clk_200m>;
		clock-names = "ipg", "ahb", "per";
		bus-width = <8>;
		non-removable;
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
        vpciIrqBase: 0x4c,
        console: { address: 0x30890000, size: 0, type: 8, flags: 3, divider: 0, gateNr: 0, clockReg: 0 },
        memory: [
          ...ivshmemSharedRegions(0xbba00000, 1, { peers: 3, rootShared: true }),
          mem(0x30890000, 0x1000, 'R W IO ROOTSHARED'),
          mem(0xb3c00000, 0x10000, 'R W X LOADABLE', { virt: 0 }),
          commRegion(),
        ],
        irqchips: [{ address: 0x38800000, id: 0, pinBase: 96, pinBitmap: [0x1000, 0, 0, 0] }],
        pciDevices: [
          pciDevice({ type: 3, domain: 1, bdf: 0, barMask: [0xfffff000, 0, 0, 0, 0, 0], shmemDevId: 1, shmemPeers: 3 }),
        ],
      }),
      cpus: 1,
      inmate: 'gic-demo.bin',
    },
    // FreeRTOS on CPU 2 beside gic-demo; with 4 cores the Linux guest keeps one (upstream gives it two).
    { name: 'freertos-demo', ram: { size: MiB }, cpus: 1, console: 'uart2', inmate: 'freertos-demo.bin' },
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
