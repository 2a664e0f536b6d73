/** MachineInput -> Machine: validate, derive every CPU set from the one CPU count. */
import type { Cell, SystemConfig } from '../cells/model.ts';
import { Checker } from '../checker.ts';
import type { CellInput, Machine, MachineCell, MachineInput } from './types.ts';
import { placeCells } from '../cells/place/place.ts';
import { isCellNeeds } from '../cells/place/needs.ts';
import { validateNeeds } from '../cells/place/validate.ts';
import { validateCellConfig, validateSystemConfig } from '../cells/validate-input.ts';

/** cpu_set_size is at most a page (control.c cell_init): 4096 bytes of CPU bits. */
const MAX_CPUS = 4096 * 8;
const MACHINE_KEYS = ['name', 'summary', 'arch', 'crossCompile', 'cpus', 'ram', 'reservation', 'rootConsole',
  'rootCmdline', 'intelIommuOff', 'system', 'rootCellFile', 'cells', 'board', 'links', 'kernel', 'guestKernel', 'guestRootfs', 'qemu', 'image', 'boot', 'bootFirmware', 'rootDtProperties', 'licensesAccepted'] as const;

/** Non-root cells take the CPUs they name, or a count of CPUs from 1 upwards in declaration order; CPU 0 always stays with the root. */
export function allocateCpus(count: number, cells: readonly CellInput[]): number[][] {
  // Pinned CPUs first, wherever their cell is declared: a count never takes a CPU another cell names.
  const taken = new Set<number>(cells.flatMap((cell) => (typeof cell.cpus === 'number' ? [] : cell.cpus)));
  return cells.map((cell) => {
    if (typeof cell.cpus !== 'number') return [...cell.cpus];
    const mine: number[] = [];
    for (let cpu = 1; cpu < count && mine.length < cell.cpus; cpu++) {
      if (!taken.has(cpu)) { mine.push(cpu); taken.add(cpu); }
    }
    // Not enough CPUs: keep what was asked so that `cells check` reports it, never silently fewer.
    for (let cpu = count; mine.length < cell.cpus; cpu++) mine.push(cpu);
    return mine;
  });
}

