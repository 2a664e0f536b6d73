/**
 * Buildroot 2025.02 from Debian 12 sources alone: where Buildroot's version of a package is not a
 * file Debian ships, the package is built at Debian's version. Each input is a Debian file pinned by
 * sha256 (fetched through the host's apt like any `debian` source, or from a mirror folder) and
 * takes one of these forms:
 * - download: the file goes into BR2_DL_DIR and its sha256 into BR2_GLOBAL_PATCH_DIR/<pkg>/<pkg>.hash,
 *   so Buildroot's own hash check runs on it (the override file sets <PKG>_VERSION/_SOURCE);
 * - member: one file inside a Debian tarball (gcc's inner tarball, glibc's sys/queue.h), pinned too;
 * - tree: the source package unpacked with its Debian patches (dpkg-source), for <PKG>_OVERRIDE_SRCDIR
 *   where Buildroot's patches do not apply to Debian's version (no hash check by Buildroot there:
 *   the .dsc and its files are pinned here instead);
 * - debs: binary packages unpacked, where the archive holds no source files;
 * - patches: Debian's own patches for a package, added to Buildroot's in the global patch dir.
 * The override file (templates/buildroot/debian-12.mk.hbs) says, package by package, why.
 */
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { JhError } from '../errors.ts';
import { runProcess } from '../exec/index.ts';
import { fetchTarball, locateTarballOffline, type FetchOptions, type TarballSpec } from '../fetch/store.ts';
import { aptSourceCommand } from '../fetch/debian.ts';

/** A file of a Debian 12 package: the source (or binary) package, its version, the file and its sha256. */
interface DebianFile { readonly pkg: string; readonly version: string; readonly file: string; readonly sha256: string; readonly binary?: boolean }

type DebianInput =
  | { readonly as: 'download'; readonly dl: string; readonly from: DebianFile; readonly name?: string; readonly hashIn: readonly string[] }
  | { readonly as: 'member'; readonly dl: string; readonly from: DebianFile; readonly member: string; readonly name: string; readonly sha256: string; readonly hashIn: readonly string[] }
  | { readonly as: 'tree'; readonly dir: string; readonly files: readonly DebianFile[] }
  | { readonly as: 'debs'; readonly dir: string; readonly files: readonly DebianFile[] }
  | { readonly as: 'patches'; readonly into: readonly string[]; readonly from: DebianFile; readonly patches: readonly string[]; readonly stripPrefix?: string };

const deb = (pkg: string, version: string, file: string, sha256: string): DebianFile => ({ pkg, version, file, sha256 });

