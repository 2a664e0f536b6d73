/** The initramfs kind: the staging trees of some recipes plus a rendered /init, as a reproducible cpio.gz. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kind } from '../core/recipe.ts';
import { gzipReproducible, mergeEntries, treeEntries, writeCpio, type CpioEntry } from '../image/cpio.ts';
import { cellFileName } from '../cells/machine-cells.ts';

export const INITRD_FILE = 'initrd.cpio.gz';

/** `parts` are recipes whose install trees go in, in order (later ones win on equal paths). */
export function initramfs(parts: readonly string[]): Kind {
  return {
    name: 'initramfs',
    machineKeys: ['name', 'cells'],
    // Every entry gets this mtime (SOURCE_DATE_EPOCH style): equal inputs give equal bytes.
    vars: { parts: [...parts], sourceDateEpoch: 0 },
    tasks: {
      install(ctx) {
        const machine = ctx.machine;
        const demo = parts.includes('cells') ? machine.cells.find((c) => c.inmate) : undefined;
        const init = ctx.render('initrd/init.hbs', {
          machine: machine.name,
          jailhouse: parts.includes('jailhouse'),
          systemCell: `${machine.name}.cell`,
          demoCell: demo && { name: demo.name, file: `${cellFileName(machine, demo.name)}.cell`, inmate: demo.inmate },
        });
        const base: CpioEntry[] = ['dev', 'proc', 'sys', 'tmp', 'root'].map((path) => ({ path, type: 'dir' as const }));
        const extra: CpioEntry[] = [
          { path: 'dev/console', type: 'char', major: 5, minor: 1 },
          { path: 'init', type: 'file', data: Buffer.from(init), mode: 0o755 },
        ];
        const entries = mergeEntries(base, ...parts.map((p) => treeEntries(ctx.deps[p]!.dest)), extra);
        writeFileSync(join(ctx.dirs.dest, INITRD_FILE), gzipReproducible(writeCpio(entries, Number(ctx.vars.sourceDateEpoch))));
      },
    },
  };
}
