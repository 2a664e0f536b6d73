/** A machine's cell configs as files: names, binary encoding, C sources, and the whole-system check. */
import { checkConfigs, rootConsolePorts, type Finding } from '../cells/check/index.ts';
import { encodeCell, encodeSystem } from '../cells/binary.ts';
import { nonRootTemplateData, systemTemplateData } from '../cells/render-c.ts';
import type { CellConfig } from '../cells/model.ts';
import { reservedByCmdline, reservedRanges, rootCmdline } from './cmdline.ts';
import type { Machine } from '../machine/types.ts';

export const systemCellName = (machine: Machine) => machine.name;
export const cellFileName = (machine: Machine, cell: string) => `${machine.name}-${cell}`;

export function nonRootConfigs(machine: Machine): CellConfig[] {
  return machine.cells.map(({ inmate: _i, linux: _l, ...cell }) => ({ arch: machine.arch, cell }));
}

/** file base name -> .cell bytes */
export function encodeMachineCells(machine: Machine): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>([[`${systemCellName(machine)}.cell`, encodeSystem(machine.system)]]);
  for (const config of nonRootConfigs(machine)) files.set(`${cellFileName(machine, config.cell.name)}.cell`, encodeCell(config));
  return files;
}

/** file name -> C source, rendered with the given template renderer (templates/cells/*.c.hbs). */
export function renderMachineCells(machine: Machine, render: (template: string, data: unknown) => string): Map<string, string> {
  const files = new Map<string, string>();
  files.set(`${systemCellName(machine)}.c`, render('cells/system.c.hbs', { machine: machine.name, ...systemTemplateData(machine.system), cell: systemTemplateData(machine.system).root }));
  for (const config of nonRootConfigs(machine)) {
    files.set(`${cellFileName(machine, config.cell.name)}.c`, render('cells/cell.c.hbs', { machine: machine.name, ...nonRootTemplateData(machine.arch, config.cell) }));
  }
  return files;
}

/** Every check, with the reservation jhbuild will actually give the root kernel. */
export function checkMachine(machine: Machine): Finding[] {
  const cmdline = rootCmdline(machine);
  const reserved = machine.reservation === 'devicetree' ? reservedRanges(machine) : reservedByCmdline(cmdline, machine);
  const reservedFrom = machine.reservation === 'devicetree' ? 'device-tree reserved-memory' : `root cmdline "${cmdline.join(' ')}"`;
  const boardWindows = [
    ...(machine.board?.windows ?? []).map((w) => ({ start: w.base, end: w.base + w.size, what: w.what })),
    ...Object.entries(machine.board?.devices ?? {}).flatMap(([name, d]) => (d.mmio ?? []).map((w) => ({ start: w.phys, end: w.phys + w.size, what: `device ${name}` }))),
  ];
  return checkConfigs(machine.system, nonRootConfigs(machine), { reserved, reservedFrom, cpuCount: machine.cpus, boardWindows, ram: machine.ram,
    rootConsolePorts: rootConsolePorts(cmdline) });
}
