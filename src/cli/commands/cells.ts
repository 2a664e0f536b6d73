import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { JhError } from '../../errors.ts';
import { readCellBytes, readCellFile } from '../../cells/files.ts';
import { decodeCellFile } from '../../cells/binary.ts';
import { checkConfigs, formatFinding, type Finding } from '../../cells/check/index.ts';
import { inspectText } from '../../cells/inspect.ts';
import { checkMachine, encodeMachineCells, renderMachineCells } from '../../system/cells.ts';
import type { CellConfig, SystemConfig } from '../../cells/model.ts';
import { reservedByCmdline } from '../../system/cmdline.ts';
import { renderTemplateFile } from '../../render/index.ts';
import { machinePlan, memoryMapSvg, movedSince, planText, type Plan } from '../../system/plan.ts';
import { buildDirOf, loadMachine, machineOption, openProject, type Command, type Values } from '../common.ts';

const usage = `cells render|encode --machine M --out DIR
       cells plan --machine M [--svg FILE] [--json]
       cells inspect FILE.cell [--json]
       cells check --machine M | cells check SYSTEM.cell [CELL.cell...] [--cmdline "ARGS"]`;

function report(findings: Finding[], json: boolean, what: string): number {
  if (json) process.stdout.write(`${JSON.stringify({ ok: findings.length === 0, findings })}\n`);
  else if (findings.length === 0) process.stdout.write(`${what}: all checks passed\n`);
  else process.stderr.write(`${findings.map(formatFinding).join('\n')}\n${findings.length} problem${findings.length > 1 ? 's' : ''} in ${what}\n`);
  return findings.length === 0 ? 0 : 2;
}

function outDir(values: Values): string {
  if (typeof values.out !== 'string') throw new JhError('E_USAGE', '--out DIR is required', { hint: 'e.g. --out build/cells' });
  const dir = resolve(values.out);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const command: Command = {
  summary: 'render, encode, inspect and check Jailhouse cell configs',
  usage,
  options: {
    ...machineOption,
    out: { type: 'string', short: 'o', description: 'output folder (render, encode)', placeholder: 'DIR' },
    svg: { type: 'string', description: 'also write the memory map as SVG (plan)', placeholder: 'FILE' },
    cmdline: { type: 'string', description: 'root kernel cmdline to check the reservation against (check with files)', placeholder: 'ARGS' },
  },
  async run(args, values) {
    const [sub, ...files] = args;
    const json = values.json === true;
    if (sub === 'inspect') {
      if (files.length === 0) throw new JhError('E_USAGE', 'cells inspect: name a .cell file', { hint: 'jhbuild cells inspect build/cells/qemu-arm64.cell' });
      for (const file of files) {
        const bytes = readCellBytes(file);
        const decoded = decodeCellFile(bytes, file);
        process.stdout.write(json ? `${JSON.stringify({ file, ...decoded })}\n` : `${inspectText(decoded, file, bytes.length)}\n`);
      }
      return 0;
    }
    if (sub === 'check' && files.length > 0) {
      const decoded = files.map((f) => ({ f, d: readCellFile(f) }));
      const systems = decoded.filter((x) => x.d.kind === 'system');
      if (systems.length !== 1) throw new JhError('E_USAGE', `cells check: expected exactly one system (root) config among the files, got ${systems.length}`, { hint: 'pass the root .cell first, then the cells' });
      const system = (systems[0]!.d as { system: SystemConfig }).system;
      const cells = decoded.flatMap((x) => (x.d.kind === 'cell' ? [x.d.config as CellConfig] : []));
      const cmdline = typeof values.cmdline === 'string' ? values.cmdline.split(/\s+/).filter(Boolean) : undefined;
      const ramBase = Math.min(...system.rootCell.memory.filter((m) => (m.flags & 0x10) === 0 && m.size > 0).map((m) => m.phys));
      const findings = checkConfigs(system, cells, cmdline ? { reserved: reservedByCmdline(cmdline, { ram: [{ base: ramBase, size: 0 }] }), reservedFrom: `cmdline "${cmdline.join(' ')}"` } : {});
      return report(findings, json, files.join(' '));
    }
    const project = await openProject(values);
    const machine = await loadMachine(project, values);
    if (sub === 'check') return report(checkMachine(machine), json, `machine ${machine.name}`);
    if (sub === 'plan') {
      const plan = machinePlan(machine);
      // The last plan, kept in the build folder, tells what a change of needs moved.
      const last = join(buildDirOf(project, values), 'cells-plan', `${machine.name}.json`);
      const moved = existsSync(last) ? movedSince(JSON.parse(readFileSync(last, 'utf8')) as Plan, plan) : [];
      mkdirSync(dirname(last), { recursive: true });
      writeFileSync(last, `${JSON.stringify(plan, null, 1)}\n`);
      if (typeof values.svg === 'string') {
        mkdirSync(dirname(resolve(values.svg)), { recursive: true });
        writeFileSync(resolve(values.svg), memoryMapSvg(plan));
      }
      if (json) process.stdout.write(`${JSON.stringify({ ...plan, moved })}\n`);
      else process.stdout.write(`${planText(plan)}${moved.length ? `\nmoved since the last plan:\n${moved.map((m) => `  ${m}`).join('\n')}\n` : ''}`);
      const findings = checkMachine(machine);
      return findings.length === 0 ? 0 : report(findings, json, `machine ${machine.name}`);
    }
    if (sub === 'encode' || sub === 'render') {
      const findings = checkMachine(machine);
      if (findings.length > 0) return report(findings, json, `machine ${machine.name}`);
      const dir = outDir(values);
      const files = sub === 'encode' ? encodeMachineCells(machine)
        : renderMachineCells(machine, (t, d) => renderTemplateFile(project.templatePath(t), d));
      for (const [name, content] of files) writeFileSync(join(dir, name), content);
      process.stdout.write(`${[...files.keys()].map((n) => join(dir, n)).join('\n')}\n`);
      return 0;
    }
    throw new JhError('E_USAGE', `cells ${sub ?? ''}: unknown`, { hint: usage });
  },
};
export default command;
