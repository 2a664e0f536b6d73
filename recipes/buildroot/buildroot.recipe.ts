/**
 * The Linux guest's userland from Buildroot 2025.02.16 (LTS), as rootfs.cpio.gz for the
 * linux-guest recipe. Buildroot's downloads go to jhbuild's download folder (BR2_DL_DIR), are
 * taken from the mirror folders when there, else from a Debian source package that ships the same
 * bytes (the sha256 of Buildroot's .hash, through the host's apt), and are checked by Buildroot
 * against its own .hash files; offline, the build first says which of them are missing and what
 * Debian has instead. jhbuild's additions are a
 * BR2_EXTERNAL tree (external/), the package choice a fragment (fragments/guest.config).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildrootPackages, buildrootProgress, CONTAINED_FILE, debianRoutes, defineRecipe, fetchDebianRoutes, git, JhError, missingDownloads, parseConfig, routeLine } from '../../src/index.ts';
import type { BuildrootInfo, TaskContext } from '../../src/index.ts';

const EXTERNAL = ['external.desc', 'Config.in', 'external.mk', 'rootfs-overlay/etc/init.d/S40jhbuild-net'];
const ARCH: Readonly<Record<string, string>> = { arm64: 'BR2_aarch64=y', x86: 'BR2_x86_64=y' };
export const ROOTFS = 'rootfs.cpio.gz';

const external = (ctx: TaskContext) => join(ctx.dirs.recipe, 'external');
const dlDir = (ctx: TaskContext) => join(ctx.dirs.downloads, 'buildroot');
const make = (ctx: TaskContext, ...goals: string[]) => ['-C', ctx.dirs.src, `O=${ctx.dirs.build}`, `BR2_EXTERNAL=${external(ctx)}`, ...goals];

async function configure(ctx: TaskContext): Promise<void> {
  const fragment = readFileSync(ctx.file('fragments/guest.config'), 'utf8');
  const arch = ARCH[ctx.machine.arch];
  if (!arch) throw new JhError('E_BUILDROOT_ARCH', `machine ${ctx.machine.name}: no Buildroot target for arch ${ctx.machine.arch}`, { hint: `arch: ${Object.keys(ARCH).join(' or ')}` });
  const defconfig = join(ctx.dirs.build, 'jhbuild_defconfig');
  mkdirSync(ctx.dirs.build, { recursive: true });
  writeFileSync(defconfig, `${arch}\n${fragment}BR2_DL_DIR="${dlDir(ctx)}"\nBR2_JLEVEL=${ctx.jobs}\n`);
  await ctx.exec('make', make(ctx, `BR2_DEFCONFIG=${defconfig}`, 'defconfig'));
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
  await ctx.exec('sh', ['-c', 'exec make "$@" > "$0"', infoFile, ...make(ctx, '-s', 'show-info')]);
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

async function compile(ctx: TaskContext): Promise<void> {
  await gatherDownloads(ctx);
  // Buildroot's own jobs (BR2_JLEVEL) run inside one make: the outer make stays serial, as Buildroot requires.
  await ctx.exec('make', make(ctx), { onLine: (line) => { const now = buildrootProgress(line); if (now) ctx.progress(now); } });
}

export default defineRecipe({
  name: 'buildroot',
  version: '2025.02.16',
  license: 'GPL-2.0-or-later',
  summary: 'Buildroot userland (busybox, dropbear, iproute2) for Linux guests in Jailhouse cells',
  source: git({ url: 'https://github.com/buildroot/buildroot.git', rev: '135af563b945b8c3d18f8fd370370075b9edb140' }),
  files: ['fragments/guest.config', ...EXTERNAL.map((f) => `external/${f}`)],
  machineKeys: ['name', 'arch'],
  tools: ['make', 'gcc', 'g++', 'patch', 'perl', 'rsync', 'cpio', 'unzip', 'bc', 'file', 'wget'],
  tasks: {
    configure,
    compile,
    deploy(ctx) {
      mkdirSync(ctx.dirs.deploy, { recursive: true });
      copyFileSync(join(ctx.dirs.build, 'images', ROOTFS), join(ctx.dirs.deploy, ROOTFS));
      // The SBOM's view of the rootfs: every package with its version, licence, source sha256 and CPE.
      const info = JSON.parse(readFileSync(join(ctx.dirs.build, 'show-info.json'), 'utf8')) as BuildrootInfo;
      writeFileSync(join(ctx.dirs.deploy, CONTAINED_FILE), `${JSON.stringify(buildrootPackages(info, ctx.dirs.src), null, 1)}\n`);
    },
  },
});
