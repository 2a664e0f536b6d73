/** `jhbuild machine new NAME --dtb FILE`: writes machines/NAME/ (machine file and board layout) from the board's device tree. */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { JhError } from '../../errors.ts';
import { FDT_MAX_SIZE } from '../../devicetree/fdt.ts';
import { kernelDtbOf, machineFromDtb } from '../../machine/from-dt/index.ts';
import { openProject, packageRoot, type Command } from '../common.ts';

const NAME = /^[a-z0-9][a-z0-9._-]*$/;

function parseRam(text: string): { base: number; size: number }[] {
  return text.split(',').map((part) => {
    const m = /^(0x[0-9a-f]+|\d+):(0x[0-9a-f]+|\d+)$/i.exec(part.trim());
    if (!m) throw new JhError('E_USAGE', `--ram ${text}: expected BASE:SIZE[,BASE:SIZE...]`, { hint: 'e.g. --ram 0:0x3b400000,0x40000000:0xbc000000' });
    return { base: Number(m[1]), size: Number(m[2]) };
  });
}

function readDtb(path: string): Uint8Array {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new JhError('E_DTB_READ', `cannot read ${path}: ${(error as Error).message}`, { file: path, hint: 'give the path of the board\'s compiled .dtb' });
  }
  if (size > FDT_MAX_SIZE) throw new JhError('E_DTB_FORMAT', `${path} is ${size} bytes, more than a device tree's ${FDT_MAX_SIZE}-byte cap`, { file: path, hint: 'give a .dtb, not an image' });
  return readFileSync(path);
}

const command: Command = {
  summary: "write a new ARM machine (root cell, board layout) from the board's compiled device tree",
  usage: 'machine new NAME --dtb FILE.dtb [--ram BASE:SIZE,...] [--layer DIR | -o DIR] [--force]',
  options: {
    dtb: { type: 'string', description: "the board's compiled device tree", placeholder: 'FILE' },
    ram: { type: 'string', description: 'RAM banks when the tree has none (the firmware fills /memory in), e.g. 0:0x3b400000', placeholder: 'B:S,...' },
    layer: { type: 'string', description: 'write into this layer (DIR/machines/NAME/)', placeholder: 'DIR' },
    output: { type: 'string', short: 'o', description: 'write into this folder instead (default <project>/machines/NAME/)', placeholder: 'DIR' },
    force: { type: 'boolean', description: 'overwrite files that exist' },
  },
  async run(args, values) {
    const [sub, name, ...extra] = args;
    if (sub !== 'new' || !name || extra.length) throw new JhError('E_USAGE', `machine ${args.join(' ')}: expected "machine new NAME --dtb FILE"`, { hint: `usage: jhbuild ${this.usage}` });
    if (!NAME.test(name)) throw new JhError('E_USAGE', `machine name "${name}": use lower-case letters, digits, ".", "_" and "-"`, { hint: 'e.g. jhbuild machine new my-board --dtb my-board.dtb' });
    if (typeof values.dtb !== 'string') throw new JhError('E_USAGE', 'machine new: --dtb FILE is required', { hint: `usage: jhbuild ${this.usage}` });
    const project = await openProject(values);
    const dtb = resolve(values.dtb);
    const dir = typeof values.output === 'string' ? resolve(values.output)
      : typeof values.layer === 'string' ? join(resolve(values.layer), 'machines', name) : join(project.root, 'machines', name);
    const index = existsSync(join(project.root, 'src/index.ts')) ? join(project.root, 'src/index.ts') : join(packageRoot, 'src/index.ts');
    const indexImport = relative(dir, index).replaceAll('\\', '/');
    const result = machineFromDtb(readDtb(dtb), dtb, {
      name, dtbName: basename(dtb), kernelDtb: kernelDtbOf(dtb), indexImport: indexImport.startsWith('.') ? indexImport : `./${indexImport}`,
      ram: typeof values.ram === 'string' ? parseRam(values.ram) : undefined,
    });
    const targets = [...result.files].map(([file, text]) => [join(dir, file), text] as const);
    const existing = targets.filter(([path]) => existsSync(path)).map(([path]) => relative(process.cwd(), path));
    if (existing.length && !values.force) {
      throw new JhError('E_MACHINE_EXISTS', `machine new ${name}: ${existing.join(', ')} exist`, { hint: 'pick another NAME or folder, or pass --force to overwrite' });
    }
    mkdirSync(dir, { recursive: true });
    for (const [path, text] of targets) writeFileSync(path, text);
    const findings = [...result.hardware.findings, ...result.layout.findings];
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ event: 'machine:new', name, files: targets.map(([p]) => p), findings })}\n`);
      return 0;
    }
    const out = (text: string) => process.stdout.write(`${text}\n`);
    for (const [path] of targets) out(`wrote ${relative(process.cwd(), path) || path}`);
    out(`${findings.length} finding(s) to check (FINDING comments in the machine file):`);
    for (const f of findings) out(`  - ${f}`);
    out(`next: jhbuild cells check --machine ${name}; jhbuild cells plan --machine ${name}`);
    return 0;
  },
};
export default command;
