/**
 * `jhbuild machine new NAME --dtb FILE`: machines/NAME/ (machine file and board layout) from an ARM board's device tree.
 * `jhbuild machine import NAME --collect FILE.tar`: the same for a PC, from upstream's `jailhouse config collect` archive.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { JhError } from '../../errors.ts';
import { FDT_MAX_SIZE } from '../../devicetree/fdt.ts';
import { kernelDtbOf, machineFromDtb } from '../../machine/from-dt/index.ts';
import { machineFromCollect } from '../../machine/from-collect/index.ts';
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

/** The --src jailhouse=PATH tree: config create runs from it. */
function jailhouseTree(values: Record<string, unknown>): string {
  const src = ((values.src as string[] | undefined) ?? []).find((s) => s.startsWith('jailhouse='));
  if (!src) throw new JhError('E_USAGE', 'machine import: --src jailhouse=PATH is required (upstream\'s config create runs from that tree)', { hint: 'e.g. --src jailhouse=../jailhouse' });
  return resolve(src.slice('jailhouse='.length));
}

const command: Command = {
  summary: "write a new machine (root cell, board layout): ARM from the board's device tree, a PC from `jailhouse config collect`",
  usage: 'machine new NAME --dtb FILE.dtb [--ram BASE:SIZE,...] | machine import NAME --collect FILE.tar --src jailhouse=PATH [--mem-hv 6M] [--mem-inmates 76M] [--without-iommu]; [--layer DIR | -o DIR] [--force]',
  options: {
    dtb: { type: 'string', description: "the board's compiled device tree", placeholder: 'FILE' },
    collect: { type: 'string', description: 'the archive `jailhouse config collect FILE.tar` wrote on the PC', placeholder: 'FILE' },
    src: { type: 'string', multiple: true, description: 'jailhouse=PATH: the Jailhouse tree whose config create runs', placeholder: 'NAME=PATH' },
    'mem-hv': { type: 'string', description: 'hypervisor memory for config create (default 6M)', placeholder: 'SIZE' },
    'mem-inmates': { type: 'string', description: 'memory for the cells, reserved after the hypervisor\'s (default 76M)', placeholder: 'SIZE' },
    'without-iommu': { type: 'boolean', description: 'drop the IOMMU units config create found (QEMU\'s amd-iommu, which the hypervisor refuses); DMA is then not confined' },
    ram: { type: 'string', description: 'RAM banks when the tree has none (the firmware fills /memory in), e.g. 0:0x3b400000', placeholder: 'B:S,...' },
    layer: { type: 'string', description: 'write into this layer (DIR/machines/NAME/)', placeholder: 'DIR' },
    output: { type: 'string', short: 'o', description: 'write into this folder instead (default <project>/machines/NAME/)', placeholder: 'DIR' },
    force: { type: 'boolean', description: 'overwrite files that exist' },
  },
  async run(args, values) {
    const [sub, name, ...extra] = args;
    if ((sub !== 'new' && sub !== 'import') || !name || extra.length) {
      throw new JhError('E_USAGE', `machine ${args.join(' ')}: expected "machine new NAME --dtb FILE" or "machine import NAME --collect FILE.tar"`, { hint: `usage: jhbuild ${this.usage}` });
    }
    if (!NAME.test(name)) throw new JhError('E_USAGE', `machine name "${name}": use lower-case letters, digits, ".", "_" and "-"`, { hint: 'e.g. jhbuild machine new my-board --dtb my-board.dtb' });
    if (sub === 'new' && typeof values.dtb !== 'string') throw new JhError('E_USAGE', 'machine new: --dtb FILE is required', { hint: `usage: jhbuild ${this.usage}` });
    if (sub === 'import' && typeof values.collect !== 'string') throw new JhError('E_USAGE', 'machine import: --collect FILE.tar is required', { hint: `usage: jhbuild ${this.usage}` });
    const project = await openProject(values);
    const dir = typeof values.output === 'string' ? resolve(values.output)
      : typeof values.layer === 'string' ? join(resolve(values.layer), 'machines', name) : join(project.root, 'machines', name);
    const index = existsSync(join(project.root, 'src/index.ts')) ? join(project.root, 'src/index.ts') : join(packageRoot, 'src/index.ts');
    const relativeIndex = relative(dir, index).replaceAll('\\', '/');
    const indexImport = relativeIndex.startsWith('.') ? relativeIndex : `./${relativeIndex}`;
    let files: ReadonlyMap<string, string | Uint8Array>;
    let findings: string[];
    if (sub === 'import') {
      const imported = await machineFromCollect(resolve(values.collect as string), {
        name, tree: jailhouseTree(values), indexImport, withoutIommu: values['without-iommu'] === true,
        memHv: typeof values['mem-hv'] === 'string' ? values['mem-hv'] : '6M', memInmates: typeof values['mem-inmates'] === 'string' ? values['mem-inmates'] : '76M',
        console: 'ttyS0' });
      files = imported.files;
      findings = [...imported.notes];
    } else {
      const dtb = resolve(values.dtb as string);
      const result = machineFromDtb(readDtb(dtb), dtb, {
        name, dtbName: basename(dtb), kernelDtb: kernelDtbOf(dtb), indexImport,
        ram: typeof values.ram === 'string' ? parseRam(values.ram) : undefined,
      });
      files = result.files;
      findings = [...result.hardware.findings, ...result.layout.findings];
    }
    const targets = [...files].map(([file, text]) => [join(dir, file), text] as const);
    const existing = targets.filter(([path]) => existsSync(path)).map(([path]) => relative(process.cwd(), path));
    if (existing.length && !values.force) {
      throw new JhError('E_MACHINE_EXISTS', `machine ${sub} ${name}: ${existing.join(', ')} exist`, { hint: 'pick another NAME or folder, or pass --force to overwrite' });
    }
    mkdirSync(dir, { recursive: true });
    for (const [path, text] of targets) writeFileSync(path, text);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ event: `machine:${sub}`, name, files: targets.map(([p]) => p), findings })}\n`);
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
