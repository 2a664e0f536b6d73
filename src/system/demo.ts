/**
 * What `run qemu --demo` runs and expects on the console: the demo cell of a machine, the lines each
 * inmate prints when it works, a Linux guest's boot and the root's pings over the links it shares.
 */
import { JhError } from '../errors.ts';
import type { Machine, MachineCell } from '../machine/types.ts';
import { bootedLinuxCells } from './guest/inmate-dts.ts';
import { rootReachable } from './guest/net.ts';

/** What each demo inmate prints when it works. */
const INMATE_EXPECT: Readonly<Record<string, readonly string[]>> = {
  'gic-demo.bin': ['Timer fired'],
  'apic-demo.bin': ['Calibrated TSC frequency', 'Timer fired'],
  'freertos-demo.bin': ['FreeRTOS V', 'reporter: tick'],
};

/**
 * Inmates that lock the cell configuration while they run (upstream's apic-demo sets
 * JAILHOUSE_CELL_RUNNING_LOCKED): no other cell can be created or destroyed meanwhile, so a demo
 * runs them only when they are the cell asked for, never alongside another.
 */
export const LOCKING_INMATES: ReadonlySet<string> = new Set(['apic-demo.bin']);

/**
 * The cell `--demo [NAME]` runs: NAME is a cell, a cell without its "-demo", or "linux" for the Linux
 * cell; none: the first inmate cell. Linux cells are demos where the image boots them (machine.guests).
 */
export function demoCell(machine: Machine, name: string | undefined): MachineCell {
  const demos = [...machine.cells.filter((c) => c.inmate), ...(machine.guests.includes('linux') ? bootedLinuxCells(machine) : [])];
  // `--demo linux` names the machine's (first) Linux cell, whatever the board calls it (linux-x86-demo).
  const cell = name === undefined ? demos[0] : demos.find((c) => c.name === name || c.name === `${name}-demo`) ?? (name === 'linux' ? demos.find((c) => c.linux) : undefined);
  if (!cell) {
    throw new JhError('E_USAGE', name === undefined ? `machine ${machine.name} has no cell to demo` : `machine ${machine.name} has no demo cell "${name}"`,
      { hint: `demos: ${demos.map((c) => c.name.replace(/-demo$/, '')).join(', ') || '(none)'}` });
  }
  return cell;
}

/** A Linux cell: its boot, its network up, the root's three pings answered over each link the root shares. */
function guestExpect(machine: Machine, cell: MachineCell): string[] {
  const pings = rootReachable(machine, cell.name);
  return [`jhbuild-guest: cell ${cell.name}`, ...pings.map((n) => ` ${n.address}/${n.prefix}`), 'jhbuild-guest: ready',
    ...pings.flatMap((n) => [`--- ${n.address} ping statistics ---`, '3 packets transmitted, 3 packets received'])];
}

export function demoExpect(machine: Machine, cell: MachineCell): string[] {
  return ['Activating hypervisor', `Created cell "${cell.name}"`, ...(cell.inmate ? INMATE_EXPECT[cell.inmate] ?? [] : guestExpect(machine, cell)),
    `jhbuild-demo: ${cell.name} stopped`, 'The Jailhouse was closed', 'jhbuild-demo: done'];
}
