/** The hypervisor's and the cells' RAM must be reserved from the root kernel (mem=/memmap=, reserved-memory), or Linux uses it as its own. */
import { hex } from '../describe.ts';
import { occupiesRam } from '../helpers.ts';
import type { MemoryRegion } from '../model.ts';
import { coveredFrom } from './finding.ts';
import type { CheckRule } from './rule.ts';

export const reservationRule: CheckRule = {
  name: 'reservation',
  check({ system, cells, options }, add) {
    // Without a reservation to compare with (cells check of files without --cmdline) there is nothing to say.
    if (!options.reserved) return;
    const reserved = [...options.reserved].sort((x, y) => x.start - y.start);
    const uses: { cell: string; index: number; m: MemoryRegion }[] = [
      { cell: '(hypervisor)', index: -1, m: system.hypervisorMemory },
      ...cells.flatMap((cell) => cell.memory.map((m, index) => ({ cell: cell.name, index, m })).filter((u) => occupiesRam(u.m))),
    ];
    for (const u of uses) {
      const [s, e] = [u.m.phys, u.m.phys + u.m.size];
      const covered = coveredFrom(s, reserved);
      if (covered < e) {
        add({ code: 'E_CELL_NOT_RESERVED', cell: u.cell, ...(u.index >= 0 ? { region: u.index } : {}), range: [s, e],
          message: `${u.index >= 0 ? `region ${u.index}` : 'hypervisor memory'} [${hex(s)}, ${hex(e)}) is not reserved from the root kernel (${options.reservedFrom ?? 'no reservation'}); Linux would use it as RAM`,
          hint: 'reserve it on the root cmdline (mem=/memmap=) or in the device tree (reserved-memory, no-map)' });
      }
    }
  },
};
