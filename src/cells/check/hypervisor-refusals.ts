/** What the hypervisor itself refuses when a cell is created, and the ivshmem-v2 rules whose breach breaks a link at run time. */
// Read from its code (siemens/jailhouse hypervisor/: control.c cell_create and cell_init, ivshmem.c
// ivshmem_init, arch/arm-common/irqchip.c irqchip_cell_init, arch/x86/ioapic.c ioapic_cell_init,
// arch/x86/cat.c cat_cell_init) and Documentation/ivshmem-v2-specification.md. README "What cells
// check refuses" maps each to its code and test.
import { cellSize } from '../binary.ts';
import { hex } from '../describe.ts';
import { deviceRegions } from '../helpers.ts';
import { MEM, PCI_TYPE, type Cell, type MemoryRegion, type SystemConfig } from '../model.ts';
import type { Add } from './finding.ts';
import type { CheckRule } from './rule.ts';

const PAGE_SIZE = 0x1000;
/** hypervisor/arch/{arm64,x86}/include/asm/paging.h */
const NUM_TEMPORARY_PAGES = 16;
/** The largest config cell_create takes; jhbuild reads no larger .cell file either. */
export const CONFIG_MAX_BYTES = NUM_TEMPORARY_PAGES * PAGE_SIZE;
/** hypervisor/ivshmem.c, include/jailhouse/ivshmem.h (PCI_EMBEDDED_MSIX_VECTS) */
const IVSHMEM_MAX_PEERS = 12;
const IVSHMEM_MSIX_VECTORS = 16;
/** hypervisor/arch/arm-common/include/asm/cell.h: u32 irq_bitmap[1024/32] */
const ARM_IRQ_BITMAP_BITS = 1024;
/** include/jailhouse/cell-config.h JAILHOUSE_CACHE_L3 (= L3_CODE | L3_DATA) */
const CACHE_L3 = 3;

export const hypervisorRefusalsRule: CheckRule = {
  name: 'hypervisor-refusals',
  check({ system, cells, all }, add) {
    // The id that cell_create compares (-EEXIST) is set by the driver (cell-config.h), not by the config.
    for (const cell of cells) {
      // control.c cell_create: the config must fit NUM_TEMPORARY_PAGES pages, else -E2BIG.
      const size = cellSize(cell);
      if (size > CONFIG_MAX_BYTES) {
        add({ code: 'E_CELL_CONFIG_SIZE', cell: cell.name, message: `the config is ${size} bytes; the hypervisor maps at most ${NUM_TEMPORARY_PAGES} pages (${CONFIG_MAX_BYTES}) and answers -E2BIG`,
          hint: 'merge adjacent memory regions or drop unused PCI devices and capabilities' });
      }
    }
    for (const cell of all) {
      checkCpuSet(cell, add);
      if (system.arch === 'x86') checkX86(cell, add);
      else checkArmIrqchips(system, cell, add);
      checkIvshmemDevices(cell, add);
    }
  },
};

/** control.c cell_init: cpu_set_size above a page is -EINVAL; a CPU past the set cannot be expressed. */
function checkCpuSet(cell: Cell, add: Add): void {
  if (cell.cpuSetSize > PAGE_SIZE || cell.cpuSetSize % 8 !== 0 || cell.cpuSetSize === 0) {
    add({ code: 'E_CELL_CPU_SET_SIZE', cell: cell.name, message: `cpu_set_size is ${cell.cpuSetSize}; it must be a non-zero multiple of 8 and at most ${PAGE_SIZE} (cell_init answers -EINVAL above)`,
      hint: 'use 8 (one 64-bit word) unless the machine has more than 64 CPUs' });
    return;
  }
  const beyond = cell.cpus.filter((cpu) => cpu >= cell.cpuSetSize * 8);
  if (beyond.length > 0) {
    add({ code: 'E_CELL_CPU_SET_SIZE', cell: cell.name, message: `CPU ${beyond.join(',')} does not fit a cpu_set_size of ${cell.cpuSetSize} bytes`,
      hint: `raise cpu_set_size to ${Math.ceil((Math.max(...beyond) + 1) / 64) * 8}` });
  }
}

/** arch/arm-common/irqchip.c irqchip_cell_init. */
function checkArmIrqchips(system: SystemConfig, cell: Cell, add: Add): void {
  const gicd = system.platform.arm?.gicdBase;
  cell.irqchips.forEach((chip, i) => {
    // An entry with no pins is a placeholder (upstream's ls1028a demos have one): nothing is lost.
    if (chip.address !== gicd && chip.pinBitmap.some((word) => word !== 0)) {
      add({ code: 'E_IRQCHIP_UNKNOWN', cell: cell.name, message: `irqchip ${i} at ${hex(chip.address)} is not the GIC distributor (${hex(gicd ?? 0)}): the hypervisor skips it and the cell never gets those interrupts`,
        hint: `set its address to ${hex(gicd ?? 0)}` });
      return;
    }
    if (chip.address !== gicd) return;
    if (chip.pinBase % 32 !== 0 || chip.pinBase + 128 > ARM_IRQ_BITMAP_BITS) {
      add({ code: 'E_IRQCHIP_PIN_BASE', cell: cell.name, message: `irqchip ${i} has pin_base ${chip.pinBase}; it must be a multiple of 32 with pin_base + 128 <= ${ARM_IRQ_BITMAP_BITS} (irqchip_cell_init answers -EINVAL)`,
        hint: 'use pin_base 32, 160, ... and split the pins across irqchip entries' });
    }
  });
}