/** Every Debian input, in the order of the override file. */
export const DEBIAN_12_INPUTS: readonly DebianInput[] = [
  // Target packages.
  { as: 'download', dl: 'dropbear', hashIn: ['dropbear'], from: deb('dropbear', '2022.83-1+deb12u3', 'dropbear_2022.83.orig.tar.bz2', 'bc5a121ffbc94b5171ad5ebe01be42746d50aa797c9549a4639894a16749443b') },
  { as: 'patches', into: ['dropbear'], from: deb('dropbear', '2022.83-1+deb12u3', 'dropbear_2022.83-1+deb12u3.debian.tar.xz', '74fb171a630f450430b771b2f781c420a4542881ae75fd2f75ca04c53a3eea93'),
    patches: ['CVE-2023-48795.patch', 'fix-noremotetcp-behavior.patch', 'Handle-arbitrary-length-paths-and-commands-in-multihop_pa.patch', 'CVE-2025-47203.patch'] },
  { as: 'download', dl: 'iproute2', hashIn: ['iproute2'], from: deb('iproute2', '6.1.0-3', 'iproute2_6.1.0.orig.tar.xz', '5ce12a0fec6b212725ef218735941b2dab76244db7e72646a76021b0537b43ab') },
  { as: 'download', dl: 'libxcrypt', hashIn: ['libxcrypt'], from: deb('libxcrypt', '4.4.33-2', 'libxcrypt_4.4.33.orig.tar.xz', '5e2da5cb5f263e9ac4c4b3f49c75e3b8523889210f45c60bb7e97b229c75a10b') },
  { as: 'tree', dir: 'busybox', files: [
    deb('busybox', '1.35.0-4+deb12u1', 'busybox_1.35.0-4+deb12u1.dsc', '9c01fe128b0eeded371c70e37d474fdb5055f71b5d0a778db44c6b0c62d3a7fa'),
    deb('busybox', '1.35.0-4+deb12u1', 'busybox_1.35.0.orig.tar.bz2', 'faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694'),
    deb('busybox', '1.35.0-4+deb12u1', 'busybox_1.35.0-4+deb12u1.debian.tar.xz', '1cacbe095ef4880ea7879933c8e3c5075d1527cd6fbcb626a9b41e5daefd1a46')] },
  // Host tools.
  { as: 'download', dl: 'automake', name: 'automake-1.16.5.tar.xz', hashIn: [], from: deb('automake-1.16', '1.16.5-1.3', 'automake-1.16_1.16.5.orig.tar.xz', 'f01d58cd6d9d77fbdca9eb4bbd5ead1988228fdb73d6f7a201f5f8d6b118b469') },
  { as: 'download', dl: 'flex', name: 'flex-2.6.4.tar.gz', hashIn: [], from: deb('flex', '2.6.4-8.2', 'flex_2.6.4.orig.tar.gz', 'e87aae032bf07c26f85ac0ed3250998c37621d95f8bd748b31f15b33c45ee995') },
  { as: 'download', dl: 'autoconf', hashIn: ['autoconf'], from: deb('autoconf', '2.71-3', 'autoconf_2.71.orig.tar.gz', '431075ad0bf529ef13cb41e9042c542381103e80015686222b8a9d4abef42a1c') },
  { as: 'download', dl: 'bison', hashIn: ['bison'], from: deb('bison', '3.8.2+dfsg-1', 'bison_3.8.2+dfsg.orig.tar.xz', 'dff8a3c96dd34121828f62a7fa49e1f7765815b89e59f564e8d2a9e71c177be5') },
  { as: 'download', dl: 'libtool', hashIn: ['libtool'], from: deb('libtool', '2.4.7-7~deb12u1', 'libtool_2.4.7.orig.tar.xz', 'dd637e270439b208907ceead3f163470ed2ce5723ef97ffbda6463c64b57128a') },
  { as: 'download', dl: 'm4', hashIn: ['m4'], from: deb('m4', '1.4.19-3', 'm4_1.4.19.orig.tar.xz', '63aede5c6d33b6d9b13511cd0be2cac046f2e70fd0a07aa9573a04a82783af96') },
  { as: 'tree', dir: 'tar', files: [
    deb('tar', '1.34+dfsg-1.2+deb12u1', 'tar_1.34+dfsg-1.2+deb12u1.dsc', 'c092b25be17ab3b138aabb756497b038516a3f7d23604ccd4bf76ebbabff7a27'),
    deb('tar', '1.34+dfsg-1.2+deb12u1', 'tar_1.34+dfsg.orig.tar.xz', '7d57029540cb928394defb3b377b3531237c947e795b51aa8acac0c5ba0e4844'),
    deb('tar', '1.34+dfsg-1.2+deb12u1', 'tar_1.34+dfsg-1.2+deb12u1.debian.tar.xz', 'e7cdc112e6810a0827b6081f6a4115eb630679a5f3d7cceffbc236d6b8d46d69')] },
  { as: 'tree', dir: 'pkgconf', files: [
    deb('pkgconf', '1.8.1-1', 'pkgconf_1.8.1-1.dsc', 'cf1f645d7a9522354a334130a55d16be7d62e304070d6675f826844b143dc47e'),
    deb('pkgconf', '1.8.1-1', 'pkgconf_1.8.1.orig.tar.xz', '644361ada2942be05655d4452eb018791647c31bba429b287f1f68deb2dc6840'),
    deb('pkgconf', '1.8.1-1', 'pkgconf_1.8.1-1.debian.tar.xz', 'bd9330105d17bf4b9a9d2aaba4a150b35da21b7ba4b45d4bf7e034fa6e53ba2f')] },
  { as: 'tree', dir: 'patchelf', files: [
    deb('patchelf', '0.14.3-1', 'patchelf_0.14.3-1.dsc', '314376351ebb7d78c40906c9afafc24fe5f31c6a216c4abdde57059ed043798d'),
    deb('patchelf', '0.14.3-1', 'patchelf_0.14.3.orig.tar.gz', '827a8ca914c69413f1ca0d967a637980a24edf000a938531a77e663317c853bb'),
    deb('patchelf', '0.14.3-1', 'patchelf_0.14.3-1.debian.tar.xz', 'f628c85b36c9b364feef3de2b1c23cd2e5a27cc9d1e92109129f8608d59fbf64')] },
  { as: 'debs', dir: 'fakeroot', files: [
    { ...deb('fakeroot', '1.31-1.2', 'fakeroot_1.31-1.2_amd64.deb', '194fd3750e6d647f300045a266c20cc3a3d47f84fd2fc8ff8830c55098b63c0d'), binary: true },
    { ...deb('libfakeroot', '1.31-1.2', 'libfakeroot_1.31-1.2_amd64.deb', '539c1a013e6e90800b4c37877cf871e7583791b486a39e23f2466906bbe5061f'), binary: true }] },
  // The toolchain: binutils, gcc (stages 1 and 2), gmp/mpfr/mpc, musl, the kernel headers.
  { as: 'download', dl: 'binutils', hashIn: ['binutils'], from: deb('binutils', '2.40-2', 'binutils_2.40.orig.tar.xz', 'd78c2d2eb24a9be1e02f8854cb1bd435556d7f584fb6bfb6b07e6527d43fc41d') },
  { as: 'member', dl: 'gcc', hashIn: ['gcc', 'gcc-initial', 'gcc-final'], from: deb('gcc-12', '12.2.0-14+deb12u1', 'gcc-12_12.2.0.orig.tar.gz', 'b8298be16aeeb96a889c6afed0a8e2241b47452e89cc81fe65ea849d5c740fcb'),
    member: 'gcc-12-12.2.0/gcc-12.2.0-dfsg.tar.xz', name: 'gcc-12.2.0-dfsg.tar.xz', sha256: '50c63ff82919323c25fbbb4a9eae259edc974118a0fb30c905190cb782ec11c2' },
  { as: 'patches', into: ['gcc-initial', 'gcc-final'], from: deb('gcc-12', '12.2.0-14+deb12u1', 'gcc-12_12.2.0-14+deb12u1.debian.tar.xz', '59f7f7763a0c355e3f27ff9e7ac80d06382b29939361a87e7b139226bfe7402e'),
    patches: ['gcc-gfdl-build.diff'], stripPrefix: 'src/' },
  { as: 'tree', dir: 'gmp', files: [
    deb('gmp', '2:6.2.1+dfsg1-1.1', 'gmp_6.2.1+dfsg1-1.1.dsc', '2831ed4f83bc3304c2403474b335652ab2dc507cd517de44414d9142171748f0'),
    deb('gmp', '2:6.2.1+dfsg1-1.1', 'gmp_6.2.1+dfsg1.orig.tar.xz', '471b9e463e04362a0124f215afc5f0a4b99caedeeb62634c61bbc12988efa64c'),
    deb('gmp', '2:6.2.1+dfsg1-1.1', 'gmp_6.2.1+dfsg1-1.1.debian.tar.xz', '4e3e324d72fe688e409c716d33b35aa8657f6016cc1aabd5d9c7ec137412e5ef')] },
  { as: 'download', dl: 'mpfr', hashIn: ['mpfr'], from: deb('mpfr4', '4.2.0-1', 'mpfr4_4.2.0.orig.tar.xz', '06a378df13501248c1b2db5aa977a2c8126ae849a9d9b7be2546fb4a9c26d993') },
  { as: 'download', dl: 'mpc', name: 'mpc-1.3.1.tar.gz', hashIn: [], from: deb('mpclib3', '1.3.1-1', 'mpclib3_1.3.1.orig.tar.gz', 'ab642492f5cf882b74aa0cb730cd410a81edcdbec895183ce930e706c1c759b8') },
  { as: 'download', dl: 'musl', hashIn: ['musl'], from: deb('musl', '1.2.3-1', 'musl_1.2.3.orig.tar.gz', '7d5b0b6062521e4627e099e4c9dc8248d32a30285e959b7eecaa780cf8cfd4a4') },
  { as: 'member', dl: 'musl-compat-headers', hashIn: ['musl-compat-headers'], from: deb('glibc', '2.36-9+deb12u14', 'glibc_2.36.orig.tar.xz', 'a543c02070d46ccaf866957efd13f10c924daa74c86a90a0254db09a92a708ee'),
    member: 'glibc-2.36/misc/sys/queue.h', name: 'glibc-2.36-sys-queue.h', sha256: '8b284031772b1ba2035d9b05b24f2cb9b23e7bd324bcccb5e3fcc57d34aafa48' },
  { as: 'download', dl: 'linux', hashIn: ['linux-headers'], from: deb('linux', '6.1.170-3', 'linux_6.1.170.orig.tar.xz', 'd97c2b2683633677fa1f41bf5cc58cfac7664b84ca885ce6546d40fee87ba7fe') },
];

