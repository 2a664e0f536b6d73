/**
 * Buildroot's own musl cross toolchain (binutils 2.40, gcc 12.2.0, musl 1.2.3, Linux 6.1 headers)
 * built from Debian 12 sources alone, as Buildroot's relocatable SDK: the buildroot recipe uses it
 * as an external toolchain, so the half hour it takes is paid once per arch and Buildroot tree and
 * then comes from the cache (local or --cache) like any task. Debian's own cross gcc is no
 * alternative: it is configured --with-sysroot=/, which Buildroot refuses as an external toolchain.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILDROOT_ENV, buildrootTarget, debianDefconfig, DEBIAN_OVERRIDE_TEMPLATE, defineRecipe, JhError, parseConfig, prepareBuildrootDebian, sdkName } from '../../src/index.ts';
import type { TaskContext } from '../../src/index.ts';

export const TOOLCHAIN_CONFIG = [
  'BR2_TOOLCHAIN_BUILDROOT=y', 'BR2_TOOLCHAIN_BUILDROOT_MUSL=y', 'BR2_KERNEL_HEADERS_6_1=y',
  // The versions Debian 12 ships are set in the override file; these choose the matching Buildroot recipes.
  'BR2_BINUTILS_VERSION_2_42_X=y', 'BR2_GCC_VERSION_12_X=y',
  '# BR2_TOOLCHAIN_BUILDROOT_CXX is not set',
  // No userland: `make sdk` builds the target too, and only the toolchain is wanted here.
  '# BR2_INIT_BUSYBOX is not set', 'BR2_INIT_NONE=y', '# BR2_PACKAGE_BUSYBOX is not set', 'BR2_SYSTEM_BIN_SH_NONE=y',
  '# BR2_TARGET_ROOTFS_TAR is not set',
];

const arch = (ctx: TaskContext) => buildrootTarget(ctx.machine.arch);
const debianWork = (ctx: TaskContext) => join(ctx.dirs.work, 'debian');
const make = (ctx: TaskContext, ...goals: string[]) => ['-C', ctx.deps.buildroot!.src, `O=${ctx.dirs.build}`, ...goals];

export default defineRecipe({
  name: 'buildroot-toolchain',
  version: '2025.02.16-debian12',
  license: 'GPL-2.0-or-later',
  summary: "Buildroot's musl cross toolchain (SDK) from Debian 12's gcc, binutils, musl and Linux sources",
  depends: [{ recipe: 'buildroot', task: 'patch', for: 'configure' }],
  templates: [DEBIAN_OVERRIDE_TEMPLATE],
  // The arch only: every machine of an arch shares one toolchain and one guest userland.
  machineKeys: ['arch'],
  tools: ['make', 'gcc', 'g++', 'patch', 'perl', 'rsync', 'cpio', 'unzip', 'bc', 'file', 'wget', 'dpkg-source', 'dpkg-deb'],
  tasks: {
    async configure(ctx) {
      mkdirSync(ctx.dirs.build, { recursive: true });
      const defconfig = join(ctx.dirs.build, 'toolchain_defconfig');
      writeFileSync(defconfig, [arch(ctx).option, ...TOOLCHAIN_CONFIG, debianDefconfig(join(ctx.dirs.downloads, 'buildroot'), debianWork(ctx)), `BR2_JLEVEL=${ctx.jobs}`, ''].join('\n'));
      await ctx.exec('make', make(ctx, `BR2_DEFCONFIG=${defconfig}`, 'defconfig'), { env: BUILDROOT_ENV });
      // A choice Buildroot dropped (a name this release lacks, an unmet dependency) fails here, not half an hour later.
      const config = parseConfig(readFileSync(join(ctx.dirs.build, '.config'), 'utf8'));
      const lost = TOOLCHAIN_CONFIG.filter((line) => line.endsWith('=y')).map((line) => line.slice(0, -2)).filter((key) => config.get(key) !== 'y');
      if (lost.length > 0) {
        throw new JhError('E_BUILDROOT_CONFIG', `Buildroot dropped ${lost.length} toolchain choice(s)`, {
          file: ctx.recipe.codeFiles[0], details: lost.map((key) => `${key}=y: Buildroot has ${config.get(key) ?? 'not set'}`), hint: 'check the option names in this Buildroot release' });
      }
    },
    async compile(ctx) {
      await prepareBuildrootDebian({
        dlDir: join(ctx.dirs.downloads, 'buildroot'), downloads: ctx.dirs.downloads, work: debianWork(ctx), render: ctx.render,
        fetch: { mirrors: ctx.fetchOptions.mirrors, offline: ctx.fetchOptions.offline, signal: ctx.signal, log: ctx.log },
      });
      await ctx.exec('make', make(ctx, 'sdk'), { env: BUILDROOT_ENV });
    },
    install(ctx) {
      const tarball = `${sdkName(arch(ctx).tuple)}.tar.gz`;
      copyFileSync(join(ctx.dirs.build, 'images', tarball), join(ctx.dirs.dest, tarball));
    },
  },
});
