/** The Debian packages that provide host commands, toolchains and QEMU's data files: for hints and `jhbuild doctor`. */
import { arch } from 'node:os';

const BY_NAME: Readonly<Record<string, string>> = {
  git: 'git', make: 'make', gcc: 'gcc', bc: 'bc', flex: 'flex', bison: 'bison', cpio: 'cpio', dtc: 'device-tree-compiler',
  fdtoverlay: 'device-tree-compiler', python3: 'python3', perl: 'perl', tar: 'tar', bzip2: 'bzip2', xz: 'xz-utils',
  mke2fs: 'e2fsprogs', debugfs: 'e2fsprogs', mcopy: 'mtools', mformat: 'mtools', mdir: 'mtools', 'mkfs.vfat': 'dosfstools',
  'dpkg-deb': 'dpkg', swig: 'swig', sh: 'dash', fdtget: 'device-tree-compiler', mkimage: 'u-boot-tools', sfdisk: 'fdisk', bmaptool: 'bmap-tools', 'grub-mkstandalone': 'grub-common', 'grub-mkimage': 'grub-common', 'apt-get': 'apt',
  // Buildroot's host needs (docs/manual/prerequisite.adoc).
  'g++': 'g++', patch: 'patch', rsync: 'rsync', unzip: 'unzip', file: 'file', wget: 'wget',
  'qemu-system-aarch64': 'qemu-system-arm', 'qemu-system-arm': 'qemu-system-arm', 'qemu-system-x86_64': 'qemu-system-x86',
};

/** A C toolchain: the compiler package and the C library development package its programs link against. */
export interface ToolchainPackages { readonly compiler: string; readonly libc: string }

/** Debian architecture names of the cross targets, for the -cross library packages. */
const CROSS: Readonly<Record<string, { readonly gnu: string; readonly debian: string; readonly native: string }>> = {
  'aarch64-linux-gnu-': { gnu: 'aarch64-linux-gnu', debian: 'arm64', native: 'arm64' },
  'arm-linux-gnueabihf-': { gnu: 'arm-linux-gnueabihf', debian: 'armhf', native: 'arm' },
  'x86_64-linux-gnu-': { gnu: 'x86-64-linux-gnu', debian: 'amd64', native: 'x64' },
};

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

export function debianPackageFor(command: string): string | undefined {
  const name = command.split('/').pop()!;
  if (BY_NAME[name]) return BY_NAME[name];
  const prefix = Object.keys(CROSS).find((p) => name.startsWith(p));
  if (!prefix) return undefined;
  // objcopy, ld, ... come with binutils; gcc with the compiler package.
  if (name.endsWith('gcc')) return toolchainPackages(prefix)!.compiler;
  return toolchainPackages(prefix)!.compiler === 'gcc' ? 'binutils' : `binutils-${CROSS[prefix]!.gnu}`;
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
