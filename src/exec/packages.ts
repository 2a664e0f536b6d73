/**
 * The one table of Debian packages jhbuild names: for host commands, files it needs on the host,
 * toolchains and QEMU's data files. doctor, hints and the test that holds every name against the
 * host's apt cache all read it; a tool or file missing here is a defect the test reports.
 */
import { arch } from 'node:os';

/** Host commands and the binary package that ships each (as `dpkg -S` names it). */
export const COMMAND_PACKAGES: Readonly<Record<string, string>> = {
  git: 'git', make: 'make', gcc: 'gcc', bc: 'bc', flex: 'flex', bison: 'bison', cpio: 'cpio', python3: 'python3', perl: 'perl',
  tar: 'tar', bzip2: 'bzip2', xz: 'xz-utils', sh: 'dash', 'apt-get': 'apt', 'dpkg-deb': 'dpkg', 'dpkg-source': 'dpkg-dev', swig: 'swig',
  dtc: 'device-tree-compiler', fdtoverlay: 'device-tree-compiler', fdtget: 'device-tree-compiler', mkimage: 'u-boot-tools',
  mke2fs: 'e2fsprogs', debugfs: 'e2fsprogs', 'mkfs.vfat': 'dosfstools', sfdisk: 'fdisk', bmaptool: 'bmap-tools',
  mcopy: 'mtools', mformat: 'mtools', mdir: 'mtools', mmd: 'mtools',
  'grub-mkstandalone': 'grub-common', 'grub-mkimage': 'grub-common',
  // Buildroot's host needs (docs/manual/prerequisite.adoc).
  'g++': 'g++', patch: 'patch', rsync: 'rsync', unzip: 'unzip', file: 'file', wget: 'wget',
  'qemu-system-aarch64': 'qemu-system-arm', 'qemu-system-arm': 'qemu-system-arm', 'qemu-system-x86_64': 'qemu-system-x86',
};

/** Files the host must have that no command stands for: headers, Python modules, firmware. */
export const FILE_PACKAGES: Readonly<Record<string, string>> = {
  '/usr/include/openssl/ssl.h': 'libssl-dev',
  '/usr/include/gelf.h': 'libelf-dev',
  '/usr/include/python3.11/Python.h': 'python3-dev',
  '/usr/lib/python3/dist-packages/elftools/__init__.py': 'python3-pyelftools',
  '/usr/lib/python3/dist-packages/mako/template.py': 'python3-mako',
  '/usr/lib/python3/dist-packages/setuptools/__init__.py': 'python3-setuptools',
  '/usr/lib/grub/x86_64-efi/linux.mod': 'grub-efi-amd64-bin',
};

/** A C toolchain: the compiler package and the C library development package its programs link against. */
export interface ToolchainPackages { readonly compiler: string; readonly libc: string }

/** Debian architecture names of the cross targets, for the -cross library packages. */
const CROSS: Readonly<Record<string, { readonly gnu: string; readonly debian: string; readonly native: string }>> = {
  'aarch64-linux-gnu-': { gnu: 'aarch64-linux-gnu', debian: 'arm64', native: 'arm64' },
  'arm-linux-gnueabihf-': { gnu: 'arm-linux-gnueabihf', debian: 'armhf', native: 'arm' },
  'x86_64-linux-gnu-': { gnu: 'x86-64-linux-gnu', debian: 'amd64', native: 'x64' },
};

export const CROSS_PREFIXES: readonly string[] = Object.keys(CROSS);

/**
 * What a CROSS_COMPILE prefix needs. On a host of the target's own architecture Debian's `gcc`
 * provides the prefixed compiler and `libc6-dev` the headers; elsewhere the -cross packages do.
 * A compiler without its libc package compiles nothing that includes <stdio.h>.
 */
export function toolchainPackages(prefix: string, hostArch: string = arch()): ToolchainPackages | undefined {
  if (prefix === '') return { compiler: 'gcc', libc: 'libc6-dev' };
  const target = CROSS[prefix];
  if (!target) return undefined;
  if (target.native === hostArch) return { compiler: 'gcc', libc: 'libc6-dev' };
  return { compiler: `gcc-${target.gnu}`, libc: `libc6-dev-${target.debian}-cross` };
}

/** The package of a command, or undefined when the table does not know it (never a guess from its name). */
export function debianPackageFor(command: string): string | undefined {
  const name = command.split('/').pop()!;
  if (COMMAND_PACKAGES[name]) return COMMAND_PACKAGES[name];
  const prefix = CROSS_PREFIXES.find((p) => name.startsWith(p));
  if (!prefix) return undefined;
  // objcopy, ld, ... come with binutils; gcc with the compiler package.
  if (name.endsWith('gcc')) return toolchainPackages(prefix)!.compiler;
  return toolchainPackages(prefix)!.compiler === 'gcc' ? 'binutils' : `binutils-${CROSS[prefix]!.gnu}`;
}

export function debianPackageForFile(path: string): string | undefined {
  return FILE_PACKAGES[path] ?? (/\/(OVMF|AAVMF)[^/]*\.fd$/.test(path) ? qemuDataPackage(path) : undefined);
}

/** The package holding a firmware or ROM file QEMU failed to find (from its own error message). */
export function qemuDataPackage(file: string): string {
  const name = file.split('/').pop()!;
  if (/^(efi|pxe)-.*\.rom$/.test(name)) return 'ipxe-qemu';
  if (/^(bios|bios-256k)\.bin$|^vgabios/.test(name)) return 'seabios';
  if (/^OVMF/.test(name)) return 'ovmf';
  if (/^AAVMF/.test(name)) return 'qemu-efi-aarch64';
  return 'qemu-system-data';
}

/** Every package name the table can give, for the test against the host's apt cache. */
export function everyTablePackage(hostArch: string = arch()): string[] {
  const names = new Set<string>([...Object.values(COMMAND_PACKAGES), ...Object.values(FILE_PACKAGES),
    'ipxe-qemu', 'seabios', 'ovmf', 'qemu-efi-aarch64', 'qemu-system-data']);
  for (const prefix of ['', ...CROSS_PREFIXES]) {
    const toolchain = toolchainPackages(prefix, hostArch)!;
    names.add(toolchain.compiler);
    names.add(toolchain.libc);
    names.add(debianPackageFor(`${prefix}objcopy`) ?? 'binutils');
  }
  return [...names].sort();
}
