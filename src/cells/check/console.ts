/** A non-root cell's console must lie in its own regions: the inmate writes there, and a write outside them faults the cell. */
import { hex } from '../describe.ts';
import { CON_FLAGS, CON_TYPE } from '../model.ts';
import type { CellRule } from './rule.ts';

export const consoleRule: CellRule = {
  name: 'console',
  forCells({ root }, add) {
    return (cell) => {
      // The root cell is Linux: it finds its console from its own device tree or cmdline, not from this field.
      const con = cell === root ? undefined : cell.console;
      if (!con || con.type === CON_TYPE.NONE || con.type === CON_TYPE.EFIFB) return;
      const mmioConsole = (con.flags & CON_FLAGS.MMIO) !== 0;
      const inside = mmioConsole ? cell.memory.some((m) => m.size > 0 && con.address >= m.phys && con.address < m.phys + m.size)
        : cell.pio.some((p) => con.address >= p.base && con.address < p.base + p.length);
      if (!inside) {
        add({ code: 'E_CELL_CONSOLE_OUTSIDE', cell: cell.name, range: [con.address, con.address + Math.max(con.size, 1)],
          message: `console at ${hex(con.address)} is outside the cell's ${mmioConsole ? 'memory' : 'PIO'} regions`,
          hint: `add a region that covers ${hex(con.address)} (e.g. the UART, ROOTSHARED) or drop the console` });
      }
    };
  },
};