/** arch/x86/ioapic.c ioapic_cell_init and arch/x86/cat.c cat_cell_init. */
function checkX86(cell: Cell, add: Add): void {
  cell.irqchips.forEach((chip, i) => {
    if (chip.pinBase !== 0) {
      add({ code: 'E_IOAPIC_PIN_BASE', cell: cell.name, message: `IOAPIC irqchip ${i} has pin_base ${chip.pinBase}; ioapic_cell_init answers -EINVAL unless it is 0`,
        hint: 'set pin_base to 0 (one entry covers an IOAPIC\'s pins)' });
    }
  });
  if (cell.cacheRegions.length === 0) return;
  const c = cell.cacheRegions[0]!;
  if (cell.cacheRegions.length !== 1 || c.type !== CACHE_L3 || c.size === 0) {
    add({ code: 'E_CACHE_REGIONS', cell: cell.name, message: `${cell.cacheRegions.length} cache region(s), the first of type ${c.type} and size ${c.size}; cat_cell_init takes exactly one L3 region of non-zero size (-EINVAL otherwise)`,
      hint: 'declare one region: { start, size > 0, type: L3 }' });
  }
}

/**
 * ivshmem.c ivshmem_init (vector and peer limits) and the ivshmem-v2 rules: the state table is
 * non-empty, holds every peer and is read-only; the read/write section is writable; each peer's
 * output section is writable by that peer only.
 */
function checkIvshmemDevices(cell: Cell, add: Add): void {
  cell.pciDevices.forEach((d, i) => {
    if (d.type !== PCI_TYPE.IVSHMEM) return;
    const where = `IVSHMEM device ${i} (bdf ${hex(d.bdf)})`;
    if (d.numMsixVectors > IVSHMEM_MSIX_VECTORS) {
      add({ code: 'E_IVSHMEM_MSIX', cell: cell.name, message: `${where} asks for ${d.numMsixVectors} MSI-X vectors; ivshmem_init answers -EINVAL above ${IVSHMEM_MSIX_VECTORS}`,
        hint: `use at most ${IVSHMEM_MSIX_VECTORS} vectors` });
    }
    if (d.shmemPeers > IVSHMEM_MAX_PEERS || d.shmemDevId >= IVSHMEM_MAX_PEERS) {
      add({ code: 'E_IVSHMEM_PEERS_MAX', cell: cell.name, message: `${where} has ${d.shmemPeers} peers and dev_id ${d.shmemDevId}; the hypervisor links at most ${IVSHMEM_MAX_PEERS} (-EINVAL)`,
        hint: `keep peers and dev_id below ${IVSHMEM_MAX_PEERS}` });
      return;
    }
    const regions = deviceRegions(cell, d);
    if (regions.length < 2 + d.shmemPeers) return; // E_IVSHMEM_REGIONS reports it
    const region = (k: number) => d.shmemRegionsStart + k;
    const writable = (m: MemoryRegion) => (m.flags & MEM.WRITE) !== 0;
    const state = regions[0]!;
    if (state.size < 4 * d.shmemPeers) {
      add({ code: 'E_IVSHMEM_STATE_TABLE', cell: cell.name, region: region(0), message: `${where}: its state table is ${state.size} bytes, ${d.shmemPeers} peers need ${4 * d.shmemPeers}`,
        hint: 'give the state table one page' });
    }
    const access = (k: number, why: string) => add({ code: 'E_IVSHMEM_ACCESS', cell: cell.name, region: region(k), message: `${where}: ${why}`,
      hint: 'state table R; read/write section R W; output section of dev_id R W; the other peers\' output sections R' });
    if (writable(state)) access(0, 'the state table is writable; the ivshmem-v2 protocol makes it read-only for every peer');
    if (regions[1]!.size > 0 && !writable(regions[1]!)) access(1, 'the read/write section is not writable');
    for (let peer = 0; peer < d.shmemPeers; peer++) {
      const out = regions[2 + peer]!;
      if (out.size === 0) continue;
      if (peer === d.shmemDevId && !writable(out)) access(2 + peer, `its own output section (peer ${peer}) is not writable: nothing it sends reaches the others`);
      if (peer !== d.shmemDevId && writable(out)) access(2 + peer, `the output section of peer ${peer} is writable here; only its owner may write it`);
    }
  });
}