export function validateMachineInput(value: unknown, file: string, expectedName: string): MachineInput {
  const check = new Checker(file);
  const m = check.object(value, 'machine');
  check.known(m, '', MACHINE_KEYS);
  const name = check.string(m.name, 'name');
  if (name !== expectedName) check.fail('name', `"${name}" differs from its file name "${expectedName}.machine.ts"`, `set name: "${expectedName}"`);
  check.string(m.summary, 'summary');
  check.oneOf(m.arch, 'arch', ['x86', 'arm', 'arm64']);
  check.string(m.crossCompile, 'crossCompile', /^[\w.-]*-$/, 'a prefix ending in "-", e.g. aarch64-linux-gnu-');
  check.number(m.cpus, 'cpus', 1, MAX_CPUS);
  const banks = check.array(m.ram, 'ram');
  if (banks.length === 0) check.fail('ram', 'the machine has no RAM bank', 'list the RAM the root kernel sees, e.g. ram: [{ base: 0x40000000, size: 0x40000000 }]');
  banks.forEach((bank, i) => {
    const b = check.object(bank, `ram[${i}]`);
    const base = check.bytes(b.base, `ram[${i}].base`, { page: true });
    check.span(base, check.bytes(b.size, `ram[${i}].size`, { page: true, min: 0x1000 }), `ram[${i}].base`);
  });
  check.oneOf(m.reservation, 'reservation', ['mem', 'memmap', 'devicetree']);
  check.strings(m.rootConsole, 'rootConsole');
  check.strings(m.rootCmdline, 'rootCmdline');
  if ((m.system === undefined) === (m.rootCellFile === undefined)) {
    check.fail('system', 'give either system (the root config) or rootCellFile (a .cell from `jailhouse config create`)', 'set exactly one of them');
  }
  if (m.system !== undefined) validateSystemConfig(check, m.system, 'system');
  else check.string(m.rootCellFile, 'rootCellFile');
  if (m.cells === undefined) check.fail('cells', 'missing', 'give cells: [] when the machine has no non-root cell');
  check.array(m.cells, 'cells').forEach((c, i) => {
    const cell = check.object(c, `cells[${i}]`);
    check.string(cell.name, `cells[${i}].name`);
    if (typeof cell.cpus === 'number') check.number(cell.cpus, `cells[${i}].cpus`, 0, MAX_CPUS);
    else if (Array.isArray(cell.cpus)) cell.cpus.forEach((cpu, k) => check.number(cpu, `cells[${i}].cpus[${k}]`, 0, MAX_CPUS - 1));
    else check.fail(`cells[${i}].cpus`, 'expected a count or a list of CPU numbers', 'e.g. cpus: 1');
    // Cells declared by needs are checked by validateNeeds; the others are written as configs.
    if (!isCellNeeds(cell)) validateCellConfig(check, cell, `cells[${i}]`);
  });
  validateNeeds(check, m);
  for (const key of ['kernel', ...(m.guestKernel === undefined ? [] : ['guestKernel'])]) {
    const kernel = check.object(m[key], key);
    check.string(kernel.base, `${key}.base`);
    check.strings(kernel.fragments, `${key}.fragments`);
    check.string(kernel.image, `${key}.image`);
    check.strings(kernel.dtbs, `${key}.dtbs`);
  }
  if (m.guestRootfs !== undefined) check.oneOf(m.guestRootfs, 'guestRootfs', ['buildroot', 'busybox']);
  check.oneOf(m.boot, 'boot', ['qemu', 'grub-efi', 'rpi-firmware', 'uboot-imx']);
  if (m.image !== undefined) validateImage(check, m.image);
  if (m.bootFirmware !== undefined) {
    const fw = check.object(m.bootFirmware, 'bootFirmware');
    check.known(fw, 'bootFirmware', ['tfaPlatform', 'ubootDefconfig', 'loaderOffset']);
    if (fw.tfaPlatform !== undefined) check.string(fw.tfaPlatform, 'bootFirmware.tfaPlatform');
    if (fw.ubootDefconfig !== undefined) check.string(fw.ubootDefconfig, 'bootFirmware.ubootDefconfig', /_defconfig$/, 'a U-Boot configs/ file name, e.g. imx8mm_evk_defconfig');
    if (fw.loaderOffset !== undefined) check.number(fw.loaderOffset, 'bootFirmware.loaderOffset', 512);
  }
  check.strings(m.licensesAccepted, 'licensesAccepted');
  check.array(m.rootDtProperties, 'rootDtProperties').forEach((item, i) => {
    const prop = check.object(item, `rootDtProperties[${i}]`);
    check.known(prop, `rootDtProperties[${i}]`, ['path', 'name', 'value']);
    check.string(prop.path, `rootDtProperties[${i}].path`, /^\//, 'a full node path, e.g. /scb/pcie@7d500000');
    check.string(prop.name, `rootDtProperties[${i}].name`);
    check.string(prop.value, `rootDtProperties[${i}].value`);
  });
  return m as unknown as MachineInput;
}

function validateImage(check: Checker, value: unknown): void {
  const image = check.object(value, 'image');
  check.known(image, 'image', ['table', 'size', 'align', 'partitions']);
  check.oneOf(image.table, 'image.table', ['gpt', 'mbr']);
  if (image.size !== undefined && image.size !== 'fit') check.number(image.size, 'image.size', 512);
  if (image.align !== undefined) check.number(image.align, 'image.align', 512);
  check.array(image.partitions, 'image.partitions').forEach((item, i) => {
    const field = `image.partitions[${i}]`;
    const p = check.object(item, field);
    check.known(p, field, ['name', 'type', 'size', 'offset', 'bootable', 'content']);
    check.string(p.name, `${field}.name`);
    if (typeof p.type !== 'number') check.string(p.type, `${field}.type`);
    if (p.size !== 'fit') check.number(p.size, `${field}.size`, 512);
    if (p.offset !== undefined) check.number(p.offset, `${field}.offset`, 0);
    check.oneOf(p.content, `${field}.content`, ['boot', 'root', 'empty']);
  });
}

export function resolveMachine(input: MachineInput, file: string, rootSystem?: SystemConfig): Machine {
  const cpus = [...Array(input.cpus).keys()];
  let system: SystemConfig;
  if (rootSystem) {
    if (rootSystem.rootCell.cpus.length !== input.cpus) {
      new Checker(file).fail('cpus', `${input.cpus}, but the root cell in ${input.rootCellFile} has ${rootSystem.rootCell.cpus.length} CPUs`,
        `set cpus: ${rootSystem.rootCell.cpus.length} (the root config is the machine's own record of its CPUs)`);
    }
    if (rootSystem.arch !== input.arch) new Checker(file).fail('arch', `${input.arch}, but ${input.rootCellFile} is for ${rootSystem.arch}`, `set arch: '${rootSystem.arch}'`);
    system = rootSystem;
  } else {
    const root: Cell = { ...input.system!.rootCell, cpus };
    system = { ...input.system!, rootCell: root };
  }
  const placement = placeCells({ file, arch: input.arch, platform: system.platform, hypervisorMemory: system.hypervisorMemory,
    root: system.rootCell, cells: input.cells, links: input.links ?? [], board: input.board });
  system = { ...system, rootCell: { ...placement.root, cpus: system.rootCell.cpus } };
  const sets = allocateCpus(input.cpus, placement.cells);
  const cells: MachineCell[] = placement.cells.map((cell, i) => ({ ...cell, cpus: sets[i]! }));
  const { system: _system, cells: _cells, ...rest } = input;
  const inmates = [...new Set(cells.flatMap((c) => (c.inmate ? [c.inmate] : [])))].sort();
  const guests = input.guestKernel && cells.some((c) => c.linux && (input.arch === 'x86' || !c.linux.dtb)) ? ['linux'] : [];
  const rootLinks = [...new Set((input.links ?? []).filter((l) => l.peers.includes('root')).map((l) => l.kind))].sort();
  const guestRootfs = guests.length > 0 ? input.guestRootfs ?? 'buildroot' : undefined;
  return { ...rest, system, cells, placed: placement.placed, inmates, guests, rootLinks, guestRootfs, file };
}