/**
 * Licence files legal-info checks whose Debian version differs from Buildroot's (their hash files
 * replace Buildroot's for those packages: a mismatching entry fails the check).
 */
const LICENSE_HASHES: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  musl: [['f9bc4423732350eb0b3f7ed7e91d530298476f8fec0c6c427a1c04ade22655af', 'COPYRIGHT']],
  tar: [['8ceb4b9ee5adedde47b31e975c1d90c73ad27b6b165a1dcd80c7c545eb65b903', 'COPYING']],
  fakeroot: [['f3be4874598a121349c16fdb3d000703d871807558f26ac876c83cb35f1bc804', 'usr/share/doc/fakeroot/copyright']],
};

/** By Buildroot download folder (or tree): the Debian source package each package is built from, and its main file's pin. */
export function debianOrigins(): Map<string, { source: string; version: string; sha256: string }> {
  const origins = new Map<string, { source: string; version: string; sha256: string }>();
  for (const input of DEBIAN_12_INPUTS) {
    const key = input.as === 'download' || input.as === 'member' ? input.dl : input.as === 'patches' ? undefined : input.dir;
    // A tree's main file is its .orig tarball (the first is its .dsc); a package's Debian patches add nothing to name.
    const file = input.as === 'tree' ? input.files[1]! : input.as === 'debs' ? input.files[0]! : input.as === 'patches' ? undefined : input.from;
    if (key && file && !origins.has(key)) origins.set(key, { source: file.pkg, version: file.version, sha256: file.sha256 });
  }
  return origins;
}

