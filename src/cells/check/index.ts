/** checkConfigs: a system config and its cells checked before anything boots, by the rules of this folder in a fixed order. */
// Everything upstream's jailhouse-config-check looks at, plus what nothing checks today (cross-cell
// overlaps, CPU sets, IVSHMEM peers, PCI caps ranges, consoles, alignment, names, loadable regions,
// the root kernel's reservation). Pure: every finding has a stable code, names the cell and region,
// and says the fix. Each rule group is a file here; RULES is the order they run and report in.
import type { Cell, CellConfig, SystemConfig } from '../model.ts';
import { vpciWindow } from '../vpci.ts';
import { archRule } from './arch.ts';
import { consoleRule } from './console.ts';
import { cpusRule, rootKeepsCpuRule } from './cpus.ts';
import type { CheckOptions, Finding } from './finding.ts';
import { hypervisorRefusalsRule } from './hypervisor-refusals.ts';
import { interruptsRule } from './interrupts.ts';
import { ivshmemPeersRule, ivshmemUnpairedRule } from './ivshmem.ts';
import { hasLoadableRule, loadableInRootRule } from './loadable.ts';
import { namesRule } from './names.ts';
import { pciDevicesRule } from './pci-devices.ts';
import { privateMemoryRule } from './private-memory.ts';
import { regionsRule } from './regions.ts';
import { reservationRule } from './reservation.ts';
import { rootConsoleRule } from './root-console.ts';
import { eachCell, type CheckContext, type CheckRule } from './rule.ts';
import { vpciRule } from './vpci.ts';

export { CONFIG_MAX_BYTES } from './hypervisor-refusals.ts';
export { formatFinding, type CheckOptions, type Finding, type Range } from './finding.ts';
export { rootConsolePorts } from './root-console.ts';

/** The order is part of the output: `cells check` and the build print findings as these rules add them. */
const RULES: readonly CheckRule[] = [
  archRule,
  namesRule,
  eachCell('each cell', (ctx) => ctx.all, [regionsRule, pciDevicesRule, consoleRule]),
  eachCell('each non-root cell', (ctx) => ctx.cells, [cpusRule, hasLoadableRule]),
  loadableInRootRule,
  interruptsRule,
  rootKeepsCpuRule,
  privateMemoryRule,
  vpciRule,
  ivshmemPeersRule,
  ivshmemUnpairedRule,
  hypervisorRefusalsRule,
  reservationRule,
  rootConsoleRule,
];

export function checkConfigs(system: SystemConfig, configs: readonly CellConfig[], options: CheckOptions = {}): Finding[] {
  const root = system.rootCell;
  const cells: Cell[] = configs.map((c) => c.cell);
  const ctx: CheckContext = { system, configs, options, root, cells, all: [root, ...cells], vpci: vpciWindow(system) };
  const findings: Finding[] = [];
  for (const rule of RULES) rule.check(ctx, (f) => findings.push(f));
  return findings;
}
