/**
 * The machine's cell configs. configure checks the whole system and renders the C sources;
 * compile builds them exactly as Jailhouse's configs/Makefile does (gcc -c with its flags, objcopy
 * -O binary) and requires jhbuild's own encoder to give the same bytes.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkMachine, defineRecipe, encodeMachineCells, formatFinding, INMATE_DTS_TEMPLATE, inmateDtbName,
  inmateDtsData, JhError, renderedDtCells, renderMachineCells
} from '../../src/index.ts';

export default defineRecipe({
  name: 'cells',
  version: '1',
  license: 'GPL-2.0-only',
  summary: 'Jailhouse cell configs rendered, compiled and checked from the machine description',
  depends: [{ recipe: 'jailhouse', task: 'patch', for: 'compile' }],
  templates: ['cells/system.c.hbs', 'cells/cell.c.hbs', 'cells/cell-body.hbs', 'cells/struct-members.hbs', 'cells/desc-fields.hbs', 'dts/inmate.dts.hbs'],
  tools: ['dtc'],
  machineKeys: ['name', 'arch', 'crossCompile', 'cpus', 'system', 'cells', 'board', 'ram', 'reservation', 'rootConsole', 'rootCmdline', 'intelIommuOff'],
  tasks: {
    configure(ctx) {
      const findings = checkMachine(ctx.machine);
      if (findings.length > 0) {
        throw new JhError('E_CELL_CHECK', `machine ${ctx.machine.name}: ${findings.length} cell config problem(s)`, {
          details: findings.map(formatFinding), hint: 'fix the machine description; `jhbuild cells check` shows the same' });
      }
      for (const [name, code] of renderMachineCells(ctx.machine, (t, d) => ctx.render(t, d))) writeFileSync(join(ctx.dirs.build, name), code);
      // Linux guests boot with a device tree rendered from their cell.
      for (const cell of renderedDtCells(ctx.machine)) {
        writeFileSync(join(ctx.dirs.build, inmateDtbName(ctx.machine, cell).replace(/\.dtb$/, '.dts')), ctx.render(INMATE_DTS_TEMPLATE, inmateDtsData(ctx.machine, cell)));
      }
    },
    async compile(ctx) {
      const jh = ctx.deps.jailhouse!.src;
      const arch = ctx.machine.arch;
      const cc = arch === 'x86' && ctx.machine.crossCompile.startsWith('x86_64') ? 'gcc' : `${ctx.machine.crossCompile}gcc`;
      for (const cell of renderedDtCells(ctx.machine)) {
        const dtb = join(ctx.dirs.build, inmateDtbName(ctx.machine, cell));
        await ctx.exec('dtc', ['-I', 'dts', '-O', 'dtb', '-o', dtb, dtb.replace(/\.dtb$/, '.dts')]);
      }
      const encoded = encodeMachineCells(ctx.machine);
      for (const file of readdirSync(ctx.dirs.build).filter((f) => f.endsWith('.c')).sort()) {
        const base = join(ctx.dirs.build, file.slice(0, -2));
        await ctx.exec(cc, ['-c', '-Werror', '-Wall', '-Wextra', '-D__LINUX_COMPILER_TYPES_H', `-I${jh}/hypervisor/arch/${arch}/include`,
          `-I${jh}/hypervisor/include`, `-I${jh}/include`, '-o', `${base}.o`, `${base}.c`]);
        await ctx.exec(cc.replace(/gcc$/, 'objcopy'), ['-O', 'binary', '--remove-section=.note.gnu.property', `${base}.o`, `${base}.cell`]);
        const built = readFileSync(`${base}.cell`);
        const mine = encoded.get(`${file.slice(0, -2)}.cell`)!;
        if (Buffer.compare(built, Buffer.from(mine)) !== 0) {
          throw new JhError('E_CELL_ENCODER_MISMATCH', `${file}: Jailhouse's build made ${built.length} bytes that differ from jhbuild's encoder (${mine.length})`, {
            hint: 'report this: the encoder and the C templates disagree' });
        }
      }
    },
    install(ctx) {
      const dir = join(ctx.dirs.dest, 'etc/jailhouse');
      mkdirSync(dir, { recursive: true });
      for (const f of readdirSync(ctx.dirs.build).filter((f) => f.endsWith('.cell')).sort()) copyFileSync(join(ctx.dirs.build, f), join(dir, f));
      const dtbs = readdirSync(ctx.dirs.build).filter((f) => f.endsWith('.dtb')).sort();
      if (dtbs.length > 0) mkdirSync(join(dir, 'dts'), { recursive: true });
      for (const f of dtbs) copyFileSync(join(ctx.dirs.build, f), join(dir, 'dts', f));
    },
  },
});
