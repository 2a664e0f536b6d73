/**
 * End to end on qemu-arm64 with what Debian ships: the kernel from linux-source-6.1 (--src),
 * busybox's orig tarball from `apt-get source --download-only busybox` as a mirror, real cross
 * compilers and QEMU. With JHBUILD_JAILHOUSE_SRC, JHBUILD_FREERTOS_SRC and JHBUILD_IVSHMEM_NET_SRC set,
 * Jailhouse, FreeRTOS and the Linux guest are built too and the demos run.
 */
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { whichSync } from '../src/exec/which.ts';
import { busyboxMirror, e2eWork as work, linuxTree } from './helpers/e2e-sources.ts';
import { jsonEvents, repoRoot, runCli } from './helpers/cli.ts';
import { copyProject } from './helpers/project-copy.ts';

const jailhouseSrc = process.env.JHBUILD_JAILHOUSE_SRC;
// FreeRTOS-Kernel at the recipe's pinned commit (V11.1.0, unpatched): the qemu-arm64 image carries the FreeRTOS cell.
const freertosSrc = process.env.JHBUILD_FREERTOS_SRC;
// A tree with drivers/net/ivshmem-net.c and include/linux/ivshmem.h (Jailhouse's kernel queue): the root and the Linux cell talk over it.
const ivshmemNetSrc = process.env.JHBUILD_IVSHMEM_NET_SRC;
// Buildroot 2025.02.16 (the Linux guest's userland; its inputs come through apt from Debian 12's sources).
const buildrootSrc = process.env.JHBUILD_BUILDROOT_SRC;
const demoSources = jailhouseSrc && freertosSrc && ivshmemNetSrc && buildrootSrc
  ? ['--src', `jailhouse=${jailhouseSrc}`, '--src', `freertos=${freertosSrc}`, '--src', `ivshmem-net=${ivshmemNetSrc}`, '--src', `buildroot=${buildrootSrc}`] : undefined;

function missing(): string | undefined {
  for (const tool of ['aarch64-linux-gnu-gcc', 'qemu-system-aarch64', 'make', 'bc', 'flex', 'bison', 'apt-get']) {
    if (!whichSync(tool)) return `${tool} is not installed (jhbuild doctor --install)`;
  }
  if (!process.env.JHBUILD_LINUX_SRC && !existsSync('/usr/src/linux-source-6.1.tar.xz')) return 'linux-source-6.1 is not installed (apt-get install linux-source-6.1)';
  return undefined;
}

const reason = missing();
if (reason) console.log(`SKIP e2e: ${reason}`);
if (!demoSources) {
  console.log('SKIP e2e Jailhouse demo: set JHBUILD_JAILHOUSE_SRC to a siemens/jailhouse tree (master), JHBUILD_FREERTOS_SRC to FreeRTOS-Kernel V11.1.0, '
    + 'JHBUILD_IVSHMEM_NET_SRC to a Jailhouse kernel-queue tree (drivers/net/ivshmem-net.c) '
    + 'and JHBUILD_BUILDROOT_SRC to Buildroot 2025.02.16 to build the image and run --demo');
}
const e2e = reason ? test.skip : test.serial;

