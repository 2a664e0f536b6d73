/** Private RAM of two non-root cells overlapping: each takes it from the root, and both would run on the same memory. */
import { hex } from '../describe.ts';
import { occupiesRam } from '../helpers.ts';
import { MEM, type MemoryRegion } from '../model.ts';
import { overlaps, span } from './finding.ts';
import type { CheckRule } from './rule.ts';

/** A non-root cell's own memory: RAM it takes from the root (not shared, not I/O, not the comm region). */
const isPrivateRam = (m: MemoryRegion) => occupiesRam(m) && (m.flags & MEM.ROOTSHARED) === 0;

export const privateMemoryRule: CheckRule = {
  name: 'private-memory',
  check({ cells }, add) {
    for (let a = 0; a < cells.length; a++) {
      for (let b = 0; b < a; b++) {
        const A = cells[a]!;
        const B = cells[b]!;
        A.memory.forEach((m, i) => {
          if (!isPrivateRam(m)) return;
          B.memory.forEach((n, j) => {
            if (isPrivateRam(n) && overlaps(m.phys, m.phys + m.size, n.phys, n.phys + n.size)) {
              add({ code: 'E_CELL_OVERLAP', cell: A.name, region: i, range: span(m),
                message: `region ${i} [${hex(m.phys)}, ${hex(m.phys + m.size)}) overlaps region ${j} of cell "${B.name}" [${hex(n.phys)}, ${hex(n.phys + n.size)})`,
                hint: 'give each cell its own RAM, or share it explicitly (ROOTSHARED / IVSHMEM)' });
            }
          });
        });
      }
    }
  },
};
