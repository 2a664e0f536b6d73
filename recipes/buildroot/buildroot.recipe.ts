/**
 * The Linux guest's userland from Buildroot 2025.02.16 (LTS), as rootfs.cpio.gz for the
 * linux-guest recipe, from Debian 12 sources alone: the cross toolchain is the buildroot-toolchain
 * recipe's SDK (an external toolchain here, built once and cached), and every package Buildroot
 * builds is a Debian file pinned by sha256 (src/kinds/buildroot-debian.ts, through the host's apt or
 * a mirror folder) or a file Debian ships with the very bytes Buildroot pins. Buildroot checks each
 * download against its .hash files (Debian's versions' pins in the global patch dir); offline, the
 * build first says which files are missing and where Debian has them. jhbuild's additions are a
 * BR2_EXTERNAL tree (external/), the package choice a fragment (fragments/guest.config).
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BUILDROOT_ENV, buildrootPackages, buildrootProgress, buildrootTarget, CONTAINED_FILE, debianDefconfig, debianOrigins, DEBIAN_OVERRIDE_TEMPLATE, debianRoutes, defineRecipe,
  fetchDebianRoutes, git, JhError, LEGAL_INFO_DIR, missingDownloads, parseConfig, prepareBuildrootDebian, readLegalInfo, routeLine, sdkName,
} from '../../src/index.ts';
import type { BuildrootInfo, TaskContext } from '../../src/index.ts';

const EXTERNAL = ['external.desc', 'Config.in', 'external.mk', 'rootfs-overlay/etc/init.d/S40jhbuild-net'];
export const ROOTFS = 'rootfs.cpio.gz';
/**
 * The root's ssh client into the guest: Buildroot's dropbear binary (run as dbclient) and the musl
 * loader it needs, deployed beside the rootfs for the linux-guest recipe to put into the root.
 */
export const ROOT_SSH = 'root-ssh';

const external = (ctx: TaskContext) => join(ctx.dirs.recipe, 'external');
const dlDir = (ctx: TaskContext) => join(ctx.dirs.downloads, 'buildroot');
const debianWork = (ctx: TaskContext) => join(ctx.dirs.work, 'debian');
const make = (ctx: TaskContext, ...goals: string[]) => ['-C', ctx.dirs.src, `O=${ctx.dirs.build}`, `BR2_EXTERNAL=${external(ctx)}`, ...goals];

const arch = (ctx: TaskContext) => buildrootTarget(ctx.machine.arch);

/** Where the toolchain's SDK is unpacked (relocate-sdk.sh makes it work there). */
const sdkDir = (ctx: TaskContext) => join(ctx.dirs.build, 'toolchain', sdkName(arch(ctx).tuple));

/** The buildroot-toolchain SDK as Buildroot's "custom, pre-installed" external toolchain. */
function toolchainConfig(ctx: TaskContext): string[] {
  return [
    'BR2_TOOLCHAIN_EXTERNAL=y', 'BR2_TOOLCHAIN_EXTERNAL_CUSTOM=y', 'BR2_TOOLCHAIN_EXTERNAL_PREINSTALLED=y',
    `BR2_TOOLCHAIN_EXTERNAL_PATH="${sdkDir(ctx)}"`, `BR2_TOOLCHAIN_EXTERNAL_CUSTOM_PREFIX="${arch(ctx).tuple}"`,
    'BR2_TOOLCHAIN_EXTERNAL_GCC_12=y', 'BR2_TOOLCHAIN_EXTERNAL_HEADERS_6_1=y', 'BR2_TOOLCHAIN_EXTERNAL_CUSTOM_MUSL=y', 'BR2_TOOLCHAIN_EXTERNAL_HAS_SSP=y',
  ];
}

