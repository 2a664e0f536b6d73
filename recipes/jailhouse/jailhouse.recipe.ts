/**
 * The Jailhouse hypervisor, driver, tools and demo inmates, built with its own kbuild against the
 * linux recipe's build tree (KDIR). Cell configs come from the cells recipe, so that editing a
 * cell does not rebuild Jailhouse.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { copyInto, defineRecipe, git, JhError } from '../../src/index.ts';
import type { TaskContext } from '../../src/index.ts';

// prefix=/usr: the tool looks for its helpers (jailhouse-config-collect) in /usr/libexec/jailhouse. PYTHON3 is
// Debian's, whose Mako doctor proves: the collector is generated only where Mako imports.
const makeArgs = (ctx: TaskContext) => ['-C', ctx.dirs.src, `ARCH=${ctx.machine.arch}`,
  `CROSS_COMPILE=${ctx.machine.crossCompile}`, `KDIR=${ctx.deps.linux!.build}`, 'prefix=/usr', 'PYTHON3=/usr/bin/python3'];

export default defineRecipe({
  name: 'jailhouse',
  version: '0.12-324-ge57d1eff',
  license: 'GPL-2.0-only',
  summary: 'Jailhouse partitioning hypervisor (master)',
  source: git({ url: 'https://github.com/siemens/jailhouse.git', rev: 'e57d1eff6d55aeed5f977fe4e2acfb6ccbdd7560' }),
  depends: [{ recipe: 'linux', task: 'compile', for: 'compile' }],
  machineKeys: ['arch', 'crossCompile'],
  tools: ['make', 'python3'],
  tasks: {
    // A static tool runs in a busybox initramfs without a C library.
    // Its Python scripts start with `#!/usr/bin/env python3`: /usr/bin comes first so that they run the Python
    // whose Mako doctor proves, not another one earlier on a user's PATH (pyenv, a venv).
    compile: (ctx) => ctx.exec('make', [...makeArgs(ctx), `-j${ctx.jobs}`, 'EXTRA_CFLAGS=-static'],
      { env: { PATH: `/usr/bin:${process.env.PATH ?? ''}` } }).then(() => undefined),
    install(ctx) {
      const src = ctx.dirs.src;
      const arch = ctx.machine.arch;
      const dest = ctx.dirs.dest;
      copyInto(join(src, 'driver/jailhouse.ko'), join(dest, 'usr/lib/jailhouse'));
      for (const bin of ['jailhouse.bin', 'jailhouse-intel.bin', 'jailhouse-amd.bin']) {
        if (existsSync(join(src, 'hypervisor', bin))) copyInto(join(src, 'hypervisor', bin), join(dest, 'lib/firmware'));
      }
      copyInto(join(src, 'tools/jailhouse'), join(dest, 'usr/sbin'));
      // `jailhouse config collect FILE.tar` (x86): the archive `jhbuild machine import --collect` makes a machine from.
      const collector = join(src, 'tools/jailhouse-config-collect');
      if (arch === 'x86' && !existsSync(collector)) {
        throw new JhError('E_JAILHOUSE_COLLECTOR', 'the Jailhouse build made no tools/jailhouse-config-collect (it needs Mako for /usr/bin/python3)', { hint: 'apt-get install python3-mako (or jhbuild doctor --install)' });
      }
      if (existsSync(collector)) copyInto(collector, join(dest, 'usr/libexec/jailhouse'));
      if (existsSync(join(src, 'tools/demos/ivshmem-demo'))) copyInto(join(src, 'tools/demos/ivshmem-demo'), join(dest, 'usr/libexec/jailhouse'));
      const loader = join(src, 'inmates/tools', arch, 'linux-loader.bin');
      if (existsSync(loader)) copyInto(loader, join(dest, 'usr/libexec/jailhouse'));
      const demos = join(src, 'inmates/demos', arch);
      for (const f of readdirSync(demos).filter((f) => f.endsWith('.bin')).sort()) copyInto(join(demos, f), join(dest, 'usr/libexec/jailhouse/demos'));
      const dts = join(src, 'configs', arch, 'dts');
      if (existsSync(dts)) for (const f of readdirSync(dts).filter((f) => f.endsWith('.dtb')).sort()) copyInto(join(dts, f), join(dest, 'etc/jailhouse/dts'));
    },
  },
});
