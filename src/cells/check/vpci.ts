/** The root kernel must see nothing at the virtual PCI host's window, or its probe fails with a resource collision. */
import { hex } from '../describe.ts';
import { overlaps, type Range } from './finding.ts';
import type { CheckRule } from './rule.ts';

export const vpciRule: CheckRule = {
  name: 'vpci-window',
  check({ system, options, vpci }, add) {
    if (!vpci) return;
    const arm = system.platform.arm;
    const claims: Range[] = [...(options.boardWindows ?? [])];
    if (arm?.gicdBase) claims.push({ start: arm.gicdBase, end: arm.gicdBase + (arm.gicVersion === 3 ? 0x10000 : 0x1000), what: 'GIC distributor' });
    const base = { cell: system.rootCell.name, range: [vpci.start, vpci.end] as const,
      hint: 'move platform.pciMmconfigBase to a hole of the board\'s memory map (see board.windows) that the root cell does not map' };
    for (const c of claims) {
      if (overlaps(vpci.start, vpci.end, c.start, c.end)) {
        add({ ...base, code: 'E_VPCI_WINDOW', message: `the virtual PCI window [${hex(vpci.start)}, ${hex(vpci.end)}) overlaps ${c.what} [${hex(c.start)}, ${hex(c.end)}); root Linux refuses the host (resource collision)` });
      }
    }
    const inRam = (options.ram ?? []).some((b) => overlaps(vpci.start, vpci.end, b.base, b.base + b.size));
    const reserved = (options.reserved ?? []).some((r) => r.start <= vpci.start && vpci.end <= r.end);
    if (inRam && options.reserved && !reserved) {
      add({ ...base, code: 'E_VPCI_WINDOW', message: `the virtual PCI window [${hex(vpci.start)}, ${hex(vpci.end)}) lies in RAM the root kernel uses (${options.reservedFrom ?? 'no reservation'})`,
        hint: 'reserve it from the root kernel, or move platform.pciMmconfigBase out of RAM' });
    }
  },
};
