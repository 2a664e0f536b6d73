/** The Debian package that provides a host command, for error hints and `jhbuild doctor`. */
const BY_NAME: Readonly<Record<string, string>> = {
  git: 'git', make: 'make', gcc: 'gcc', bc: 'bc', flex: 'flex', bison: 'bison', cpio: 'cpio', dtc: 'device-tree-compiler',
  python3: 'python3', tar: 'tar', bzip2: 'bzip2', xz: 'xz-utils', mke2fs: 'e2fsprogs', mcopy: 'mtools', 'apt-get': 'apt',
  'qemu-system-aarch64': 'qemu-system-arm', 'qemu-system-arm': 'qemu-system-arm', 'qemu-system-x86_64': 'qemu-system-x86',
};
const CROSS: Readonly<Record<string, string>> = {
  'aarch64-linux-gnu-': 'gcc-aarch64-linux-gnu', 'arm-linux-gnueabihf-': 'gcc-arm-linux-gnueabihf', 'x86_64-linux-gnu-': 'gcc-x86-64-linux-gnu',
};

export function debianPackageFor(command: string): string | undefined {
  const name = command.split('/').pop()!;
  if (BY_NAME[name]) return BY_NAME[name];
  const prefix = Object.keys(CROSS).find((p) => name.startsWith(p));
  if (!prefix) return undefined;
  // objcopy, ld, ... come with binutils; gcc with the compiler package.
  return name.endsWith('gcc') ? CROSS[prefix] : `binutils-${prefix.slice(0, -1).replace(/_/g, '-')}`;
}