async function configure(ctx: TaskContext): Promise<void> {
  const fragment = readFileSync(ctx.file('fragments/guest.config'), 'utf8');
  const defconfig = join(ctx.dirs.build, 'jhbuild_defconfig');
  mkdirSync(ctx.dirs.build, { recursive: true });
  writeFileSync(defconfig, [arch(ctx).option, ...toolchainConfig(ctx), fragment, debianDefconfig(dlDir(ctx), debianWork(ctx)), `BR2_JLEVEL=${ctx.jobs}`, ''].join('\n'));
  await ctx.exec('make', make(ctx, `BR2_DEFCONFIG=${defconfig}`, 'defconfig'), { env: BUILDROOT_ENV });
  // As for kernels: a choice Buildroot dropped (a wrong name, an unmet dependency) fails here, not in the guest.
  const config = parseConfig(readFileSync(join(ctx.dirs.build, '.config'), 'utf8'));
  const lost = [...parseConfig(fragment).entries()].filter(([key, value]) => key !== 'BR2_ROOTFS_OVERLAY' && config.get(key) !== value);
  if (lost.length > 0) {
    throw new JhError('E_BUILDROOT_CONFIG', `Buildroot dropped ${lost.length} choice(s) of fragments/guest.config`, {
      file: ctx.file('fragments/guest.config'), details: lost.map(([k, v]) => `${k}=${v}: Buildroot has ${config.get(k) ?? 'not set'}`),
      hint: 'check the option names and their dependencies in this Buildroot release (make menuconfig)' });
  }
}

/**
 * Brings into BR2_DL_DIR what the mirrors hold, then what Debian ships byte for byte (a source
 * package's file with the sha256 of Buildroot's .hash); offline, refuses to start with anything still
 * missing, each file named with where it could come from.
 */
async function gatherDownloads(ctx: TaskContext): Promise<void> {
  // Into a file, not the log: it is one line of some 50 KB.
  const infoFile = join(ctx.dirs.build, 'show-info.json');
  await ctx.exec('sh', ['-c', 'exec make "$@" > "$0"', infoFile, ...make(ctx, '-s', 'show-info')], { env: BUILDROOT_ENV });
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as BuildrootInfo;
  for (const want of missingDownloads(info, dlDir(ctx))) {
    const found = ctx.fetchOptions.mirrors.flatMap((m) => [join(m, 'buildroot', want.package, want.file), join(m, 'buildroot', want.file), join(m, want.file)]).find(existsSync);
    if (found) {
      mkdirSync(join(dlDir(ctx), want.package), { recursive: true });
      copyFileSync(found, join(dlDir(ctx), want.package, want.file));
    }
  }
  const log = join(ctx.dirs.work, 'log', 'buildroot-sources.log');
  const routes = await debianRoutes(info, ctx.dirs.src, missingDownloads(info, dlDir(ctx)), log, ctx.signal);
  if (!ctx.fetchOptions.offline) {
    const fetched = await fetchDebianRoutes(routes, dlDir(ctx), log, ctx.signal);
    if (fetched) ctx.log(`${fetched} download(s) taken from Debian source packages with the bytes Buildroot pins`);
  }
  const missing = missingDownloads(info, dlDir(ctx));
  if (missing.length > 0 && ctx.fetchOptions.offline) {
    const why = new Map(routes.map((r) => [`${r.download.package}/${r.download.file}`, routeLine(r)]));
    throw new JhError('E_BUILDROOT_SOURCES', `Buildroot needs ${missing.length} download(s) that are neither in ${dlDir(ctx)} nor in a mirror folder, and the build is offline`, {
      details: missing.map((m) => why.get(`${m.package}/${m.file}`) ?? `${m.package}: ${m.file}${m.uri ? ` (${m.uri})` : ''}`),
      hint: 'put them in MIRROR/buildroot/PACKAGE/ (Buildroot checks each against its .hash file), build once without --offline '
        + "(files Debian ships byte for byte are then taken through apt), or choose the busybox guest (guestRootfs: 'busybox' in the machine)" });
  }
}

/** The toolchain recipe's SDK, unpacked and relocated to where this build's defconfig points. */
async function unpackToolchain(ctx: TaskContext): Promise<void> {
  const tarball = join(ctx.deps['buildroot-toolchain']!.dest, `${sdkName(arch(ctx).tuple)}.tar.gz`);
  const into = join(sdkDir(ctx), '..');
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into, { recursive: true });
  await ctx.exec('tar', ['-xzf', tarball, '-C', into]);
  await ctx.exec(join(sdkDir(ctx), 'relocate-sdk.sh'), []);
}

