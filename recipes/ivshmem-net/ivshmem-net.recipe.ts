/**
 * ivshmem-net, Ethernet over a Jailhouse IVSHMEM link (the `net` links of a machine), built as an
 * out-of-tree module for the root kernel and for the guest kernel. The driver lives in Jailhouse's
 * kernel queue, not in mainline or Debian's 6.1: the source is a queue tree pinned by commit (or any
 * tree with drivers/net/ivshmem-net.c and include/linux/ivshmem.h, with --src ivshmem-net=PATH);
 * files/ holds only the Kbuild and the compat header for the 6.1 API.
 */
import { dirname, join } from 'node:path';
import { copyInto, defineRecipe, git, guestKernelBuild } from '../../src/index.ts';
import type { TaskContext } from '../../src/index.ts';

const MODULE = 'ivshmem-net.ko';

/** Each kernel gets its own copy of the module's folder: kbuild writes its objects next to the sources. */
function kernels(ctx: TaskContext): { kdir: string; dir: string }[] {
  const linux = ctx.deps.linux!;
  return [{ kdir: linux.build, dir: join(ctx.dirs.build, 'root') },
    ...(ctx.machine.guestKernel ? [{ kdir: guestKernelBuild(dirname(linux.build)), dir: join(ctx.dirs.build, 'guest') }] : [])];
}

async function compile(ctx: TaskContext): Promise<void> {
  for (const { kdir, dir } of kernels(ctx)) {
    copyInto(join(ctx.dirs.src, 'drivers/net/ivshmem-net.c'), dir);
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
  summary: 'ivshmem-net driver (Jailhouse kernel queue) for the root and guest kernels',
  source: git({ url: 'https://github.com/lfd/linux.git', rev: '028d16003a47d82ba3e1047f5216aac12a63ecee' }),
  files: ['files/Kbuild', 'files/compat.h'],
  depends: [{ recipe: 'linux', task: 'compile', for: 'compile' }],
  machineKeys: ['arch', 'crossCompile', 'guestKernel'],
  tools: ['make'],
  tasks: {
    compile,
    install: (ctx) => copyInto(join(ctx.dirs.build, 'root', MODULE), join(ctx.dirs.dest, 'usr/lib/jailhouse')),
    // The guest's module goes to the guest's initrd, not the root's tree.
    deploy(ctx) {
      if (ctx.machine.guestKernel) copyInto(join(ctx.dirs.build, 'guest', MODULE), join(ctx.dirs.deploy, 'guest'));
    },
  },
});
