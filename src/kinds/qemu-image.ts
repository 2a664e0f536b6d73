/**
 * The QEMU image kind: a deploy folder with the kernel, an initramfs, (optionally) the cells and
 * inmates, the root cmdline and a manifest.json naming, for every file, its sha256 and the recipe,
 * version and task signature that made it.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Kind } from '../core/recipe.ts';
import { JhError } from '../errors.ts';
import { rootCmdline } from '../cmdline/index.ts';
import { INITRD_FILE } from './initramfs.ts';

export function qemuImage(initrd: string): Kind {
  return {
    name: 'qemu-image',
    machineKeys: ['name', 'boot', 'kernel', 'system', 'cells', 'ram', 'reservation', 'rootConsole', 'rootCmdline', 'intelIommuOff'],
    vars: { initrd },
    tasks: {
      deploy(ctx) {
        const machine = ctx.machine;
        if (machine.boot !== 'qemu') {
          throw new JhError('E_IMAGE_UNSUPPORTED', `machine ${machine.name} boots by ${machine.boot}; jhbuild assembles only QEMU images so far`, {
            hint: 'build the parts (jhbuild build linux jailhouse cells initrd) and take `jhbuild cmdline` for your boot media' });
        }
        const out = ctx.dirs.deploy;
        const files: { path: string; recipe: string; signature: string | null; version: string }[] = [];
        const put = (from: string, path: string, recipe: string, step: 'install' | 'deploy') => {
          mkdirSync(join(out, path, '..'), { recursive: true });
          copyFileSync(from, join(out, path));
          const dep = ctx.deps[recipe]!;
          files.push({ path, recipe, version: dep.version, signature: dep.signatures[step] });
        };
        put(join(ctx.deps.linux!.deploy, machine.kernel.image), machine.kernel.image, 'linux', 'deploy');
        put(join(ctx.deps[initrd]!.dest, INITRD_FILE), INITRD_FILE, initrd, 'install');
        if (ctx.deps.cells) {
          const cells = join(ctx.deps.cells.dest, 'etc/jailhouse');
          for (const f of readdirSync(cells).sort()) put(join(cells, f), `cells/${f}`, 'cells', 'install');
        }
        const demos = ctx.deps.jailhouse && join(ctx.deps.jailhouse.dest, 'usr/libexec/jailhouse/demos');
        if (demos && existsSync(demos)) for (const f of readdirSync(demos).sort()) put(join(demos, f), `inmates/${f}`, 'jailhouse', 'install');
        writeFileSync(join(out, 'cmdline.txt'), `${rootCmdline(machine).join(' ')}\n`);
        files.push({ path: 'cmdline.txt', recipe: ctx.recipe.name, version: ctx.recipe.version, signature: null });
        const manifest = {
          machine: machine.name,
          image: ctx.recipe.name,
          files: files.sort((a, b) => (a.path < b.path ? -1 : 1)).map((f) => ({
            path: f.path, sha256: createHash('sha256').update(readFileSync(join(out, f.path))).digest('hex'),
            recipe: f.recipe, version: f.version, signature: f.signature,
          })),
        };
        writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      },
    },
  };
}