export interface DebianPrepared {
  /** BR2_GLOBAL_PATCH_DIR: the pinned hash files and Debian's patches. */
  readonly patchDir: string;
  /** The folder of the unpacked trees (<PKG>_OVERRIDE_SRCDIR = trees/<dir>). */
  readonly trees: string;
}

export interface DebianPrepareOptions {
  /** BR2_DL_DIR. */
  readonly dlDir: string;
  /** Where the Debian files themselves are kept (shared like every download). */
  readonly downloads: string;
  /** A folder of this build for the patch dir and the trees (made anew). */
  readonly work: string;
  readonly fetch: Pick<FetchOptions, 'mirrors' | 'offline' | 'signal' | 'log' | 'logFile'>;
}

const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

const specOf = (file: DebianFile): TarballSpec => ({
  filename: file.file, sha256: file.sha256, debian: { package: file.pkg, version: file.version, file: file.file, ...(file.binary ? { binary: true } : {}) },
});

async function fetchDebian(file: DebianFile, options: DebianPrepareOptions): Promise<string> {
  return fetchTarball(specOf(file), { ...options.fetch, downloads: options.downloads, recipe: 'buildroot' });
}

async function run(command: string, args: readonly string[], cwd: string, options: DebianPrepareOptions): Promise<string> {
  return runProcess(command, [...args], { cwd, log: options.fetch.logFile ?? join(options.work, 'debian.log'), signal: options.fetch.signal });
}

