/**
 * What a machine's build and run need of the host, as checks that prove each need by use: the
 * tools the recipes declare, the toolchains they compile with, the Debian sources they fetch, the
 * QEMU the runner starts. `jhbuild doctor --machine M` runs exactly these.
 */
import type { Recipe } from '../engine/recipe.ts';
import type { Machine } from '../machine/types.ts';
import type { HostCheck } from './check.ts';
import { debianSourceCheck } from './deb-src.ts';
import { qemuCheck } from './qemu.ts';
import { commandCheck, fileCheck } from './tool.ts';
import { DISK_TOOLS } from '../image/disk/tools.ts';
import { BOOT_TOOLS, bootMethod } from '../boot/index.ts';
import { toolchainCheck } from './toolchain.ts';

/** Tools every build uses beyond what recipes declare: unpacking, patching, cpio lists, kernel scripts. */
const ALWAYS = ['git', 'tar', 'xz', 'bzip2', 'cpio', 'perl'];
/** The device-tree compiler builds Jailhouse's inmate device trees and the boards' overlays. */
const BY_ARCH: Readonly<Record<string, readonly string[]>> = { arm64: ['dtc'], arm: ['dtc'], x86: [] };

export function hostChecks(machine: Machine, recipes: readonly Recipe[]): HostCheck[] {
  // Image tools are declared by the image kind for every machine; only a machine with a disk uses them.
  const imageTools = new Set<string>([...DISK_TOOLS, ...BOOT_TOOLS]);
  const method = machine.image ? bootMethod(machine) : undefined;
  const tools = [...new Set([...ALWAYS, ...(BY_ARCH[machine.arch] ?? []), ...recipes.flatMap((r) => r.tools).filter((t) => !imageTools.has(t)),
    ...(method ? [...DISK_TOOLS, ...method.tools] : [])])].sort();
  const checks: HostCheck[] = tools.map((tool) => commandCheck(tool));
  for (const file of method?.hostFiles ?? []) checks.push(fileCheck(file, `${machine.boot} boot partition`));
  if (recipes.some((r) => r.name === 'linux')) {
    // The kernel's host programs: certificates (openssl) and objtool (libelf) include these.
    checks.push(fileCheck('/usr/include/openssl/ssl.h', 'kernel host tools'), fileCheck('/usr/include/gelf.h', 'kernel objtool'));
  }
  if (machine.arch === 'x86' && recipes.some((r) => r.name === 'jailhouse')) {
    // Jailhouse's build makes `jailhouse config collect` from a Mako template, only where Debian's python3 has Mako.
    checks.push(fileCheck('/usr/lib/python3/dist-packages/mako/template.py', 'Jailhouse config collector'));
  }
  if (recipes.some((r) => r.name === 'u-boot')) {
    // binman: U-Boot builds Python's libfdt with swig against Python.h, and reads ELF files with pyelftools.
    checks.push(fileCheck('/usr/include/python3.11/Python.h', 'U-Boot pylibfdt'),
      fileCheck('/usr/lib/python3/dist-packages/elftools/__init__.py', 'U-Boot binman'),
      fileCheck('/usr/lib/python3/dist-packages/setuptools/__init__.py', 'U-Boot pylibfdt'));
  }
  checks.push(toolchainCheck('', 'host programs of the kernel and busybox builds'));
  if (machine.crossCompile !== '') checks.push(toolchainCheck(machine.crossCompile, `${machine.name} target code`));
  for (const recipe of recipes) {
    if (recipe.source.type === 'tarball' && recipe.source.debian) checks.push(debianSourceCheck(recipe.name, recipe.source.debian, recipe.source.sha256));
  }
  if (machine.qemu) checks.push(qemuCheck(machine));
  return checks;
}
