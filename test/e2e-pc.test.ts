/**
 * End to end on the PC (x86_64 UEFI): the pc machine's disk image from Debian's sources (kernel
 * tree by --src, busybox from an apt-get source mirror), checked with independent readers, booted
 * under OVMF with TCG: GRUB starts the kernel, /proc/cmdline holds exactly the rendered reservation,
 * /proc/iomem shows it reserved, the shell is reached. With JHBUILD_JAILHOUSE_SRC the Jailhouse
 * image is built too and its module must load; with JHBUILD_IVSHMEM_NET_SRC as well, qemu-x86 (an AMD
 * CPU under TCG) enables the hypervisor and runs apic-demo. The x86 machines share one build folder
 * and so one root kernel.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { whichSync } from '../src/exec/which.ts';
import { e2eSourceArgs, e2eWork as work } from './helpers/e2e-sources.ts';
import { jsonEvents, repoRoot, runCli } from './helpers/cli.ts';
import { copyProject } from './helpers/project-copy.ts';

const build = join(work, 'build-pc');
const jailhouseSrc = process.env.JHBUILD_JAILHOUSE_SRC;
const ivshmemNetSrc = process.env.JHBUILD_IVSHMEM_NET_SRC;
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function missing(): string | undefined {
  for (const tool of ['qemu-system-x86_64', 'x86_64-linux-gnu-gcc', 'grub-mkimage', 'mkfs.vfat', 'mcopy', 'mke2fs', 'sfdisk', 'bmaptool', 'apt-get']) {
    if (!whichSync(tool)) return `${tool} is not installed (jhbuild doctor --install --machine pc)`;
  }
  if (!existsSync('/usr/share/OVMF/OVMF_CODE_4M.fd')) return 'OVMF is not installed (apt-get install ovmf)';
  if (!process.env.JHBUILD_LINUX_SRC && !existsSync('/usr/src/linux-source-6.1.tar.xz')) return 'linux-source-6.1 is not installed (apt-get install linux-source-6.1)';
  return undefined;
}

const reason = missing();
if (reason) console.log(`SKIP e2e pc: ${reason}`);
if (!jailhouseSrc) console.log('SKIP e2e pc Jailhouse module: set JHBUILD_JAILHOUSE_SRC to a siemens/jailhouse tree to build the pc Jailhouse image and load its module');
if (!jailhouseSrc || !ivshmemNetSrc) {
  console.log('SKIP e2e qemu-x86 Jailhouse demo: set JHBUILD_JAILHOUSE_SRC and JHBUILD_IVSHMEM_NET_SRC (a tree with drivers/net/ivshmem-net.c) to build qemu-x86 and run --demo under TCG');
}

(reason ? test.skip : test.serial)('pc: a GPT disk with GRUB on the ESP boots under OVMF with the rendered reservation', async (t) => {
  const args = ['--machine', 'pc', '--build-dir', build, ...e2eSourceArgs(), '--offline'];
  const made = await runCli(['image', '--image', 'image-base', ...args, '--json'], { timeoutMs: 40 * 60_000 });
  t.is(made.code, 0, made.stderr.slice(-4000));
  const deploy = join(build, 'deploy/pc/image-base');
  const image = join(deploy, 'pc.img');
  t.true(existsSync(`${image}.bmap`), 'a .bmap for bmaptool copy');
  const table = (JSON.parse(execFileSync('sfdisk', ['--json', image], { encoding: 'utf8' })) as { partitiontable: { label: string; partitions: { start: number; type: string; name: string }[] } }).partitiontable;
  t.is(table.label, 'gpt');
  t.is(table.partitions[0]!.type, 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', 'the ESP comes first');
  t.regex(execFileSync('mdir', ['-i', `${image}@@${table.partitions[0]!.start * 512}`, '::/EFI/BOOT'], { encoding: 'utf8' }), /BOOTX64\s+EFI/);
  t.regex(readFileSync(join(deploy, 'grub.cfg'), 'utf8'), /linux \/bzImage intel_iommu=off memmap=66M\\\$0x3b000000 /, 'GRUB sees an escaped $');

  const built = sha(image);
  const boot = await runCli(['run', 'qemu', '--machine', 'pc', '--image', 'image-base', '--build-dir', build,
    '--expect', 'jhbuild-grub: loading bzImage', '--expect', 'jhbuild-init: cmdline', '--expect', 'jhbuild-init: ready',
    '--fail', 'Kernel panic|VFS: Unable to mount', '--timeout', '600'], { timeoutMs: 660_000 });
  t.is(boot.code, 0, boot.stderr.slice(-3000));
  const cmdline = /jhbuild-init: cmdline (.*)/.exec(boot.stdout)![1]!.trim().split(/\s+/);
  t.true(cmdline.includes('memmap=66M$0x3b000000'), cmdline.join(' '));
  t.true(cmdline.includes('intel_iommu=off'));
  t.regex(boot.stdout, /jhbuild-init: iomem 3b000000-3f1fffff : Reserved/, 'the root kernel left the hypervisor and cells alone');
  t.is(sha(image), built, 'booting wrote nothing into the deployed image');

  const again = await runCli(['image', '--image', 'image-base', ...args, '--json']);
  t.is(jsonEvents(again.stdout).at(-1)?.ran, 0, 'a no-op build runs nothing');
  t.is((await runCli(['clean', 'image-base', '--machine', 'pc', '--build-dir', build])).code, 0);
  const remade = await runCli(['image', '--image', 'image-base', ...args, '--json']);
  t.is(remade.code, 0, remade.stderr.slice(-3000));
  t.is(sha(image), built, 'the disk image is rebuilt bit for bit');
});

(reason || !jailhouseSrc ? test.skip : test.serial)('pc: the Jailhouse disk image loads jailhouse.ko at boot', async (t) => {
  const args = ['--machine', 'pc', '--build-dir', build, ...e2eSourceArgs(), '--offline', '--src', `jailhouse=${jailhouseSrc}`];
  const made = await runCli(['image', ...args, '--json'], { timeoutMs: 40 * 60_000 });
  t.is(made.code, 0, made.stderr.slice(-4000));
  const boot = await runCli(['run', 'qemu', '--machine', 'pc', '--build-dir', build, '--expect', 'jhbuild-init: jailhouse.ko loaded',
    '--expect', 'jhbuild-init: ready', '--fail', 'Kernel panic|jailhouse.ko failed', '--timeout', '600'], { timeoutMs: 660_000 });
  t.is(boot.code, 0, boot.stderr.slice(-3000));
});

(reason || !jailhouseSrc || !ivshmemNetSrc ? test.skip : test.serial)('qemu-x86 under TCG with an AMD CPU: jailhouse enable, apic-demo\'s timer, shutdown, destroy, disable', async (t) => {
  const args = ['--machine', 'qemu-x86', '--build-dir', build, ...e2eSourceArgs(), '--offline', '--src', `jailhouse=${jailhouseSrc}`, '--src', `ivshmem-net=${ivshmemNetSrc}`];
  const made = await runCli(['image', ...args, '--json'], { timeoutMs: 40 * 60_000 });
  t.is(made.code, 0, made.stderr.slice(-4000));
  const started = Date.now();
  const demo = await runCli(['run', 'qemu', '--machine', 'qemu-x86', '--build-dir', build, '--accel', 'tcg', '--demo', '--timeout', '600',
    '--fail', 'Kernel panic|FATAL:'], { timeoutMs: 660_000 });
  t.is(demo.code, 0, demo.stderr.slice(-3000));
  t.regex(demo.stderr, /qemu-x86 runs with TCG/);
  for (const line of ['Initializing processors:', 'Activating hypervisor', 'Created cell "apic-demo"', 'Timer fired, jitter:', 'Closing cell "apic-demo"', 'The Jailhouse was closed.']) {
    t.true(demo.stdout.includes(line), `console shows ${line}`);
  }
  t.log(`qemu-x86 --demo (TCG): ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

(reason || !jailhouseSrc || !ivshmemNetSrc ? test.skip : test.serial)('qemu-x86 under TCG: ivshmem-demo and its root peer (uio_ivshmem, upstream\'s ivshmem-demo tool) ring each other over the 3-peer demo device', async (t) => {
  const started = Date.now();
  const demo = await runCli(['run', 'qemu', '--machine', 'qemu-x86', '--build-dir', build, '--accel', 'tcg', '--demo', 'ivshmem', '--timeout', '600',
    '--fail', 'Kernel panic|FATAL:|jhbuild-demo: FAILED'], { timeoutMs: 660_000 });
  t.is(demo.code, 0, demo.stderr.slice(-3000));
  const console = demo.stdout.replace(/\r/g, '');
  t.regex(console, /uio_ivshmem 0000:01:0e\.0: state_table at 0x0*3f0f0000/, 'the root binds its end of the demo device');
  t.regex(console, /IVSHMEM: got interrupt 1 \(#1\)/, 'the inmate counts a ring of the root (vector 1)');
  t.regex(console, /jhbuild-peer: Interrupt #1/, 'the root counts a ring of the inmate');
  // What each side wrote to the shared memory reaches the other: the inmate's count of the root's rings in rw[1].
  t.regex(console, /jhbuild-peer: rw\[1\] = [1-9]/, 'the root reads what the inmate wrote');
  t.true(console.includes('Closing cell "ivshmem-demo"') && console.includes('The Jailhouse was closed.'));
  t.log(`qemu-x86 --demo ivshmem (TCG): ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

(reason || !jailhouseSrc || !ivshmemNetSrc ? test.skip : test.serial)('qemu-x86 under TCG: Linux boots in linux-x86-demo and the root pings it over ivshmem-net; destroy and disable', async (t) => {
  const started = Date.now();
  const demo = await runCli(['run', 'qemu', '--machine', 'qemu-x86', '--build-dir', build, '--accel', 'tcg', '--demo', 'linux', '--timeout', '600',
    '--fail', 'Kernel panic|FATAL:'], { timeoutMs: 660_000 });
  t.is(demo.code, 0, demo.stderr.slice(-3000));
  for (const line of ['Created cell "linux-x86-demo"', 'jhbuild-guest: cell linux-x86-demo on qemu-x86', '3 packets transmitted, 3 packets received', 'Closing cell "linux-x86-demo"', 'The Jailhouse was closed.']) {
    t.true(demo.stdout.includes(line), `console shows ${line}`);
  }
  t.log(`qemu-x86 --demo linux (TCG): ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

/** The archive the root's init printed under jhbuild.collect, and the sha256 it printed beside it. */
function collectedArchive(stdout: string): { archive: Buffer; printed: string } {
  const console = stdout.replace(/\r/g, '');
  const printed = /jhbuild-collect: sha256 ([0-9a-f]{64})/.exec(console)?.[1] ?? 'no sha256 printed';
  const body = console.split('\njhbuild-collect: begin\n')[1]?.split('\njhbuild-collect: end')[0] ?? '';
  return { archive: Buffer.from(body.replace(/\s+/g, ''), 'base64'), printed };
}

