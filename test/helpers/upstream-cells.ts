/** Upstream Jailhouse's hand-written configs compiled as its build does (gcc -c, objcopy -O binary), from a checkout or a bare repository. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const trees = new Map<string, string>();

/** A folder with configs/ and the headers: the checkout itself, or HEAD of a bare repository unpacked once. */
function sourceTree(repo: string): string {
  if (existsSync(join(repo, 'include/jailhouse/cell-config.h'))) return repo;
  let dir = trees.get(repo);
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'jh-upstream-tree-'));
    const archive = execFileSync('git', ['-C', repo, 'archive', 'HEAD', 'configs', 'include', 'hypervisor/include', 'hypervisor/arch'], { maxBuffer: 256 << 20 });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    trees.set(repo, dir);
  }
  return dir;
}

/** configs/<arch>/<config>.c as a .cell; undefined when the tree has no such config. */
export function compileUpstream(repo: string, config: string, arch: 'x86' | 'arm64'): Buffer | undefined {
  const src = sourceTree(repo);
  const file = join(src, 'configs', arch, `${config}.c`);
  if (!existsSync(file)) return undefined;
  const cc = arch === 'x86' ? 'gcc' : 'aarch64-linux-gnu-gcc';
  const dir = mkdtempSync(join(tmpdir(), 'jh-upstream-'));
  execFileSync(cc, ['-c', '-D__LINUX_COMPILER_TYPES_H', `-I${src}/hypervisor/arch/${arch}/include`, `-I${src}/hypervisor/include`, `-I${src}/include`,
    '-o', join(dir, 'c.o'), file]);
  execFileSync(cc.replace(/gcc$/, 'objcopy'), ['-O', 'binary', '--remove-section=.note.gnu.property', join(dir, 'c.o'), join(dir, 'c.cell')]);
  return readFileSync(join(dir, 'c.cell'));
}
