/**
 * The bootable image of a machine. For QEMU machines: a deploy folder with the kernel, the
 * initramfs, the cells, the inmates, the root cmdline and a manifest.json that names, for every
 * file, its sha256 and the recipe, version and task signature that made it.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { defineRecipe, JhError } from '../../src/index.ts';
import { rootCmdline } from '../../src/cmdline/index.ts';

export default defineRecipe({
  name: 'image',
  version: '1',
  license: 'GPL-2.0-only',
  summary: 'bootable image / deploy folder of the machine',
  depends: [
    { recipe: 'linux', task: 'deploy', for: 'deploy' },
    { recipe: 'initrd', task: 'install', for: 'deploy' },
    { recipe: 'cells', task: 'install', for: 'deploy' },
    { recipe: 'jailhouse', task: 'install', for: 'deploy' },
  ],
  machineKeys: ['name', 'boot', 'kernel', 'qemu', 'cpus', 'ram', 'system', 'cells', 'reservation', 'rootConsole', 'rootCmdline', 'intelIommuOff'],
  tasks: {
    deploy(ctx) {
      const machine = ctx.machine;
      if (machine.boot !== 'qemu') {
        throw new JhError('E_IMAGE_UNSUPPORTED', `machine ${machine.name} boots by ${machine.boot}; jhbuild assembles only QEMU images so far`, {
          hint: 'build the parts (jhbuild build linux jailhouse cells initrd) and use cmdline/cells output for your boot media' });
      }
      const out = ctx.dirs.deploy;
      const files: { path: string; from: string }[] = [];
      const put = (from: string, path: string, recipe: string) => {
        mkdirSync(join(out, path, '..'), { recursive: true });
        copyFileSync(from, join(out, path));
        files.push({ path, from: recipe });
      };
      const { linux, initrd, cells, jailhouse } = ctx.deps as Record<string, (typeof ctx.deps)[string]>;
      put(join(linux!.deploy, machine.kernel.image), machine.kernel.image, 'linux');
      put(join(initrd!.dest, 'initrd.cpio.gz'), 'initrd.cpio.gz', 'initrd');
      for (const f of readdirSync(join(cells!.dest, 'etc/jailhouse')).sort()) put(join(cells!.dest, 'etc/jailhouse', f), `cells/${f}`, 'cells');
      const demos = join(jailhouse!.dest, 'usr/libexec/jailhouse/demos');
      for (const f of readdirSync(demos).sort()) put(join(demos, f), `inmates/${f}`, 'jailhouse');
      writeFileSync(join(out, 'cmdline.txt'), `${rootCmdline(machine).join(' ')}\n`);
      files.push({ path: 'cmdline.txt', from: 'image' });
      const deps = ctx.deps as Record<string, { version: string; signatures: { install: string; deploy: string } }>;
      const manifest = {
        machine: machine.name,
        files: files.sort((a, b) => a.path.localeCompare(b.path)).map(({ path, from }) => ({
          path,
          sha256: createHash('sha256').update(readFileSync(join(out, path))).digest('hex'),
          recipe: from,
          version: from === 'image' ? ctx.recipe.version : deps[from]!.version,
          signature: from === 'image' ? null : from === 'linux' ? deps[from]!.signatures.deploy : deps[from]!.signatures.install,
        })),
      };
      writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    },
  },
});