async function compile(ctx: TaskContext): Promise<void> {
  await prepareBuildrootDebian({
    dlDir: dlDir(ctx), downloads: ctx.dirs.downloads, work: debianWork(ctx), render: ctx.render,
    fetch: { mirrors: ctx.fetchOptions.mirrors, offline: ctx.fetchOptions.offline, signal: ctx.signal, log: ctx.log },
  });
  await unpackToolchain(ctx);
  await gatherDownloads(ctx);
  // Buildroot's own jobs (BR2_JLEVEL) run inside one make: the outer make stays serial, as Buildroot requires.
  await ctx.exec('make', make(ctx), { env: BUILDROOT_ENV, onLine: (line) => { const now = buildrootProgress(line); if (now) ctx.progress(now); } });
  // Licences and sources of what went into the rootfs, for the SBOM and a source offer (about 10 s, 22 MB).
  await ctx.exec('make', make(ctx, 'legal-info'), { env: BUILDROOT_ENV });
}

export default defineRecipe({
  name: 'buildroot',
  version: '2025.02.16',
  license: 'GPL-2.0-or-later',
  summary: 'Buildroot userland (busybox, dropbear, iproute2) for Linux guests in Jailhouse cells',
  source: git({ url: 'https://github.com/buildroot/buildroot.git', rev: '135af563b945b8c3d18f8fd370370075b9edb140' }),
  depends: [{ recipe: 'buildroot-toolchain', task: 'install', for: 'configure' }],
  files: ['fragments/guest.config', ...EXTERNAL.map((f) => `external/${f}`)],
  templates: [DEBIAN_OVERRIDE_TEMPLATE],
  // The arch only: every machine of an arch shares one toolchain and one guest userland.
  machineKeys: ['arch'],
  tools: ['make', 'gcc', 'g++', 'patch', 'perl', 'rsync', 'cpio', 'unzip', 'bc', 'file', 'wget', 'dpkg-source', 'dpkg-deb'],
  tasks: {
    configure,
    compile,
    deploy(ctx) {
      mkdirSync(ctx.dirs.deploy, { recursive: true });
      copyFileSync(join(ctx.dirs.build, 'images', ROOTFS), join(ctx.dirs.deploy, ROOTFS));
      mkdirSync(join(ctx.dirs.deploy, ROOT_SSH), { recursive: true });
      copyFileSync(join(ctx.dirs.build, 'target/usr/sbin/dropbear'), join(ctx.dirs.deploy, ROOT_SSH, 'dbclient'));
      const loader = `ld-musl-${arch(ctx).tuple.split('-')[0]}.so.1`;
      copyFileSync(join(ctx.dirs.build, 'target/lib', loader), join(ctx.dirs.deploy, ROOT_SSH, loader));
      // legal-info (licence texts, source archives and patches, per package) beside the rootfs, but the
      // .config copy: it holds this build folder's paths.
      const legal = join(ctx.dirs.deploy, LEGAL_INFO_DIR);
      cpSync(join(ctx.dirs.build, LEGAL_INFO_DIR), legal, { recursive: true, filter: (from) => !from.endsWith('/buildroot.config') });
      const sums = join(legal, 'legal-info.sha256');
      writeFileSync(sums, readFileSync(sums, 'utf8').split('\n').filter((line) => !/\sbuildroot\.config$/.test(line)).join('\n'));
      // The SBOM's view of the rootfs: every package with its version, licence, source sha256 and CPE, and what legal-info saved of it.
      const info = JSON.parse(readFileSync(join(ctx.dirs.build, 'show-info.json'), 'utf8')) as BuildrootInfo;
      const packages = buildrootPackages(info, ctx.dirs.src, debianOrigins(), readLegalInfo(legal));
      writeFileSync(join(ctx.dirs.deploy, CONTAINED_FILE), `${JSON.stringify(packages, null, 1)}\n`);
    },
  },
});
