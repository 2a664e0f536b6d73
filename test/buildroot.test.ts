/**
 * The buildroot recipe: Buildroot's step banners become progress, its downloads are read from
 * `make show-info`, taken from mirror folders, and offline the build names what is missing before
 * Buildroot starts. With JHBUILD_BUILDROOT_SRC (a Buildroot 2025.02.16 tree) the recipe configures
 * a real Buildroot for qemu-arm64 and is refused offline with the list.
 */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildrootProgress, missingDownloads, type BuildrootInfo } from '../src/kinds/buildroot.ts';
import { runCli } from './helpers/cli.ts';
import { parseConfig } from '../src/kinds/kconfig.ts';
import { DEBIAN_12_INPUTS } from '../src/kinds/buildroot-debian.ts';

const buildrootSrc = process.env.JHBUILD_BUILDROOT_SRC;
const treeReason = !buildrootSrc ? 'set JHBUILD_BUILDROOT_SRC to a Buildroot 2025.02.16 tree'
  : !existsSync(join(buildrootSrc, 'Makefile')) ? `${buildrootSrc} is not a Buildroot tree` : undefined;
if (treeReason) console.log(`SKIP buildroot against a real tree: ${treeReason}`);

test('Buildroot\'s step banners are the progress line, colour or not', (t) => {
  t.is(buildrootProgress('>>> busybox 1.37.0 Building'), 'busybox 1.37.0: building');
  t.is(buildrootProgress('\x1b[7m>>> host-gcc-initial 13.4.0 Extracting\x1b[27m'), 'host-gcc-initial 13.4.0: extracting');
  t.is(buildrootProgress('>>>   Finalizing target directory'), undefined);
  t.is(buildrootProgress('gcc -c foo.c'), undefined);
});

test('downloads: those in BR2_DL_DIR are there, a tarball two packages share is one download', (t) => {
  const dl = mkdtempSync(join(tmpdir(), 'jh-br-dl-'));
  mkdirSync(join(dl, 'busybox'));
  writeFileSync(join(dl, 'busybox', 'busybox-1.37.0.tar.bz2'), '');
  const info: BuildrootInfo = {
    busybox: { dl_dir: 'busybox', downloads: [{ source: 'busybox-1.37.0.tar.bz2', uris: ['https+https://example.invalid/downloads'] }] },
    'host-gcc-initial': { dl_dir: 'gcc', downloads: [{ source: 'gcc-13.4.0.tar.xz', uris: ['https+https://example.invalid/gcc'] }] },
    'host-gcc-final': { dl_dir: 'gcc', downloads: [{ source: 'gcc-13.4.0.tar.xz', uris: [] }] },
    skeleton: {},
  };
  t.deepEqual(missingDownloads(info, dl), [{ package: 'gcc', file: 'gcc-13.4.0.tar.xz', uri: 'https://example.invalid/gcc/gcc-13.4.0.tar.xz' }]);
});

(treeReason ? test.skip : test)('a real Buildroot offline: the toolchain is configured from Debian 12\'s versions, and every Debian file not at hand is named with its apt command', async (t) => {
  const build = mkdtempSync(join(tmpdir(), 'jh-br-build-'));
  const mirror = mkdtempSync(join(tmpdir(), 'jh-br-mirror-'));
  // A mirror file counts as at hand (its bytes are checked against the pin when it is taken).
  writeFileSync(join(mirror, 'm4_1.4.19.orig.tar.xz'), 'checked when taken');
  const run = await runCli(['build', 'buildroot', '--machine', 'qemu-arm64', '--build-dir', build,
    '--src', `buildroot=${buildrootSrc}`, '--mirror', mirror, '--offline'], { timeoutMs: 600_000 });
  t.not(run.code, 0);
  t.regex(run.stdout + run.stderr, new RegExp(`Buildroot needs ${new Set(DEBIAN_12_INPUTS.flatMap((i) => ('files' in i ? i.files : [i.from])).map((f) => f.file)).size - 1} Debian file\\(s\\) that are neither in \\S+ nor in a mirror folder, and the build is offline`));
  // The whole list is in the task's log (the console shows its tail).
  const out = readFileSync(join(build, 'work/qemu-arm64/buildroot-toolchain/log/compile.log'), 'utf8');
  for (const want of ['gcc-12_12.2.0.orig.tar.gz (sha256 b8298be1', 'apt-get source --download-only --only-source binutils=2.40-2', 'musl_1.2.3.orig.tar.gz',
    'busybox_1.35.0-4+deb12u1.dsc', 'apt-get download fakeroot=1.31-1.2']) t.true(out.includes(want), want);
  t.false(out.includes('m4_1.4.19.orig.tar.xz ('), 'the mirror\'s m4');
  const config = readFileSync(join(build, 'work/qemu-arm64/buildroot-toolchain/build/.config'), 'utf8');
  for (const line of ['BR2_aarch64=y', 'BR2_TOOLCHAIN_BUILDROOT_MUSL=y', 'BR2_KERNEL_HEADERS_6_1=y', 'BR2_PRIMARY_SITE_ONLY=y',
    `BR2_DL_DIR="${join(build, 'downloads/buildroot')}"`]) t.true(config.includes(`${line}\n`), line);
  t.regex(config, /^BR2_PACKAGE_OVERRIDE_FILE=".*\/debian-12\.mk"$/m);
  rmSync(build, { recursive: true, force: true });
  rmSync(mirror, { recursive: true, force: true });
});

test('a Buildroot fragment is read like a kernel one: BR2_ choices set and unset (the check of what Buildroot dropped reads them)', (t) => {
  const config = parseConfig('BR2_aarch64=y\n# BR2_TARGET_GENERIC_GETTY is not set\nBR2_TARGET_GENERIC_HOSTNAME="jhbuild-guest"\n# a comment\nCONFIG_X=m\n');
  t.deepEqual([...config], [['BR2_aarch64', 'y'], ['BR2_TARGET_GENERIC_GETTY', 'n'], ['BR2_TARGET_GENERIC_HOSTNAME', '"jhbuild-guest"'], ['CONFIG_X', 'm']]);
});
