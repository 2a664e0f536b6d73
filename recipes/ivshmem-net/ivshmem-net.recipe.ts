/**
 * The IVSHMEM drivers of Jailhouse's kernel queue, built as out-of-tree modules: ivshmem-net
 * (Ethernet over a machine's `net` links) for the root and the guest kernel, and uio_ivshmem (the
 * root's end of a link without a protocol, which tools/demos/ivshmem-demo drives) for a root kernel
 * with CONFIG_UIO. Neither is in mainline or Debian's 6.1: the source is a queue tree pinned by commit
 * (or any tree with drivers/net/ivshmem-net.c, drivers/uio/uio_ivshmem.c and include/linux/ivshmem.h,
 * with --src ivshmem-net=PATH); files/ holds only the Kbuild and the compat header for the 6.1 API.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { copyInto, defineRecipe, git, guestKernelBuild, JhError } from '../../src/index.ts';
import type { TaskContext } from '../../src/index.ts';

const NET = 'ivshmem-net.ko';
const UIO = 'uio_ivshmem.ko';

/** Each kernel gets its own copy of the module's folder: kbuild writes its objects next to the sources. */
function kernels(ctx: TaskContext): { kdir: string; dir: string }[] {
  const linux = ctx.deps.linux!;
  return [{ kdir: linux.build, dir: join(ctx.dirs.build, 'root') },
    ...(ctx.machine.guestKernel ? [{ kdir: guestKernelBuild(dirname(linux.build)), dir: join(ctx.dirs.build, 'guest') }] : [])];
}

const hasUio = (kdir: string) => /^CONFIG_UIO=[ym]$/m.test(readFileSync(join(kdir, '.config'), 'utf8'));

/**
 * The queue's uio_ivshmem marks the state table and input sections read-only (struct uio_mem's
 * `readonly`, a queue patch to the UIO core). Against a kernel without that field the assignments go:
 * user space may then ask for a writable mapping of them, and the hypervisor, which maps them
 * read-only for the root, refuses the write instead.
 */
function copyUioDriver(ctx: TaskContext, kdir: string, dir: string): void {
  const source = join(ctx.dirs.src, 'drivers/uio/uio_ivshmem.c');
  if (!existsSync(source)) {
    throw new JhError('E_IVSHMEM_UIO_SOURCE', `the root kernel has CONFIG_UIO, but the ivshmem-net tree has no drivers/uio/uio_ivshmem.c (${ctx.dirs.src})`,
      { hint: 'give a Jailhouse kernel-queue tree with --src ivshmem-net=PATH, or drop CONFIG_UIO from the root kernel\'s fragments' });
  }
  const coreHasReadonly = /\bbool\s+readonly;/.test(readFileSync(join(kdir, 'source/include/linux/uio_driver.h'), 'utf8'));
  const text = readFileSync(source, 'utf8');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'uio_ivshmem.c'), coreHasReadonly ? text : text.replace(/^\s*mem->readonly = true;\n/gm, ''));
}

async function compile(ctx: TaskContext): Promise<void> {
  for (const { kdir, dir } of kernels(ctx)) {
    copyInto(join(ctx.dirs.src, 'drivers/net/ivshmem-net.c'), dir);
    if (hasUio(kdir)) copyUioDriver(ctx, kdir, dir);
    copyInto(join(ctx.dirs.src, 'include/linux/ivshmem.h'), join(dir, 'include/linux'));
    copyInto(ctx.file('files/Kbuild'), dir);
    copyInto(ctx.file('files/compat.h'), dir);
    await ctx.exec('make', ['-C', kdir, `M=${dir}`, `ARCH=${ctx.machine.arch}`, `CROSS_COMPILE=${ctx.machine.crossCompile}`, `-j${ctx.jobs}`, 'modules']);
  }
}

export default defineRecipe({
  name: 'ivshmem-net',
  version: '6.8-028d160',
  license: 'GPL-2.0-or-later',
  summary: 'ivshmem-net and uio_ivshmem (Jailhouse kernel queue) for the root and guest kernels',
  source: git({ url: 'https://github.com/lfd/linux.git', rev: '028d16003a47d82ba3e1047f5216aac12a63ecee' }),
  files: ['files/Kbuild', 'files/compat.h'],
  depends: [{ recipe: 'linux', task: 'compile', for: 'compile' }],
  machineKeys: ['arch', 'crossCompile', 'guestKernel'],
  tools: ['make'],
  tasks: {
    compile,
    install(ctx) {
      const root = join(ctx.dirs.build, 'root');
      copyInto(join(root, NET), join(ctx.dirs.dest, 'usr/lib/jailhouse'));
      if (existsSync(join(root, UIO))) copyInto(join(root, UIO), join(ctx.dirs.dest, 'usr/lib/jailhouse'));
    },
    // The guest's module goes to the guest's initrd, not the root's tree.
    deploy(ctx) {
      if (ctx.machine.guestKernel) copyInto(join(ctx.dirs.build, 'guest', NET), join(ctx.dirs.deploy, 'guest'));
    },
  },
});