e2e('qemu-arm64 base image from Debian sources boots to the /init shell', async (t) => {
  const mirror = busyboxMirror();
  if (!mirror) return t.fail('apt-get source busybox failed: enable deb-src (see .ci/run)');
  const args = ['--machine', 'qemu-arm64', '--build-dir', join(work, 'build'), '--src', `linux=${linuxTree()}`, '--mirror', mirror, '--offline'];
  const build = await runCli(['image', '--image', 'image-base', ...args, '--json'], { timeoutMs: 40 * 60_000 });
  t.is(build.code, 0, build.stderr.slice(-4000));
  const deploy = join(work, 'build/deploy/qemu-arm64/image-base');
  const manifest = JSON.parse(readFileSync(join(deploy, 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string; recipe: string; signature: string | null }[] };
  t.deepEqual(manifest.files.map((f) => f.path), ['Image', 'cmdline.txt', 'initrd.cpio.gz']);
  // The linux recipe also builds the machine's guest kernel (guestKernel), from the same source.
  const guestConfig = readFileSync(join(work, 'build/deploy/qemu-arm64/linux/guest/config'), 'utf8');
  t.regex(guestConfig, /^CONFIG_LOCALVERSION="-jhbuild-guest"$/m);
  t.regex(guestConfig, /^CONFIG_SERIAL_AMBA_PL011_CONSOLE=y$/m);
  t.true(existsSync(join(work, 'build/deploy/qemu-arm64/linux/guest/Image')));
  t.is(readFileSync(join(deploy, 'cmdline.txt'), 'utf8').trim(), 'mem=887M console=ttyAMA0');
  t.true(manifest.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256)));

  const again = await runCli(['image', '--image', 'image-base', ...args, '--json']);
  t.is(again.code, 0, again.stderr);
  t.deepEqual(jsonEvents(again.stdout).at(-1)?.ran, 0, 'a second image build runs nothing');

  const boot = await runCli(['run', 'qemu', '--machine', 'qemu-arm64', '--build-dir', join(work, 'build'), '--image', 'image-base',
    '--expect', 'jhbuild-init: machine qemu-arm64', '--expect', 'jhbuild-init: ready', '--expect', 'jhbuild# ',
    '--fail', 'Kernel panic|Unable to handle', '--timeout', '240'], { timeoutMs: 300_000 });
  t.is(boot.code, 0, `${boot.stderr.slice(-3000)}`);
  t.regex(boot.stderr, /every expectation met \(3\)/);

  // Reproducibility: a second build from a clean build folder gives the same bytes.
  const clean = join(work, `build-again-${process.pid}`);
  const second = await runCli(['image', '--image', 'image-base', ...args.map((a) => (a === join(work, 'build') ? clean : a)), '--json'], { timeoutMs: 40 * 60_000 });
  t.is(second.code, 0, second.stderr.slice(-4000));
  const fresh = join(clean, 'deploy/qemu-arm64/image-base');
  t.deepEqual(readFileSync(join(fresh, 'initrd.cpio.gz')), readFileSync(join(deploy, 'initrd.cpio.gz')), 'initrd is bit-identical');
  // The signatures name build records of each folder: in a reused one, under hash equivalence, the first build that gave these bytes.
  const content = (dir: string) => (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as typeof manifest).files.map(({ signature: _, ...file }) => file);
  t.deepEqual(content(fresh), content(deploy), 'every file (and so the kernel) is bit-identical');
  rmSync(clean, { recursive: true, force: true });
});

