/**
 * QEMU's q35 PC as upstream Jailhouse's configs/x86/qemu-x86.c, apic-demo.c and linux-x86-demo.c
 * describe it: 4 CPUs, 1 GiB, SeaBIOS's tables at the top of RAM, the IVSHMEM devices behind a
 * pcie-pci-bridge. Both x86 QEMU machines share it; they differ in the CPU's vendor and so in the
 * IOMMU the hypervisor drives (qemu-x86: AMD, none; qemu-x86-vtd: Intel VT-d).
 */
import { CELL_FLAGS, cellDefaults, consoles, mem, pciDevice, ivshmemNetRegions, ivshmemSharedRegions, type MachineInput } from '../../src/index.ts';
import { COM1, OXPCIE952 } from '../x86-common.ts';
import { board } from './board.ts';

/** The root cell of upstream's qemu-x86.c, region for region. */
export const q35RootCell = cellDefaults({
  name: "QEMU-VM",
  memory: [
    mem(0x3f000000, 0x1000, 'R'),
    mem(0x3f001000, 0xdf000, 'R W'),
    mem(0, 0, ''),
    mem(0, 0, ''),
    mem(0x3f0e0000, 0x1000, 'R'),
    mem(0x3f0e1000, 0xf000, 'R W'),
    mem(0, 0, ''),
    mem(0, 0, ''),
    ...ivshmemSharedRegions(0x3f0f0000, 0, { peers: 3, rootShared: false }),
    ...ivshmemNetRegions(0x3f100000, 0),
    mem(0, 0x3a000000, 'R W X DMA'),
    mem(0x3a600000, 0x4a00000, 'R W X DMA'),
    mem(0x3f200000, 0xddf000, 'R W X DMA'),
    mem(0x3ffdf000, 0x21000, 'R'),
    mem(0xfd000000, 0x1000000, 'R W'),
    mem(0xfe200000, 0x4000, 'R W'),
    mem(0xfea00000, 0x40000, 'R W'),
    mem(0xfea40000, 0x20000, 'R W'),
    mem(0xfea60000, 0x20000, 'R W'),
    mem(0xfea91000, 0x3000, 'R W'),
    mem(0xfea94000, 0x4000, 'R W'),
    mem(0xfea98000, 0x1000, 'R W'),
    mem(0xfea9a000, 0x1000, 'R W'),
    mem(0xfed00000, 0x1000, 'R W'),
  ],
  irqchips: [{ address: 0xfec00000, id: 0xff00, pinBase: 0, pinBitmap: [0xffffff, 0, 0, 0] }],
  pio: [{ base: 0, length: 0x1f }, { base: 0x40, length: 4 }, { base: 0x60, length: 2 }, { base: 0x64, length: 1 }, { base: 0x70, length: 2 }, { base: 0x1ce, length: 3 }, { base: 0x2f8, length: 8 }, { base: 0x3b0, length: 0x30 }, { base: 0x3f0, length: 8 }, { base: 0x402, length: 1 }, { base: 0xcd0, length: 8 }, { base: 0x5658, length: 4 }, { base: 0xd000, length: 0xff }],
  pciDevices: [
    pciDevice({ type: 1, bdf: 8 }),
    pciDevice({ type: 1, bdf: 0x10, barMask: [0xfffe0000, 0xfffe0000, 0xffffffe0, 0xffffc000, 0, 0], capsStart: 5, numCaps: 6, numMsiVectors: 1, msi64Bits: true, numMsixVectors: 5, msixRegionSize: 0x1000, msixAddress: 0xfea90000 }),
    pciDevice({ type: 2, bdf: 0x18, barMask: [0xffffff00, 0, 0, 0, 0, 0], capsStart: 0xb, numCaps: 5, numMsiVectors: 1, msi64Bits: true, msiMaskable: true }),
    pciDevice({ type: 1, bdf: 0xd8, numCaps: 2, numMsiVectors: 1, msi64Bits: true }),
    pciDevice({ type: 1, bdf: 0xf8 }),
    pciDevice({ type: 1, bdf: 0xfa, capsStart: 2, numCaps: 2, numMsiVectors: 1, msi64Bits: true }),
    pciDevice({ type: 1, bdf: 0xfb }),
    pciDevice({ type: 1, bdf: 0xff, barMask: [0xffffffe0, 0xfffff000, 0, 0, 0xffffc000, 0xffffffff], capsStart: 4, numCaps: 1, numMsixVectors: 2, msixRegionSize: 0x1000, msixAddress: 0xfea9b000 }),
    pciDevice({ type: 3, bdf: 0x160, barMask: [0xfffff000, 0xfffff000, 0, 0, 0, 0], numMsixVectors: 2, shmemPeers: 2, shmemProtocol: 0xc002 }),
    pciDevice({ type: 3, bdf: 0x168, barMask: [0xfffff000, 0xfffff000, 0, 0, 0, 0], numMsixVectors: 3, shmemRegionsStart: 4, shmemPeers: 2, shmemProtocol: 0xc003 }),
    pciDevice({ type: 3, bdf: 0x170, barMask: [0xfffff000, 0xfffff000, 0, 0, 0, 0], numMsixVectors: 0x10, shmemRegionsStart: 8, shmemPeers: 3 }),
    pciDevice({ type: 3, bdf: 0x178, barMask: [0xfffff000, 0xfffff000, 0, 0, 0, 0], numMsixVectors: 2, shmemRegionsStart: 0xd, shmemPeers: 2, shmemProtocol: 1 }),
  ],
  pciCaps: [
    { id: 5, start: 0x60, len: 14, flags: 1 },
    { id: 0, start: 0x40, len: 16, flags: 1 },
    { id: 0x12, start: 0xa8, len: 2, flags: 0 },
    { id: 5, start: 0x80, len: 14, flags: 1 },
    { id: 0x11, start: 0x98, len: 12, flags: 1 },
    { id: 1, start: 0xc8, len: 8, flags: 1 },
    { id: 5, start: 0xd0, len: 14, flags: 1 },
    { id: 0x10, start: 0xe0, len: 20, flags: 1 },
    { id: 0x11, start: 0xa0, len: 12, flags: 1 },
    { id: 0x8001, start: 0x100, len: 4, flags: 0 },
    { id: 0x8003, start: 0x140, len: 4, flags: 0 },
    { id: 5, start: 0x8c, len: 24, flags: 1 },
    { id: 1, start: 0x84, len: 8, flags: 1 },
    { id: 0x10, start: 0x48, len: 60, flags: 0 },
    { id: 0xc, start: 0x40, len: 2, flags: 0 },
    { id: 0x8001, start: 0x100, len: 64, flags: 0 },
  ],
});