(reason || !jailhouseSrc || !ivshmemNetSrc ? test.skip : test.serial)('machine import --collect: the booted qemu-x86 root collects itself, upstream config create on the host makes a machine that checks clean and runs apic-demo', async (t) => {
  // The collector needs the ACPI table of the CPU's vendor (IVRS on AMD): QEMU's amd-iommu provides one.
  const collected = await runCli(['run', 'qemu', '--machine', 'qemu-x86', '--build-dir', build, '--append', 'jhbuild.collect', '--expect', 'jhbuild-collect: end',
    '--fail', 'jhbuild-collect: FAILED', '--timeout', '300', '--', '-device', 'amd-iommu'], { timeoutMs: 360_000 });
  t.is(collected.code, 0, collected.stderr.slice(-3000));
  const { archive, printed } = collectedArchive(collected.stdout);
  t.is(createHash('sha256').update(archive).digest('hex'), printed, 'the archive arrived whole');

  const project = copyProject(repoRoot);
  const tarFile = join(project, 'collect.tar');
  writeFileSync(tarFile, archive);
  const imported = await runCli(['machine', 'import', 'qemu-pc', '--project', project, '--collect', tarFile, '--src', `jailhouse=${jailhouseSrc}`, '--without-iommu']);
  t.is(imported.code, 0, imported.stderr);
  t.regex(imported.stdout, /dropped 1 IOMMU unit\(s\) at 0xfed80000/, 'QEMU\'s amd-iommu, which the hypervisor refuses');
  const checked = await runCli(['cells', 'check', '--project', project, '--machine', 'qemu-pc']);
  t.regex(checked.stdout, /machine qemu-pc: all checks passed/, checked.stdout + checked.stderr);
  const cmdline = await runCli(['cmdline', '--project', project, '--machine', 'qemu-pc']);
  t.is(cmdline.stdout.trim(), 'memmap=82M$0x3a000000 console=ttyS1,115200', 'config create\'s reservation and the target\'s own console');

  // The PC it came from is QEMU's: boot the imported machine there, with qemu-x86's QEMU and memory size,
  // its kernel and initramfs directly (the runner's --demo sets the cmdline; GRUB's disk holds its own).
  writeFileSync(join(project, 'machines/qemu-pc-run.machine.ts'), `import { defineMachine } from '../src/index.ts';
import imported from './qemu-pc/qemu-pc.machine.ts';
import x86 from './qemu-x86/qemu-x86.machine.ts';
export default defineMachine({ ...imported, name: 'qemu-pc-run', rootCellFile: 'qemu-pc/qemu-pc-root.cell', ram: x86.ram, qemu: x86.qemu, image: undefined, boot: 'qemu' });
`);
  const args = ['--project', project, '--machine', 'qemu-pc-run', '--build-dir', build, ...e2eSourceArgs(), '--offline', '--src', `jailhouse=${jailhouseSrc}`, '--src', `ivshmem-net=${ivshmemNetSrc}`];
  const made = await runCli(['image', ...args, '--json'], { timeoutMs: 40 * 60_000 });
  t.is(made.code, 0, made.stderr.slice(-4000));
  const demo = await runCli(['run', 'qemu', '--project', project, '--machine', 'qemu-pc-run', '--build-dir', build, '--accel', 'tcg', '--demo', '--timeout', '600',
    '--fail', 'Kernel panic|FATAL:'], { timeoutMs: 660_000 });
  t.is(demo.code, 0, demo.stderr.slice(-3000));
  t.true(demo.stdout.includes('Timer fired, jitter:'));
  t.true(demo.stdout.includes('The Jailhouse was closed.'));
});

