/** Where `jailhouse cell load` writes the image: a non-root cell needs a LOADABLE region, and loading goes through the root's mappings. */
import { hex } from '../describe.ts';
import { occupiesRam } from '../helpers.ts';
import { MEM, type MemoryRegion } from '../model.ts';
import { coveredFrom, span } from './finding.ts';
import type { CellRule, CheckRule } from './rule.ts';

const isLoadable = (m: MemoryRegion) => (m.flags & MEM.LOADABLE) !== 0 && m.size > 0;

export const hasLoadableRule: CellRule = {
  name: 'has-loadable',
  forCells(_ctx, add) {
    return (cell) => {
      if (!cell.memory.some(isLoadable)) {
        add({ code: 'E_CELL_NO_LOADABLE', cell: cell.name, message: 'no region is LOADABLE: `jailhouse cell load` has nowhere to put the image',
          hint: 'mark the cell\'s RAM (where the inmate starts) with LOADABLE' });
      }
    };
  },
};

/**
 * The hypervisor gives LOADABLE regions back to the root only where the root's own config maps
 * them (remap_to_root_cell), so loading anywhere else faults the root.
 */
export const loadableInRootRule: CheckRule = {
  name: 'loadable-in-root',
  check({ root, cells }, add) {
    const rootRam = root.memory.filter(occupiesRam).sort((x, y) => x.phys - y.phys).map((r) => ({ start: r.phys, end: r.phys + r.size }));
    for (const cell of cells) {
      cell.memory.forEach((m, i) => {
        if (!isLoadable(m)) return;
        const covered = coveredFrom(m.phys, rootRam);
        if (covered < m.phys + m.size) {
          add({ code: 'E_CELL_LOADABLE_NOT_IN_ROOT', cell: cell.name, region: i, range: span(m),
            message: `LOADABLE region ${i} [${hex(m.phys)}, ${hex(m.phys + m.size)}) is not in the root cell's memory from ${hex(covered)}; \`jailhouse cell load\` would fault the root`,
            hint: 'place the cell\'s RAM inside the root cell\'s RAM regions (board.cellRam), or extend the root\'s RAM region over it' });
        }
      });
    }
  },
};
