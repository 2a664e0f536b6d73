/** CPUs: each non-root cell takes at least one, from the root's set, that no other cell took (cell_create -EBUSY), and the root keeps one to run on. */
import type { CellRule, CheckRule } from './rule.ts';

export const cpusRule: CellRule = {
  name: 'cpus',
  forCells({ root, options }, add) {
    const rootCpus = new Set(root.cpus);
    // Who took each CPU last: creating a cell moves its CPUs out of the root, so a later cell asking for one gets -EBUSY.
    const cpuOwner = new Map<number, string>();
    return (cell) => {
      if (cell.cpus.length === 0) add({ code: 'E_CELL_CPU_EMPTY', cell: cell.name, message: 'the cell has no CPU', hint: 'give it at least one CPU' });
      for (const cpu of cell.cpus) {
        if (options.cpuCount !== undefined && cpu >= options.cpuCount) {
          add({ code: 'E_CELL_CPU_RANGE', cell: cell.name, message: `CPU ${cpu} does not exist; the machine has ${options.cpuCount}`, hint: 'ask for fewer CPUs or raise the machine\'s cpus' });
        } else if (!rootCpus.has(cpu)) {
          add({ code: 'E_CELL_CPU_NOT_IN_ROOT', cell: cell.name, message: `CPU ${cpu} is not in the root cell's set (${root.cpus.join(',')})`, hint: 'non-root cells can only take CPUs from the root cell' });
        }
        const other = cpuOwner.get(cpu);
        if (other !== undefined) add({ code: 'E_CELL_CPU_SHARED', cell: cell.name, message: `CPU ${cpu} is also given to cell "${other}"`, hint: 'give each CPU to one non-root cell' });
        cpuOwner.set(cpu, cell.name);
      }
    };
  },
};

/** cell_create refuses to take the CPU it is called on; the root runs the driver, so it must keep one. */
export const rootKeepsCpuRule: CheckRule = {
  name: 'root-keeps-cpu',
  check({ root, cells }, add) {
    if (root.cpus.length > 0 && root.cpus.every((cpu) => cells.some((c) => c.cpus.includes(cpu)))) {
      add({ code: 'E_CELL_ROOT_NO_CPU', cell: root.name, message: 'the non-root cells take every CPU of the root cell', hint: 'leave at least one CPU (CPU 0) to the root cell' });
    }
  },
};