(reason || !jailhouseSrc || !ivshmemNetSrc ? test.skip : test.serial)('a pc-style UEFI disk under OVMF and TCG: collected from its own boot, imported, and GRUB boots the imported disk into jailhouse enable and apic-demo', async (t) => {
  const project = copyProject(repoRoot);
  const layer = join(project, 'layers/collected');
  mkdirSync(join(layer, 'machines'), { recursive: true });
  writeFileSync(join(layer, 'layer.ts'), `import { defineLayer } from '../../src/index.ts';\nexport default defineLayer({ name: 'collected', priority: 20 });\n`);
  // qemu-x86 with the pc machine's disk and firmware; GRUB's cmdline asks the root to collect, amd-iommu gives the collector its IVRS.
  writeFileSync(join(layer, 'machines/qemu-x86-uefi.machine.ts'), `import { defineMachine } from '../../../src/index.ts';
import x86 from '../../../machines/qemu-x86/qemu-x86.machine.ts';
import pc from '../../../machines/pc/pc.machine.ts';
export default defineMachine({
  ...x86, name: 'qemu-x86-uefi', image: pc.image, boot: 'grub-efi', rootCmdline: ['jhbuild.collect'],
  qemu: { ...x86.qemu!, firmware: pc.qemu!.firmware, args: [...x86.qemu!.args!, '-device', 'amd-iommu'] },
});
`);
  const sources = [...e2eSourceArgs(), '--offline', '--src', `jailhouse=${jailhouseSrc}`, '--src', `ivshmem-net=${ivshmemNetSrc}`];
  const disk = await runCli(['image', '--project', project, '--machine', 'qemu-x86-uefi', '--build-dir', build, ...sources, '--json'], { timeoutMs: 40 * 60_000 });
  t.is(disk.code, 0, disk.stderr.slice(-4000));
  const collected = await runCli(['run', 'qemu', '--project', project, '--machine', 'qemu-x86-uefi', '--build-dir', build, '--expect', 'jhbuild-collect: end',
    '--fail', 'jhbuild-collect: FAILED|Kernel panic', '--timeout', '600'], { timeoutMs: 660_000 });
  t.is(collected.code, 0, collected.stderr.slice(-3000));
  const { archive, printed } = collectedArchive(collected.stdout);
  t.is(createHash('sha256').update(archive).digest('hex'), printed, 'the archive arrived whole');
  writeFileSync(join(project, 'uefi.tar'), archive);
  const imported = await runCli(['machine', 'import', 'qemu-pc-uefi', '--project', project, '--layer', layer, '--collect', join(project, 'uefi.tar'),
    '--src', `jailhouse=${jailhouseSrc}`, '--without-iommu']);
  t.is(imported.code, 0, imported.stderr);
  // The imported machine's own disk, booted where it was collected; GRUB's cmdline starts the demo.
  writeFileSync(join(layer, 'machines/qemu-pc-uefi-run.machine.ts'), `import { defineMachine } from '../../../src/index.ts';
import imported from './qemu-pc-uefi/qemu-pc-uefi.machine.ts';
import uefi from './qemu-x86-uefi.machine.ts';
export default defineMachine({ ...imported, name: 'qemu-pc-uefi-run', rootCellFile: 'qemu-pc-uefi/qemu-pc-uefi-root.cell', ram: uefi.ram,
  rootCmdline: ['jhbuild.demo=apic-demo'], qemu: { ...uefi.qemu!, args: uefi.qemu!.args!.slice(0, -2) } });
`);
  const made = await runCli(['image', '--project', project, '--machine', 'qemu-pc-uefi-run', '--build-dir', build, ...sources, '--json'], { timeoutMs: 40 * 60_000 });
  t.is(made.code, 0, made.stderr.slice(-4000));
  const started = Date.now();
  const demo = await runCli(['run', 'qemu', '--project', project, '--machine', 'qemu-pc-uefi-run', '--build-dir', build,
    '--expect', 'jhbuild-grub: loading bzImage', '--expect', 'jhbuild-init: cmdline BOOT_IMAGE=/bzImage memmap=82M\\$0x3a000000', '--expect', 'Activating hypervisor',
    '--expect', 'Timer fired', '--expect', 'The Jailhouse was closed', '--expect', 'jhbuild-demo: done',
    '--fail', 'jhbuild-demo: FAILED|Kernel panic|FATAL:', '--timeout', '600'], { timeoutMs: 660_000 });
  t.is(demo.code, 0, demo.stderr.slice(-3000));
  t.log(`UEFI disk to jailhouse disable under TCG: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