(reason || !demoSources ? test.skip : test.serial)('qemu-arm64 Jailhouse image: enable, create and start the inmate demo', async (t) => {
  // Not --offline: the Buildroot guest's Debian files come through apt on the first build (each checked against its pin).
  const args = ['--machine', 'qemu-arm64', '--build-dir', join(work, 'build'), '--src', `linux=${linuxTree()}`, ...demoSources!,
    '--mirror', join(work, 'mirror')];
  const build = await runCli(['image', ...args, '--json'], { timeoutMs: 40 * 60_000 });
  t.is(build.code, 0, build.stderr.slice(-4000));
  const deploy = join(work, 'build/deploy/qemu-arm64/image');
  t.true(existsSync(join(deploy, 'cells/qemu-arm64.cell')));
  t.true(existsSync(join(deploy, 'inmates/gic-demo.bin')));
  const run = await runCli(['run', 'qemu', '--machine', 'qemu-arm64', '--build-dir', join(work, 'build'), '--demo',
    '--fail', 'Kernel panic|Unhandled|FATAL', '--timeout', '300'], { timeoutMs: 360_000 });
  t.is(run.code, 0, run.stderr.slice(-3000));
  writeFileSync(join(work, 'demo-console.log'), run.stdout);
  t.regex(run.stdout, /Activating hypervisor/);
  t.regex(run.stdout, /Created cell "inmate-demo"/);
  t.regex(run.stdout, /Timer fired/);
  t.regex(run.stdout, /jhbuild-demo: inmate-demo stopped[\s\S]*The Jailhouse was closed[\s\S]*jhbuild-demo: done/);

  // FreeRTOS beside gic-demo: two tasks and a queue, then shut down and destroyed while gic-demo runs on.
  const freertos = await runCli(['run', 'qemu', '--machine', 'qemu-arm64', '--build-dir', join(work, 'build'), '--demo', 'freertos',
    '--fail', 'Kernel panic|Unhandled|FATAL|assertion failed|unexpected exception', '--timeout', '300'], { timeoutMs: 360_000 });
  t.is(freertos.code, 0, freertos.stderr.slice(-3000));
  writeFileSync(join(work, 'freertos-console.log'), freertos.stdout);
  t.regex(freertos.stdout, /FreeRTOS V11\.1\.0 on Jailhouse: GICv3/);
  const samples = [...freertos.stdout.matchAll(/sampler: tick (\d+), (\d+) ms, \d+ ticks late/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
  t.true(samples.length >= 4, `${samples.length} sampler lines`);
  t.deepEqual(samples.slice(1).map(([tick], i) => tick - samples[i]![0]), samples.slice(1).map(() => 250), 'the sampler wakes every 250 ticks');
  // The reporter drains the queue: four samples, the last one the sampler sent before it ran (under load it
  // runs a tick or two after the sampler, so its own tick is not a pass mark).
  const report = /reporter: tick (\d+), \d+ ms, \d+ ticks late, 4 samples from the queue, last at tick (\d+)\s/.exec(freertos.stdout);
  t.truthy(report, 'a reporter line with 4 samples');
  t.true(samples.some(([tick]) => tick === Number(report![2])) && Number(report![2]) <= Number(report![1]), `the last sample (${report?.[2]}) is one the sampler sent before tick ${report?.[1]}`);
  t.regex(freertos.stdout, /Closing cell "freertos-demo"[\s\S]*jhbuild-demo: freertos-demo stopped, the others still run\s[\s\S]*Timer fired/);
  // The emulated counter's time for the same periods: a figure, not a pass mark.
  const periods = samples.slice(1).map(([, ms], i) => ms - samples[i]![1]);
  t.log(`sampler periods by the virtual counter (ms, configured 250): ${periods.join(' ')}`);

  // Linux in linux-demo on two CPUs beside gic-demo and FreeRTOS: it boots, brings up ivshmem-net, the root pings it.
  const linux = await runCli(['run', 'qemu', '--machine', 'qemu-arm64', '--build-dir', join(work, 'build'), '--demo', 'linux',
    '--fail', 'Kernel panic|Unhandled|FATAL', '--timeout', '400'], { timeoutMs: 460_000 });
  t.is(linux.code, 0, linux.stderr.slice(-3000));
  writeFileSync(join(work, 'linux-console.log'), linux.stdout);
  t.regex(linux.stdout, /Created cell "linux-demo"/);
  t.regex(linux.stdout, /Linux version 6\.1\.\d+-jhbuild-guest/);
  t.regex(linux.stdout, /jhbuild-demo: root \S+ 192\.168\.19\.1\/24/);
  t.regex(linux.stdout, /jhbuild-guest: \S+ 192\.168\.19\.2\/24/);
  t.regex(linux.stdout, /3 packets transmitted, 3 packets received/);
  // The Buildroot guest answers over ssh from the root, logged into with the build folder's key (handed over by fw_cfg).
  t.regex(linux.stdout, /jhbuild-ssh: PRETTY_NAME="Buildroot 2025\.02\.16"/);
  t.regex(linux.stdout, /jhbuild-demo: linux-demo stopped, the others still run[\s\S]*The Jailhouse was closed[\s\S]*jhbuild-demo: done/);

  // Editing one memory region of inmate-demo rebuilds only the cells, the initrd and the image.
  const copy = copyProject(repoRoot);
  const file = join(copy, 'machines/qemu-arm64/qemu-arm64.machine.ts');
  writeFileSync(file, readFileSync(file, 'utf8').replace('ram(0x7fa00000, 0x00010000, { virt: 0, loadable: true })', `ram(0x7fa00000, ${0x1000 * (1 + (process.pid % 15))}, { virt: 0, loadable: true })`));
  const edit = await runCli(['image', ...args, '--project', copy, '--json']);
  t.is(edit.code, 0, edit.stderr.slice(-3000));
  const reran = new Set(jsonEvents(edit.stdout).filter((e) => e.event === 'task:done' && !e.cached).map((e) => e.task!.split(':')[0]));
  // linux-guest is signed over the Linux cells and the others' names and network devices only (machineKeys
  // cells[linux], cells[*].name, cells[*].pciDevices): an inmate's memory is not its input.
  t.deepEqual([...reran].sort(), ['cells', 'image', 'initrd']);
  rmSync(copy, { recursive: true, force: true });
});

// The Raspberry Pi 4 has a GICv2 and no QEMU model here: the same machine with QEMU's GICv2 runs the
// GICv2 build of FreeRTOS (the ARM_AARCH64 port) under Jailhouse instead.
(reason || !demoSources ? test.skip : test.serial)('FreeRTOS on a GICv2: qemu-arm64 with gic-version=2', async (t) => {
  const copy = copyProject(repoRoot);
  const machineFile = join(copy, 'machines/qemu-arm64/qemu-arm64.machine.ts');
  // The variant gets a folder of its own beside qemu-arm64's and shares its board layout.
  const gicv2 = readFileSync(machineFile, 'utf8')
    .replace("name: 'qemu-arm64',", "name: 'qemu-arm64-gicv2',")
    .replace("from './board.ts';", "from '../qemu-arm64/board.ts';")
    .replace('arm: { gicVersion: 3, gicdBase: GIC.d, gicrBase: GIC.r, giccBase: 0, gichBase: 0, gicvBase: 0, maintenanceIrq: 25 }',
      'arm: { gicVersion: 2, gicdBase: GIC.d, gicrBase: 0, giccBase: 0x08010000, gichBase: 0x08030000, gicvBase: 0x08040000, maintenanceIrq: 25 }')
    .replace("machine: 'virt,gic-version=3,virtualization=on,its=off'", "machine: 'virt,gic-version=2,virtualization=on'");
  t.regex(gicv2, /gicVersion: 2[\s\S]*gic-version=2/, 'the variant differs in its GIC only');
  mkdirSync(join(copy, 'machines/qemu-arm64-gicv2'));
  writeFileSync(join(copy, 'machines/qemu-arm64-gicv2/qemu-arm64-gicv2.machine.ts'), gicv2);
  const common = ['--project', copy, '--machine', 'qemu-arm64-gicv2', '--build-dir', join(work, 'build')];
  const build = await runCli(['image', ...common, '--src', `linux=${linuxTree()}`, ...demoSources!,
    '--mirror', join(work, 'mirror')], { timeoutMs: 40 * 60_000 });
  t.is(build.code, 0, build.stderr.slice(-3000));
  const run = await runCli(['run', 'qemu', ...common, '--demo', 'freertos', '--fail', 'Kernel panic|Unhandled|FATAL|assertion failed|unexpected exception', '--timeout', '300'], { timeoutMs: 360_000 });
  t.is(run.code, 0, run.stderr.slice(-3000));
  writeFileSync(join(work, 'freertos-gicv2-console.log'), run.stdout);
  t.regex(run.stdout, /FreeRTOS V11\.1\.0 on Jailhouse: GICv2/);
  t.regex(run.stdout, /reporter: tick \d+, \d+ ms, \d+ ticks late, 4 samples from the queue/);
  const samples = [...run.stdout.matchAll(/sampler: tick (\d+), (\d+) ms, \d+ ticks late/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
  t.log(`GICv2 sampler (tick, virtual-counter ms): ${samples.map(([tick, ms]) => `${tick}/${ms}`).join(' ')}`);
  rmSync(copy, { recursive: true, force: true });
});
