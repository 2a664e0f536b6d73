/** Interrupts: creating a cell takes its interrupts from the root with no check, so a second cell silently takes them from the first. */
import { irqsOf } from '../helpers.ts';
import type { CheckRule } from './rule.ts';

export const interruptsRule: CheckRule = {
  name: 'interrupts',
  check({ cells }, add) {
    const irqOwner = new Map<number, string>();
    for (const cell of cells) {
      for (const irq of irqsOf(cell.irqchips)) {
        const other = irqOwner.get(irq);
        if (other !== undefined && other !== cell.name) {
          add({ code: 'E_CELL_IRQ_SHARED', cell: cell.name, message: `interrupt ${irq} is also given to cell "${other}"; whichever starts last takes it`,
            hint: 'give each interrupt to one non-root cell (a console needs none)' });
        }
        irqOwner.set(irq, cell.name);
      }
    }
  },
};
