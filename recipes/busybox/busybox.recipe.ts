/** BusyBox, static, cross-built: the shell and tools of the initramfs. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineRecipe, tarball } from '../../src/index.ts';

// Build dates stay out of the binary (the banner's date comes from AUTOCONF_TIMESTAMP at config time).
const REPRODUCIBLE = { SOURCE_DATE_EPOCH: '0', KCONFIG_NOTIMESTAMP: '1', KBUILD_BUILD_TIMESTAMP: '1970-01-01 00:00:00 UTC' };

export default defineRecipe({
  name: 'busybox',
  version: '1.35.0',
  license: 'GPL-2.0-only',
  summary: 'BusyBox userland for the initramfs',
  // Debian's orig tarball is the same bytes: apt is the fallback where upstream is out of reach.
  source: tarball({
    url: 'https://busybox.net/downloads/busybox-1.35.0.tar.bz2',
    sha256: 'faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694',
    debian: { package: 'busybox', version: '1:1.35.0-4+deb12u1', file: 'busybox_1.35.0.orig.tar.bz2' },
  }),
  machineKeys: ['crossCompile'],
  tools: ['make'],
  tasks: {
    async configure(ctx) {
      await ctx.exec('make', ['-C', ctx.dirs.src, `O=${ctx.dirs.build}`, 'defconfig'], { env: REPRODUCIBLE });
      const config = join(ctx.dirs.build, '.config');
      const text = readFileSync(config, 'utf8')
        .replace(/^# CONFIG_STATIC is not set$/m, 'CONFIG_STATIC=y')
        // tc needs kernel headers newer toolchains no longer match; the initramfs does not use it.
        .replace(/^CONFIG_TC=y$/m, '# CONFIG_TC is not set');
      writeFileSync(config, text);
      await ctx.exec('make', ['-C', ctx.dirs.build, 'oldconfig'], { input: '', env: REPRODUCIBLE });
    },
    compile: (ctx) => ctx.exec('make', ['-C', ctx.dirs.build, `CROSS_COMPILE=${ctx.machine.crossCompile}`, `-j${ctx.jobs}`], { env: REPRODUCIBLE }).then(() => undefined),
    install: (ctx) => ctx.exec('make', ['-C', ctx.dirs.build, `CROSS_COMPILE=${ctx.machine.crossCompile}`, `CONFIG_PREFIX=${ctx.dirs.dest}`, 'install'], { env: REPRODUCIBLE }).then(() => undefined),
  },
});
