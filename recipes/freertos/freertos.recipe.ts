/**
 * FreeRTOS as a Jailhouse inmate on AArch64: FreeRTOS-Kernel V11.1.0 with its ARM_AARCH64_SRE port
 * (EL1 guest, GICv3 system registers), and the glue in files/: entry and vector table, the GICv3
 * redistributor and virtual-timer tick, a console on the UART the cell config names (PL011, 8250,
 * i.MX; read from the communication region), and the demo tasks. Linked at guest address 0, where
 * the cell config maps the inmate's RAM. One binary serves every GICv3 board.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineRecipe, git } from '../../src/index.ts';
import type { TaskContext } from '../../src/index.ts';

const GLUE = ['start.S', 'main.c', 'console.c', 'gic-v3.c', 'tick.c'];
const KERNEL = ['tasks.c', 'queue.c', 'list.c', 'portable/MemMang/heap_4.c', 'portable/GCC/ARM_AARCH64_SRE/port.c', 'portable/GCC/ARM_AARCH64_SRE/portASM.S'];
const HEADERS = ['FreeRTOSConfig.h', 'jailhouse.h', 'platform.h'];
const FREERTOS_BINARY = 'freertos-demo.bin';

// No C library and the MMU off (all memory is Device memory to the inmate): no unaligned accesses,
// no FP/SIMD registers in compiled code (tasks carry no FP context).
const CFLAGS = ['-O2', '-g', '-ffreestanding', '-fno-builtin', '-nostdlib', '-mstrict-align', '-mgeneral-regs-only',
  '-DGUEST', '-DJAILHOUSE_GUEST', '-Wall', '-Werror'];

async function compile(ctx: TaskContext): Promise<void> {
  const cc = `${ctx.machine.crossCompile}gcc`;
  const src = ctx.dirs.src;
  const glue = join(ctx.dirs.build, 'glue');
  mkdirSync(glue, { recursive: true });
  const includes = [`-I${join(ctx.dirs.recipe, 'files')}`, `-I${join(src, 'include')}`, `-I${join(src, 'portable/GCC/ARM_AARCH64_SRE')}`];
  const objects: string[] = [];
  for (const [i, file] of [...GLUE.map((f) => ctx.file(`files/${f}`)), ...KERNEL.map((f) => join(src, f))].entries()) {
    const object = join(ctx.dirs.build, `${i}-${file.split('/').pop()!.replace(/\.[cS]$/, '')}.o`);
    await ctx.exec(cc, [...CFLAGS, ...includes, '-c', file, '-o', object]);
    objects.push(object);
  }
  const elf = join(ctx.dirs.build, 'freertos-demo.elf');
  await ctx.exec(cc, ['-nostdlib', '-static', '-T', ctx.file('files/inmate.lds'), '-Wl,--build-id=none', '-Wl,--no-warn-rwx-segments', '-o', elf, ...objects, '-lgcc']);
  await ctx.exec(`${ctx.machine.crossCompile}objcopy`, ['-O', 'binary', elf, join(ctx.dirs.build, FREERTOS_BINARY)]);
}

export default defineRecipe({
  name: 'freertos',
  version: '11.1.0',
  license: 'MIT',
  summary: 'FreeRTOS demo inmate for Jailhouse cells on AArch64 (GICv3)',
  source: git({ url: 'https://github.com/FreeRTOS/FreeRTOS-Kernel.git', rev: 'f388a5c8078e152913e4eb3c5d75bf89561392df' }),
  patches: ['patches/0001-ARM_AARCH64_SRE-run-as-a-Jailhouse-guest.patch'],
  files: [...GLUE, ...HEADERS, 'inmate.lds'].map((f) => `files/${f}`),
  machineKeys: ['arch', 'crossCompile'],
  tasks: {
    compile,
    install: (ctx) => ctx.exec('install', ['-D', '-m', '0644', join(ctx.dirs.build, FREERTOS_BINARY),
      join(ctx.dirs.dest, 'usr/libexec/jailhouse/demos', FREERTOS_BINARY)]).then(() => undefined),
  },
});
