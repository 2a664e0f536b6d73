/** The initramfs kind: the staging trees of some recipes plus a rendered /init, as a reproducible cpio.gz. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kind } from '../engine/recipe.ts';
import { gzipReproducible, INITRD_FILE, writeCpio } from '../image/cpio.ts';
import { rootTreeEntries } from '../image/root-tree.ts';

/** `parts` are recipes whose install trees go in, in order (later ones win on equal paths). */
export function initramfs(parts: readonly string[]): Kind {
  return {
    name: 'initramfs',
    machineKeys: ['name', 'arch', 'system', 'cells', 'guestRootfs'],
    // Every entry gets this mtime (SOURCE_DATE_EPOCH style): equal inputs give equal bytes.
    vars: { parts: [...parts], sourceDateEpoch: 0 },
    tasks: {
      install(ctx) {
        const entries = rootTreeEntries(ctx, parts);
        writeFileSync(join(ctx.dirs.dest, INITRD_FILE), gzipReproducible(writeCpio(entries, Number(ctx.vars.sourceDateEpoch))));
      },
    },
  };
}
