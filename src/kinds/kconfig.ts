/**
 * The kconfig kind (Linux): base config + fragments merged, built out of tree with the machine's
 * cross prefix. Like Buildroot's kconfig packages, a recipe using it is mostly data.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Kind, TaskContext } from '../engine/recipe.ts';
import type { KernelConfig } from '../machine/types.ts';
import { JhError } from '../errors.ts';
import { buildResumably } from '../engine/interrupted.ts';

/** Fixed build identity: equal sources and config give an equal Image. */
export const REPRODUCIBLE_KBUILD = {
  KBUILD_BUILD_TIMESTAMP: '1970-01-01 00:00:00 UTC', KBUILD_BUILD_USER: 'jhbuild', KBUILD_BUILD_HOST: 'jhbuild',
  // Otherwise each relink in the same O= folder counts up the "#N" in the version string.
  KBUILD_BUILD_VERSION: '1', SOURCE_DATE_EPOCH: '0',
};

/** The guest kernel's O= folder in the linux recipe's work folder (KDIR for out-of-tree guest modules). */
export const guestKernelBuild = (work: string) => join(work, 'build-guest');

/** One kernel this recipe builds: the root's (machine.kernel) or the guest's (machine.guestKernel), each in its own O= folder. */
interface Build { readonly config: KernelConfig; readonly dir: string; readonly guest: boolean }

function builds(ctx: TaskContext): Build[] {
  const guest = ctx.machine.guestKernel;
  return [{ config: ctx.machine.kernel, dir: ctx.dirs.build, guest: false },
    ...(guest ? [{ config: guest, dir: guestKernelBuild(ctx.dirs.work), guest: true }] : [])];
}

function makeArgs(ctx: TaskContext, dir: string): string[] {
  return ['-C', ctx.dirs.src, `O=${dir}`, `ARCH=${ctx.machine.arch}`, `CROSS_COMPILE=${ctx.machine.crossCompile}`];
}

/** `CONFIG_X=y` / `# CONFIG_X is not set` lines (or BR2_X) of a fragment, as name -> value ('n' for not set). */
export function parseConfig(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    // Any Kconfig prefix: the kernel's CONFIG_, Buildroot's BR2_.
    const set = /^([A-Za-z][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (set) values.set(set[1]!, set[2]!);
    const unset = /^# ([A-Za-z][A-Za-z0-9_]*) is not set$/.exec(line);
    if (unset) values.set(unset[1]!, 'n');
  }
  return values;
}

/** base config, fragments merged, olddefconfig; like Yocto's config audit, a fragment value that did not survive is an error. */
async function configure(ctx: TaskContext, { config, dir }: Build): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await ctx.exec('make', [...makeArgs(ctx, dir), config.base]);
  const fragments = config.fragments.map((f) => ctx.file(f));
  if (fragments.length > 0) {
    await ctx.exec(join(ctx.dirs.src, 'scripts/kconfig/merge_config.sh'), ['-m', '-O', dir, join(dir, '.config'), ...fragments], { cwd: ctx.dirs.src });
    await ctx.exec('make', [...makeArgs(ctx, dir), 'olddefconfig']);
  }
  const final = parseConfig(readFileSync(join(dir, '.config'), 'utf8'));
  const lost: string[] = [];
  for (const fragment of fragments) {
    for (const [name, value] of parseConfig(readFileSync(fragment, 'utf8'))) {
      if ((final.get(name) ?? 'n') !== value) lost.push(`${name}=${value} (from ${basename(fragment)}) is ${final.get(name) ?? 'not set'} in .config`);
    }
  }
  if (lost.length > 0) {
    throw new JhError('E_KCONFIG_FRAGMENT', `${lost.length} kernel config fragment option(s) did not survive olddefconfig`, {
      details: lost, hint: 'an option whose dependencies are off is dropped by Kconfig: add its dependencies to the fragment (make menuconfig, then search with / shows them)' });
  }
}

export function linuxKernel(): Kind {
  return {
    name: 'kconfig',
    machineKeys: ['arch', 'crossCompile', 'kernel', 'guestKernel'],
    // Only the fragments this machine names are inputs: editing another machine's rebuilds nothing here.
    machineFiles: ['kernel.fragments', 'guestKernel.fragments'],
    tools: ['make', 'gcc', 'bc', 'flex', 'bison'],
    tasks: {
      async configure(ctx) {
        for (const build of builds(ctx)) await configure(ctx, build);
      },
      async compile(ctx) {
        // Only the board's own device trees: `make dtbs` would build every board of the enabled SoC families.
        // The O= folder is reused from build to build: what an interrupted one half wrote is made again.
        for (const { config, dir, guest } of builds(ctx)) {
          await buildResumably(dir, ['.config', '.config.old'],
            () => ctx.exec('make', [...makeArgs(ctx, dir), `-j${ctx.jobs}`, config.image, 'modules', ...(guest ? [] : config.dtbs)], { env: REPRODUCIBLE_KBUILD }).then(() => undefined),
            (files) => ctx.log(`the last build in ${dir} did not finish: ${files} file(s) it wrote are made again`), ctx.signal);
        }
      },
      async install(ctx) {
        const kernel = ctx.machine.kernel;
        await ctx.exec('make', [...makeArgs(ctx, ctx.dirs.build), `INSTALL_MOD_PATH=${ctx.dirs.dest}`, 'INSTALL_MOD_STRIP=1', 'DEPMOD=true', 'modules_install'], { env: REPRODUCIBLE_KBUILD });
        mkdirSync(join(ctx.dirs.dest, 'boot'), { recursive: true });
        copyFileSync(join(ctx.dirs.build, 'arch', ctx.machine.arch, 'boot', kernel.image), join(ctx.dirs.dest, 'boot', kernel.image));
      },
      async deploy(ctx) {
        // The root kernel at the top, the guest's in guest/.
        for (const { config, dir, guest } of builds(ctx)) {
          const out = guest ? join(ctx.dirs.deploy, 'guest') : ctx.dirs.deploy;
          mkdirSync(out, { recursive: true });
          const boot = join(dir, 'arch', ctx.machine.arch, 'boot');
          copyFileSync(join(boot, config.image), join(out, config.image));
          for (const dtb of config.dtbs) copyFileSync(join(boot, 'dts', dtb), join(out, basename(dtb)));
          copyFileSync(join(dir, '.config'), join(out, 'config'));
        }
      },
    },
  };
}
