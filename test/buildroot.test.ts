/**
 * The buildroot recipe: Buildroot's step banners become progress, its downloads are read from
 * `make show-info`, taken from mirror folders, and offline the build names what is missing before
 * Buildroot starts. With JHBUILD_BUILDROOT_SRC (a Buildroot 2025.02.16 tree) the recipe configures
 * a real Buildroot for qemu-arm64 and is refused offline with the list.
 */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildrootProgress, missingDownloads, type BuildrootInfo } from '../src/kinds/buildroot.ts';
import { repoRoot, runCli } from './helpers/cli.ts';
import { copyProject } from './helpers/project-copy.ts';

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

(treeReason ? test.skip : test)('a real Buildroot: configured from the fragment, mirrored files taken, the rest named offline', async (t) => {
  const copy = copyProject(repoRoot);
  const file = join(copy, 'machines/qemu-arm64/qemu-arm64.machine.ts');
  writeFileSync(file, readFileSync(file, 'utf8').replace("guestRootfs: 'busybox',", "guestRootfs: 'buildroot',"));
  const build = mkdtempSync(join(tmpdir(), 'jh-br-build-'));
  const mirror = mkdtempSync(join(tmpdir(), 'jh-br-mirror-'));
  mkdirSync(join(mirror, 'buildroot', 'busybox'), { recursive: true });
  writeFileSync(join(mirror, 'buildroot', 'busybox', 'busybox-1.37.0.tar.bz2'), 'from the mirror');
  const run = await runCli(['build', 'buildroot', '--project', copy, '--machine', 'qemu-arm64', '--build-dir', build,
    '--src', `buildroot=${buildrootSrc}`, '--mirror', mirror, '--offline'], { timeoutMs: 600_000 });
  t.not(run.code, 0);
  t.regex(run.stdout + run.stderr, /Buildroot needs \d+ download\(s\) that are neither in \S+ nor in a mirror folder, and the build is offline/);
  // The whole list is in the task's log (the console shows its tail).
  const out = readFileSync(join(build, 'work/qemu-arm64/buildroot/log/compile.log'), 'utf8');
  for (const want of ['musl: musl-', 'dropbear: dropbear-', 'iproute2: iproute2-', 'gcc: gcc-', 'binutils: binutils-']) t.true(out.includes(want), want);
  t.false(/busybox: busybox-1\.37\.0/.test(out), 'the mirror\'s busybox counts');
  t.is(readFileSync(join(build, 'downloads/buildroot/busybox/busybox-1.37.0.tar.bz2'), 'utf8'), 'from the mirror');
  const config = readFileSync(join(build, 'work/qemu-arm64/buildroot/build/.config'), 'utf8');
  for (const line of ['BR2_aarch64=y', 'BR2_TOOLCHAIN_BUILDROOT_MUSL=y', 'BR2_PACKAGE_DROPBEAR=y', 'BR2_PACKAGE_IPROUTE2=y', 'BR2_TARGET_ROOTFS_CPIO_GZIP=y',
    `BR2_DL_DIR="${join(build, 'downloads/buildroot')}"`]) t.true(config.includes(`${line}\n`), line);
  t.true(config.includes('BR2_ROOTFS_OVERLAY="$(BR2_EXTERNAL_JHBUILD_PATH)/rootfs-overlay"\n'), 'the overlay from BR2_EXTERNAL');
});
