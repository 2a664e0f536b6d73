/**
 * FreeRTOS as a Jailhouse inmate on AArch64: FreeRTOS-Kernel V11.1.0 with its ARM_AARCH64_SRE port
 * (GICv3 system registers) or ARM_AARCH64 port (GICv2 MMIO) as an EL1 guest, and the glue in files/:
 * entry and vector table, the GIC and the virtual-timer tick, a console on the UART the cell config
 * names (PL011, 8250, i.MX; read from the communication region), and the demo tasks. Linked at guest
 * address 0, where the cell config maps the inmate's RAM.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { copyInto, defineRecipe, git, JhError } from '../../src/index.ts';
import type { TaskContext } from '../../src/index.ts';

const GLUE = ['start.S', 'main.c', 'console.c', 'tick.c'];
const KERNEL = ['tasks.c', 'queue.c', 'list.c', 'portable/MemMang/heap_4.c'];
const HEADERS = ['FreeRTOSConfig.h', 'jailhouse.h', 'platform.h'];
const FREERTOS_BINARY = 'freertos-demo.bin';

// No C library and the MMU off (all memory is Device memory to the inmate): no unaligned accesses,
// no FP/SIMD registers in compiled code (tasks carry no FP context).
const CFLAGS = ['-O2', '-g', '-ffreestanding', '-fno-builtin', '-nostdlib', '-mstrict-align', '-mgeneral-regs-only',
  '-DGUEST', '-DJAILHOUSE_GUEST', '-Wall', '-Werror',
  // The GICv2 port warns that GUEST (EL1) is "not a fully tested path" (written for Xen); Jailhouse runs it here.
  '-Wno-error=cpp'];

/** GICv3: the SRE port (system registers); GICv2: the MMIO port, with the machine's distributor and CPU interface. */
function gicBuild(ctx: TaskContext): { port: string; glue: string; defines: string[] } {
  const arm = ctx.machine.system.platform.arm;
  if (!arm) {
    throw new JhError('E_MACHINE_FIELD', `machine ${ctx.machine.name} has no ARM GIC (system.platform.arm): FreeRTOS builds for AArch64 boards`, {
      file: ctx.machine.file, hint: 'give the freertos-demo cell only to an arm64 machine' });
  }
  if (arm.gicVersion === 3) return { port: 'portable/GCC/ARM_AARCH64_SRE', glue: 'gic-v3.c', defines: ['-DGIC_VERSION=3'] };
  return {
    port: 'portable/GCC/ARM_AARCH64', glue: 'gic-v2.c',
    defines: ['-DGIC_VERSION=2', `-DconfigINTERRUPT_CONTROLLER_BASE_ADDRESS=0x${arm.gicdBase.toString(16)}UL`,
      `-DconfigINTERRUPT_CONTROLLER_CPU_INTERFACE_OFFSET=0x${(arm.giccBase - arm.gicdBase).toString(16)}UL`],
  };
}

async function compile(ctx: TaskContext): Promise<void> {
  const cc = `${ctx.machine.crossCompile}gcc`;
  const src = ctx.dirs.src;
  const gic = gicBuild(ctx);
  const flags = [...CFLAGS, ...gic.defines, `-I${join(ctx.dirs.recipe, 'files')}`, `-I${join(src, 'include')}`, `-I${join(src, gic.port)}`];
  const sources = [...[...GLUE, gic.glue].map((f) => ctx.file(`files/${f}`)), ...[...KERNEL, `${gic.port}/port.c`, `${gic.port}/portASM.S`].map((f) => join(src, f))];
  mkdirSync(ctx.dirs.build, { recursive: true });
  const objects: string[] = [];
  for (const [i, file] of sources.entries()) {
    const object = join(ctx.dirs.build, `${i}-${file.split('/').pop()!.replace(/\.[cS]$/, '')}.o`);
    await ctx.exec(cc, [...flags, '-c', file, '-o', object]);
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
  summary: 'FreeRTOS demo inmate for Jailhouse cells on AArch64 (GICv2, GICv3)',
  source: git({ url: 'https://github.com/FreeRTOS/FreeRTOS-Kernel.git', rev: 'f388a5c8078e152913e4eb3c5d75bf89561392df' }),
  patches: ['patches/0001-ARM_AARCH64_SRE-run-as-a-Jailhouse-guest.patch', 'patches/0002-ARM_AARCH64-run-as-a-Jailhouse-guest.patch'],
  files: [...GLUE, 'gic-v3.c', 'gic-v2.c', ...HEADERS, 'inmate.lds'].map((f) => `files/${f}`),
  machineKeys: ['arch', 'crossCompile', 'system.platform.arm'],
  tasks: {
    compile,
    install: (ctx) => copyInto(join(ctx.dirs.build, FREERTOS_BINARY), join(ctx.dirs.dest, 'usr/libexec/jailhouse/demos')),
  },
});