const filesOf = (input: DebianInput): readonly DebianFile[] => ('files' in input ? input.files : [input.from]);

/** Offline, every Debian file not at hand is named at once, each with the apt command that fetches it into a mirror folder. */
function refuseMissingOffline(options: DebianPrepareOptions): void {
  const missing = DEBIAN_12_INPUTS.flatMap(filesOf).filter((file) => !locateTarballOffline(specOf(file), { downloads: options.downloads, mirrors: options.fetch.mirrors }).found);
  if (missing.length === 0) return;
  throw new JhError('E_BUILDROOT_SOURCES', `Buildroot needs ${missing.length} Debian file(s) that are neither in ${options.downloads} nor in a mirror folder, and the build is offline`, {
    details: missing.map((file) => `${file.file} (sha256 ${file.sha256}): ${aptSourceCommand({ package: file.pkg, version: file.version, file: file.file, ...(file.binary ? { binary: true } : {}) })}`),
    hint: 'run those apt commands in a folder given as --mirror DIR, or build once without --offline (each file is then fetched through apt and checked against its pin)',
  });
}

/** Puts a checked file into BR2_DL_DIR under Buildroot's name (a copy: BR2_DL_DIR may be on another file system). */
function placeDownload(from: string, dl: string, name: string, sha256: string, dlDir: string): void {
  const dir = join(dlDir, dl);
  mkdirSync(dir, { recursive: true });
  const target = join(dir, name);
  try { if (sha256Of(target) === sha256) return; } catch { /* not there yet */ }
  const part = `${target}.part-${process.pid}`;
  copyFileSync(from, part);
  if (sha256Of(part) !== sha256) { rmSync(part, { force: true }); throw new JhError('E_FETCH_CHECKSUM', `${name} changed while it was copied into ${dir}`, { hint: 'run the build again' }); }
  renameSync(part, target);
}

/**
 * Fetches every Debian input (each checked against its pin), fills BR2_DL_DIR, writes the global
 * patch dir (hash files from the pins, Debian's patches) and unpacks the trees.
 */
