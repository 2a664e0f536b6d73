/** The memory regions of one cell: 4 KiB alignment, overlaps inside the cell, and overlaps with what the hypervisor owns (its memory, MMCONFIG, IOMMUs, the interrupt controller). */
import { hex } from '../describe.ts';
import { MEM, type MemoryRegion } from '../model.ts';
import { overlaps, span, type Range } from './finding.ts';
import type { CellRule, CheckContext } from './rule.ts';

const PAGE = 0x1000;
const isComm = (m: MemoryRegion) => (m.flags & MEM.COMM_REGION) !== 0;
const isEmpty = (m: MemoryRegion) => m.size === 0;
const isIo = (m: MemoryRegion) => (m.flags & MEM.IO) !== 0;

/** What the hypervisor keeps or emulates: a cell mapping it would bypass or break the hypervisor. */
function hypervisorOwned({ system, root, options, vpci }: CheckContext): Range[] {
  const hv = system.hypervisorMemory;
  const pf = system.platform;
  const owned: Range[] = [{ start: hv.phys, end: hv.phys + hv.size, what: 'hypervisor memory' }];
  // A virtual PCI host's BARs are emulated too: the whole window must trap.
  if (pf.pciMmconfigBase) owned.push({ start: pf.pciMmconfigBase, end: vpci?.end ?? pf.pciMmconfigBase + (pf.pciMmconfigEndBus + 1) * 256 * 4096, what: 'PCI MMCONFIG' });
  pf.iommuUnits.forEach((u, i) => owned.push({ start: u.base, end: u.base + u.size, what: `IOMMU unit ${i}` }));
  if (pf.arm) {
    const cpuCount = Math.max(root.cpus.length, options.cpuCount ?? 0);
    const v3 = pf.arm.gicVersion === 3;
    if (pf.arm.gicdBase) owned.push({ start: pf.arm.gicdBase, end: pf.arm.gicdBase + (v3 ? 0x10000 : 0x1000), what: 'GIC distributor' });
    if (v3 && pf.arm.gicrBase) owned.push({ start: pf.arm.gicrBase, end: pf.arm.gicrBase + 0x20000 * cpuCount, what: 'GIC redistributors' });
    if (!v3) {
      for (const [name, base] of [['GIC CPU interface', pf.arm.giccBase], ['GIC hypervisor interface', pf.arm.gichBase], ['GIC virtual CPU interface', pf.arm.gicvBase]] as const) {
        if (base) owned.push({ start: base, end: base + 0x2000, what: name });
      }
    }
  }
  if (pf.x86) owned.push({ start: 0xfee00000, end: 0xfee01000, what: 'xAPIC' });
  return owned;
}

const overlapCode = (what: string) => what === 'hypervisor memory' ? 'E_CELL_HYPERVISOR_OVERLAP' : what === 'PCI MMCONFIG' ? 'E_CELL_MMCONFIG_OVERLAP'
  : what.startsWith('IOMMU') ? 'E_CELL_IOMMU_OVERLAP' : 'E_CELL_IRQCHIP_OVERLAP';

export const regionsRule: CellRule = {
  name: 'regions',
  forCells(ctx, add) {
    const owned = hypervisorOwned(ctx);
    return (cell) => cell.memory.forEach((m, i) => {
      if (isEmpty(m)) return;
      const range = span(m);
      // Sub-page regions are mapped as trapped MMIO (JAILHOUSE_MEMORY_IS_SUBPAGE), which RAM must never be.
      if (!isIo(m) && ((m.phys | m.virt | m.size) & (PAGE - 1)) !== 0) {
        add({ code: 'E_CELL_ALIGN', cell: cell.name, region: i, range, message: `region ${i} (${hex(m.phys)}, size ${hex(m.size)}, virt ${hex(m.virt)}) is not 4 KiB aligned`,
          hint: 'align start, virtual start and size to 0x1000 (only MMIO regions may be sub-page)' });
      }
      // The communication region's phys is a placeholder the hypervisor fills in, not an address.
      for (const o of owned) {
        if (!isComm(m) && overlaps(range[0], range[1], o.start, o.end)) {
          add({ code: overlapCode(o.what), cell: cell.name, region: i, range,
            message: `region ${i} [${hex(range[0])}, ${hex(range[1])}) overlaps the ${o.what} [${hex(o.start)}, ${hex(o.end)})`,
            hint: `shrink or move region ${i}; the ${o.what} belongs to the hypervisor` });
        }
      }
      for (let j = 0; j < i; j++) {
        const n = cell.memory[j]!;
        if (isEmpty(n)) continue;
        const physClash = !isComm(m) && !isComm(n) && overlaps(m.phys, m.phys + m.size, n.phys, n.phys + n.size);
        const virtClash = overlaps(m.virt, m.virt + m.size, n.virt, n.virt + n.size);
        if (physClash || virtClash) {
          add({ code: 'E_CELL_REGION_OVERLAP', cell: cell.name, region: i, range,
            message: `region ${i} overlaps region ${j} (${physClash ? 'physical' : 'virtual'} [${hex(physClash ? n.phys : n.virt)}, ${hex((physClash ? n.phys : n.virt) + n.size)}))`,
            hint: `make regions ${j} and ${i} disjoint or merge them` });
        }
      }
    });
  },
};
