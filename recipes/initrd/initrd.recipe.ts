/** The root cell's initramfs: busybox, Jailhouse, the cells and an /init, as a reproducible cpio.gz. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineRecipe } from '../../src/index.ts';
import { gzipReproducible, mergeEntries, treeEntries, writeCpio, type CpioEntry } from '../../src/image/cpio.ts';
import { cellFileName } from '../../src/cells/machine-cells.ts';

const PARTS = ['busybox', 'jailhouse', 'cells'];

export default defineRecipe({
  name: 'initrd',
  version: '1',
  license: 'GPL-2.0-only',
  summary: 'initramfs (cpio newc, gzip) for the root cell',
  depends: PARTS,
  templates: ['initrd/init.hbs'],
  machineKeys: ['name', 'cells'],
  // All entries get this mtime (SOURCE_DATE_EPOCH style): equal inputs give equal bytes.
  vars: { sourceDateEpoch: 0 },
  tasks: {
    install(ctx) {
      const machine = ctx.machine;
      const demo = machine.cells.find((c) => c.inmate);
      const init = ctx.render('initrd/init.hbs', {
        machine: machine.name,
        systemCell: `${machine.name}.cell`,
        demoCell: demo && { name: demo.name, file: `${cellFileName(machine, demo.name)}.cell`, inmate: demo.inmate },
      });
      const base: CpioEntry[] = ['dev', 'proc', 'sys', 'tmp', 'root'].map((path) => ({ path, type: 'dir' as const }));
      const extra: CpioEntry[] = [
        { path: 'dev/console', type: 'char', major: 5, minor: 1 },
        { path: 'init', type: 'file', data: Buffer.from(init), mode: 0o755 },
      ];
      const entries = mergeEntries(base, ...PARTS.map((p) => treeEntries(ctx.deps[p]!.dest)), extra);
      const cpio = writeCpio(entries, Number(ctx.vars.sourceDateEpoch));
      writeFileSync(join(ctx.dirs.dest, 'initrd.cpio.gz'), gzipReproducible(cpio));
    },
  },
});