export async function prepareDebianInputs(options: DebianPrepareOptions): Promise<DebianPrepared> {
  if (options.fetch.offline) refuseMissingOffline(options);
  const patchDir = join(options.work, 'global-patches');
  const trees = join(options.work, 'trees');
  rmSync(patchDir, { recursive: true, force: true });
  rmSync(trees, { recursive: true, force: true });
  mkdirSync(trees, { recursive: true });
  const hashes = new Map<string, string[]>();
  const pin = (dirs: readonly string[], sha256: string, name: string) => {
    for (const dir of dirs) hashes.set(dir, [...(hashes.get(dir) ?? []), `sha256  ${sha256}  ${name}`]);
  };
  for (const input of DEBIAN_12_INPUTS) {
    if (input.as === 'download') {
      const name = input.name ?? input.from.file;
      placeDownload(await fetchDebian(input.from, options), input.dl, name, input.from.sha256, options.dlDir);
      pin(input.hashIn, input.from.sha256, name);
    } else if (input.as === 'member') {
      const tarball = await fetchDebian(input.from, options);
      const scratch = join(options.work, 'member');
      rmSync(scratch, { recursive: true, force: true });
      mkdirSync(scratch, { recursive: true });
      await run('tar', ['-xf', tarball, '-C', scratch, input.member], scratch, options);
      const extracted = join(scratch, input.member);
      const actual = sha256Of(extracted);
      if (actual !== input.sha256) {
        throw new JhError('E_FETCH_CHECKSUM', `${input.member} in ${input.from.file} has sha256 ${actual}, pinned ${input.sha256}`, { file: 'src/kinds/buildroot-debian.ts', hint: 'the tarball is the pinned one, so the pin of its member is wrong: fix it only after checking the file' });
      }
      placeDownload(extracted, input.dl, input.name, input.sha256, options.dlDir);
      rmSync(scratch, { recursive: true, force: true });
      pin(input.hashIn, input.sha256, input.name);
    } else if (input.as === 'tree') {
      const scratch = join(options.work, `dsc-${input.dir}`);
      rmSync(scratch, { recursive: true, force: true });
      mkdirSync(scratch, { recursive: true });
      for (const file of input.files) symlinkSync(await fetchDebian(file, options), join(scratch, file.file));
      // Each file is pinned here: dpkg-source needs no keyring to trust them.
      await run('dpkg-source', ['--no-check', '-x', input.files[0]!.file, join(trees, input.dir)], scratch, options);
      rmSync(scratch, { recursive: true, force: true });
    } else if (input.as === 'debs') {
      for (const file of input.files) await run('dpkg-deb', ['-x', await fetchDebian(file, options), join(trees, input.dir)], trees, options);
    } else {
      const tarball = await fetchDebian(input.from, options);
      const scratch = join(options.work, 'debian-patches');
      rmSync(scratch, { recursive: true, force: true });
      mkdirSync(scratch, { recursive: true });
      await run('tar', ['-xf', tarball, '-C', scratch, ...input.patches.map((p) => `debian/patches/${p}`)], scratch, options);
      for (const dir of input.into) {
        mkdirSync(join(patchDir, dir), { recursive: true });
        input.patches.forEach((patch, i) => {
          let text = readFileSync(join(scratch, 'debian/patches', patch), 'utf8');
          if (input.stripPrefix) text = text.replaceAll(`--- a/${input.stripPrefix}`, '--- a/').replaceAll(`+++ b/${input.stripPrefix}`, '+++ b/');
          // After Buildroot's own patches (0001-...), in Debian's series order.
          writeFileSync(join(patchDir, dir, `${String(901 + i)}-debian-${patch.replace(/\.diff$/, '.patch')}`), text);
        });
      }
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  for (const [dir, lines] of Object.entries(LICENSE_HASHES)) for (const [sha256, name] of lines) pin([dir], sha256, name);
  for (const [dir, lines] of hashes) {
    mkdirSync(join(patchDir, dir), { recursive: true });
    writeFileSync(join(patchDir, dir, `${dir}.hash`), `# Pinned by jhbuild (src/kinds/buildroot-debian.ts): Debian 12's files\n${lines.join('\n')}\n`);
  }
  return { patchDir, trees };
}

/** The override file, rendered from its template for the prepared folders. */
export const DEBIAN_OVERRIDE_TEMPLATE = 'buildroot/debian-12.mk.hbs';

/**
 * defconfig lines that make Buildroot take everything from BR2_DL_DIR as filled here: an empty
 * primary site and nothing else, so a file the Debian inputs do not provide fails the build by name
 * instead of being fetched from upstream behind jhbuild's back.
 */
export function debianDefconfig(dlDir: string, work: string): string {
  const site = join(work, 'no-site');
  mkdirSync(site, { recursive: true });
  return [
    `BR2_DL_DIR="${dlDir}"`, `BR2_PRIMARY_SITE="file://${site}"`, 'BR2_PRIMARY_SITE_ONLY=y', 'BR2_BACKUP_SITE=""',
    `BR2_GLOBAL_PATCH_DIR="${join(work, 'global-patches')}"`, `BR2_PACKAGE_OVERRIDE_FILE="${join(work, 'debian-12.mk')}"`,
  ].join('\n');
}

/** Fills BR2_DL_DIR, the global patch dir and the trees, and writes the override file beside them. */
export async function prepareBuildrootDebian(options: DebianPrepareOptions & { readonly render: (template: string, data: unknown) => string }): Promise<void> {
  const prepared = await prepareDebianInputs(options);
  writeFileSync(join(options.work, 'debian-12.mk'), options.render(DEBIAN_OVERRIDE_TEMPLATE, prepared));
}
