/**
 * The root kernel's serial console on x86 is a port range: the root cell must own it, and no other
 * cell may take it. Otherwise the hypervisor stops the root at its next console write ("FATAL:
 * Invalid PIO read, port: 2f9"), the board hangs, and the console that would say why is the one lost.
 */
import { hex } from '../describe.ts';
import type { PioRegion } from '../model.ts';
import type { CheckRule } from './rule.ts';

/** The legacy PC UARTs Linux numbers ttyS0..ttyS3 (8 ports each). */
const LEGACY_UART_PORTS = [0x3f8, 0x2f8, 0x3e8, 0x2e8];

/** The port of each `console=ttySN` on an x86 root cmdline. Pure. */
export function rootConsolePorts(cmdline: readonly string[]): { port: number; from: string }[] {
  return cmdline.flatMap((arg) => {
    const tty = /^console=ttyS(\d+)/.exec(arg);
    const port = tty ? LEGACY_UART_PORTS[Number(tty[1])] : undefined;
    return port === undefined ? [] : [{ port, from: arg.split(',')[0]! }];
  });
}

const holds = (pio: readonly PioRegion[], port: number) => pio.some((p) => p.base <= port && port + 8 <= p.base + p.length);
const touches = (p: PioRegion, port: number) => p.base < port + 8 && port < p.base + p.length;

export const rootConsoleRule: CheckRule = {
  name: 'root console',
  check({ system, root, cells, options }, add) {
    if (system.arch !== 'x86') return;
    for (const { port, from } of options.rootConsolePorts ?? []) {
      const range: [number, number] = [port, port + 8];
      if (!holds(root.pio, port)) {
        add({ code: 'E_ROOT_CONSOLE_PORT', cell: root.name, range,
          message: `the root kernel's ${from} is ports ${hex(port)}-${hex(port + 7)}, which the root cell does not own: the hypervisor stops the root at its first console write after enable`,
          hint: `add { base: ${hex(port)}, length: 8 } to the root cell's pio, or move the root console` });
      }
      for (const cell of cells) {
        const taken = cell.pio.find((p) => touches(p, port));
        if (taken) {
          add({ code: 'E_ROOT_CONSOLE_TAKEN', cell: cell.name, range,
            message: `pio [${hex(taken.base)}, ${hex(taken.base + taken.length)}) takes the root kernel's console (${from}, ${hex(port)}): the root loses it when the cell is created and is stopped at its next write`,
            hint: `give the cell another UART (its own console), or move the root console off ${from}` });
        }
      }
    }
  },
};
