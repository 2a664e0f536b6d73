/** A cell config built for another architecture than the system's: it cannot describe a cell of this machine. */
import type { CheckRule } from './rule.ts';

export const archRule: CheckRule = {
  name: 'arch',
  check({ system, configs }, add) {
    for (const c of configs) {
      if (c.arch !== system.arch) {
        add({ code: 'E_CELL_ARCH', cell: c.cell.name, message: `cell is for ${c.arch}, the system is ${system.arch}`,
          hint: `build the cell config for ${system.arch}` });
      }
    }
  },
};
