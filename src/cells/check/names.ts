/** Cell names: the hypervisor keeps CELL_NAME_MAX characters and refuses a second cell of one name (-EEXIST). */
import { CELL_NAME_MAX } from '../model.ts';
import type { CheckRule } from './rule.ts';

export const namesRule: CheckRule = {
  name: 'names',
  check({ all }, add) {
    const seen = new Set<string>();
    for (const cell of all) {
      if (cell.name.length === 0) add({ code: 'E_CELL_NAME_EMPTY', cell: '(unnamed)', message: 'the cell has no name', hint: 'give every cell a name' });
      if (cell.name.length > CELL_NAME_MAX) {
        add({ code: 'E_CELL_NAME_LENGTH', cell: cell.name, message: `name is ${cell.name.length} characters; Jailhouse keeps ${CELL_NAME_MAX}`,
          hint: `shorten it to at most ${CELL_NAME_MAX} characters` });
      }
      if (seen.has(cell.name)) add({ code: 'E_CELL_NAME_DUPLICATE', cell: cell.name, message: 'two cells have this name; the hypervisor refuses the second', hint: 'rename one of them' });
      seen.add(cell.name);
    }
  },
};
