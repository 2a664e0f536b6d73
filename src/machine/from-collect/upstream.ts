/**
 * Upstream's `jailhouse config create`, run on the build host from the Jailhouse tree the build
 * uses (nothing of it is copied into jhbuild): its script and Python package are laid out in a work
 * folder as in the tree, with the pci_defs.py its build would generate, and run with `-r` against
 * the unpacked collect archive. The C it writes is compiled as Jailhouse's configs/Makefile does.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JhError } from '../../errors.ts';
import { runProcess } from '../../exec/index.ts';

export interface ConfigCreateOptions {
  /** --mem-hv and --mem-inmates, as config create takes them (6M, 76M). */
  readonly memHv: string;
  readonly memInmates: string;
  /** -c: the hypervisor's debug console (ttyS0). */
  readonly console?: string;
}

/** Debian's interpreter, whose Mako doctor proves (config create renders its C with Mako). */
const PYTHON = '/usr/bin/python3';

function treeFile(tree: string, path: string): string {
  const file = join(tree, path);
  if (!existsSync(file)) {
    throw new JhError('E_JAILHOUSE_TREE', `${tree} has no ${path}`, { hint: 'give a siemens/jailhouse tree with --src jailhouse=PATH' });
  }
  return file;
}

/** The root cell's C source that config create writes for the collected machine. */
export async function configCreate(tree: string, root: string, work: string, options: ConfigCreateOptions): Promise<string> {
  const script = treeFile(tree, 'tools/jailhouse-config-create');
  mkdirSync(join(work, 'tools'), { recursive: true });
  copyFileSync(script, join(work, 'tools/jailhouse-config-create'));
  copyFileSync(treeFile(tree, 'tools/root-cell-config.c.tmpl'), join(work, 'tools/root-cell-config.c.tmpl'));
  cpSync(treeFile(tree, 'pyjailhouse'), join(work, 'pyjailhouse'), { recursive: true });
  if (!existsSync(join(work, 'pyjailhouse/pci_defs.py'))) {
    const defs = await runProcess('bash', [treeFile(tree, 'scripts/gen_pci_defs.sh'), treeFile(tree, 'include/jailhouse/pci_defs.h')], { cwd: tree });
    writeFileSync(join(work, 'pyjailhouse/pci_defs.py'), defs);
  }
  const out = join(work, 'root-cell.c');
  const args = [join(work, 'tools/jailhouse-config-create'), '-r', root, '--mem-hv', options.memHv, '--mem-inmates', options.memInmates,
    ...(options.console ? ['-c', options.console] : []), out];
  const log = join(work, 'config-create.log');
  try {
    await runProcess(PYTHON, args, { cwd: work, log });
  } catch (error) {
    const text = existsSync(log) ? readFileSync(log, 'utf8') : (error as Error).message;
    throw new JhError('E_CONFIG_CREATE', `jailhouse config create failed on the collected archive: ${text.trim().split('\n').at(-1)}`, {
      hint: /mako/i.test(text) ? 'apt-get install python3-mako' : 'the archive may come from a machine config create does not know (x86 only; Intel needs DMAR, AMD IVRS)' });
  }
  return readFileSync(out, 'utf8');
}

/** The C config compiled to a .cell with Jailhouse's headers (gcc -c, objcopy -O binary). */
export async function compileCell(tree: string, source: string, work: string): Promise<Uint8Array> {
  const base = join(work, 'root-cell');
  writeFileSync(`${base}.c`, source);
  await runProcess('gcc', ['-c', '-Werror', '-Wall', '-Wextra', '-D__LINUX_COMPILER_TYPES_H', `-I${tree}/hypervisor/arch/x86/include`,
    `-I${tree}/hypervisor/include`, `-I${tree}/include`, '-o', `${base}.o`, `${base}.c`]);
  await runProcess('objcopy', ['-O', 'binary', '--remove-section=.note.gnu.property', `${base}.o`, `${base}.cell`]);
  return readFileSync(`${base}.cell`);
}