/** What the two machines share: the memory, the root cell's devices, the links and cells, the kernel. */
export const q35 = {
  arch: 'x86',
  crossCompile: 'x86_64-linux-gnu-',
  cpus: 4,
  ram: [{ base: 0, size: 0x40000000 }],
  reservation: 'memmap',
  // The hypervisor's debug console is ttyS0 (0x3f8); the root kernel talks on ttyS1.
  rootConsole: ['console=ttyS1,115200'],
  board,
  links: [
    // Upstream's 3-peer demo device: the root (uio_ivshmem and tools/demos/ivshmem-demo), ivshmem-demo, Linux.
    { name: 'demo', kind: 'shmem', peers: ['root', 'ivshmem-demo', 'linux-x86-demo'], bdf: 0x170 },
    { name: 'virtio-blk', kind: 'virtio-blk', peers: ['root', 'linux-x86-demo'], bdf: 0x160 },
    { name: 'virtio-con', kind: 'virtio-console', peers: ['root', 'linux-x86-demo'], bdf: 0x168 },
    { name: 'net', kind: 'net', peers: ['root', 'linux-x86-demo'], bdf: 0x178 },
  ],
  cells: [
    {
      ...cellDefaults({
        name: "apic-demo",
        flags: CELL_FLAGS.VIRTUAL_CONSOLE_PERMITTED,
        console: consoles.uart8250Pio(COM1, { size: 0 }),
        memory: [
          mem(0x3ef00000, 0x100000, 'R W X LOADABLE', { virt: 0 }),
          mem(0, 0x1000, 'R W COMM_REGION', { virt: 0x100000 }),
        ],
        // One L3 CAT region, as upstream's apic-demo.c (JAILHOUSE_CACHE_L3 = code | data).
        cacheRegions: [{ start: 0, size: 2, type: 3, flags: 0 }],
        // Upstream's apic-demo.c also takes COM2; here COM2 is the root's console (the root kernel would
        // fault on its next write to a port its cell lost), so the demo keeps COM1 and the OXPCIe952.
        pio: [{ base: COM1, length: 8 }, { base: OXPCIE952, length: 8 }],
      }),
      // CPU 3, as upstream's apic-demo.c.
      cpus: [3],
      inmate: 'apic-demo.bin',
    },
    // Upstream's ivshmem-demo (CPU 1, RAM below apic-demo's), declared by needs: the demo link's second peer, on COM1.
    // PASSIVE_COMMREG as upstream: the inmate does not answer the comm region's shutdown request.
    { name: 'ivshmem-demo', ram: { size: 0x100000, at: 0x3ee00000 }, cpus: 1, console: 'com1', flags: CELL_FLAGS.PASSIVE_COMMREG, inmate: 'ivshmem-demo.bin' },
    // Declared by needs; virtio and networking links pinned to the root's devices, as upstream's linux-x86-demo.
    { name: 'linux-x86-demo', ram: { size: 0x4600000 }, cpus: 1, devices: ['com1', 'oxpcie952'], linux: { cmdline: 'console=ttyS0 8250.nr_uarts=1' } },
  ],
  kernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-root-x86.config', 'fragments/pc.config'], image: 'bzImage', dtbs: [] },
  // The Linux guest of linux-x86-demo: its own small kernel from the same tree, a BusyBox userland.
  guestKernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-guest-x86.config'], image: 'bzImage', dtbs: [] },
  guestRootfs: 'busybox',
} satisfies Partial<MachineInput>;

export const q35System = {
  arch: 'x86', flags: 1,
  hypervisorMemory: { phys: 0x3a000000, virt: 0, size: 0x600000, flags: 0 },
  debugConsole: consoles.uart8250Pio(COM1, { size: 0 }),
} as const;

/** The platform fields but the IOMMU units. */
export const q35Platform = {
  pciMmconfigBase: 0xb0000000, pciMmconfigEndBus: 0xff, pciIsVirtual: 0, pciDomain: 0,
  x86: { pmTimerAddress: 0x608, apicMode: 0, vtdInterruptLimit: 0x100, tscKhz: 0, apicKhz: 0 },
};

/**
 * QEMU's side of it: the bridge the IVSHMEM devices sit behind, and one terminal for COM1 (the
 * hypervisor's and the inmates' console), COM2 (the root's) and QEMU's monitor, as one UART is shared
 * on ARM: the runner sees every line in the order it was written.
 */
export const q35QemuArgs = ['-device', 'pcie-pci-bridge',
  '-chardev', 'stdio,id=console,mux=on,signal=off', '-serial', 'chardev:console', '-serial', 'chardev:console', '-mon', 'chardev=console'];
