/**
 * End to end on the Raspberry Pi 4 SD card, without the board: the rpi4 machine's image from
 * Debian's sources (kernel tree by --src, TF-A and the GPU firmware through the host's apt, the
 * firmware from the non-free-firmware component the host need not list), read back with
 * independent tools: sfdisk for the MBR, mtools for the boot FAT, fdtoverlay + fdtget for the
 * reservation the root kernel will see, debugfs for the root.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { whichSync } from '../src/build/tools.ts';
import { reservedRanges } from '../src/cmdline/index.ts';
import { runCli } from './helpers/cli.ts';
import { machine } from './helpers/machines.ts';

const work = process.env.JHBUILD_E2E_DIR ?? join(tmpdir(), 'jhbuild-e2e');
const build = join(work, 'build-boards');

function missing(): string | undefined {
  for (const tool of ['aarch64-linux-gnu-gcc', 'dtc', 'fdtoverlay', 'fdtget', 'mkfs.vfat', 'mcopy', 'mke2fs', 'sfdisk', 'bmaptool', 'debugfs', 'dpkg-deb', 'apt-get']) {
    if (!whichSync(tool)) return `${tool} is not installed (jhbuild doctor --install --machine rpi4)`;
  }
  if (!process.env.JHBUILD_LINUX_SRC && !existsSync('/usr/src/linux-source-6.1.tar.xz')) return 'linux-source-6.1 is not installed (apt-get install linux-source-6.1)';
  return undefined;
}

function sources(): string[] {
  const tree = process.env.JHBUILD_LINUX_SRC ?? join(work, 'linux-source-6.1');
  if (!existsSync(join(tree, 'Makefile'))) { mkdirSync(work, { recursive: true }); execFileSync('tar', ['-xf', '/usr/src/linux-source-6.1.tar.xz', '-C', work]); }
  const mirror = join(work, 'mirror');
  mkdirSync(mirror, { recursive: true });
  if (!readdirSync(mirror).some((f) => f.endsWith('.orig.tar.bz2'))) execFileSync('apt-get', ['source', '--download-only', 'busybox'], { cwd: mirror, stdio: 'pipe' });
  return ['--src', `linux=${tree}`, '--mirror', mirror];
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** The no-map regions of /reserved-memory as "start+size", read with fdtget. */
function noMapRegions(dtb: string): string[] {
  const nodes = execFileSync('fdtget', ['-l', dtb, '/reserved-memory'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return nodes.filter((n) => execFileSync('fdtget', ['-p', dtb, `/reserved-memory/${n}`], { encoding: 'utf8' }).split('\n').includes('no-map')).map((n) => {
    const reg = execFileSync('fdtget', ['-t', 'x', dtb, `/reserved-memory/${n}`, 'reg'], { encoding: 'utf8' }).trim().split(/\s+/).map((w) => Number.parseInt(w, 16));
    return `${hex(reg[0]! * 2 ** 32 + reg[1]!)}+${hex(reg[2]! * 2 ** 32 + reg[3]!)}`;
  }).sort();
}

const reason = missing();
if (reason) console.log(`SKIP e2e rpi4: ${reason}`);

(reason ? test.skip : test.serial)('rpi4: an SD card whose boot FAT starts TF-A and the kernel with the machine\'s reservation', async (t) => {
  const made = await runCli(['image', '--image', 'image-base', '--machine', 'rpi4', '--build-dir', build, ...sources()], { timeoutMs: 40 * 60_000 });
  t.is(made.code, 0, made.stderr.slice(-4000));
  const deploy = join(build, 'deploy/rpi4/image-base');
  const image = join(deploy, 'rpi4.img');
  t.true(existsSync(`${image}.bmap`));
  t.regex(made.stderr + made.stdout, /bmaptool copy .*rpi4\.img/, 'the build ends with the command that writes the card');

  const table = (JSON.parse(execFileSync('sfdisk', ['--json', image], { encoding: 'utf8' })) as { partitiontable: { label: string; id: string; partitions: { start: number; type: string; bootable?: boolean }[] } }).partitiontable;
  t.is(table.label, 'dos', 'the Pi firmware reads an MBR card');
  t.is(table.partitions[0]!.type, 'c', 'the first partition is FAT32 (LBA)');
  t.true(table.partitions[0]!.bootable);
  t.is(table.partitions[1]!.type, '83');
  const fat = `${image}@@${table.partitions[0]!.start * 512}`;
  const listing = execFileSync('mdir', ['-b', '-/', '-i', fat, '::/'], { encoding: 'utf8' });
  for (const file of ['start4.elf', 'fixup4.dat', 'bl31.bin', 'Image', 'bcm2711-rpi-4-b.dtb', 'config.txt', 'cmdline.txt', 'overlays/jailhouse.dtbo']) {
    t.true(listing.toLowerCase().includes(`::/${file}`.toLowerCase()), `${file} on the boot FAT`);
  }
  const read = (file: string) => execFileSync('mtype', ['-i', fat, `::/${file}`], { encoding: 'utf8' });
  const config = read('config.txt');
  for (const line of ['arm_64bit=1', 'enable_gic=1', 'armstub=bl31.bin', 'kernel=Image', 'device_tree=bcm2711-rpi-4-b.dtb', 'dtoverlay=jailhouse']) {
    t.true(config.split('\n').includes(line), `config.txt has ${line}`);
  }
  const cmdline = read('cmdline.txt');
  t.is(cmdline, readFileSync(join(deploy, 'cmdline.txt'), 'utf8'), 'the card carries the deployed cmdline');
  t.regex(cmdline, new RegExp(`^console=ttyS1,115200 root=PARTUUID=${table.id.replace(/^0x/, '')}-02 rootwait rw init=/init\\n$`));

  // What the root kernel will see: the board dtb with the overlay applied, as the firmware applies it.
  const dir = mkdtempSync(join(tmpdir(), 'jhbuild-rpi4-dt-'));
  for (const f of ['bcm2711-rpi-4-b.dtb', 'overlays/jailhouse.dtbo']) execFileSync('mcopy', ['-i', fat, `::/${f}`, join(dir, f.split('/').pop()!)]);
  execFileSync('fdtoverlay', ['-i', join(dir, 'bcm2711-rpi-4-b.dtb'), '-o', join(dir, 'root.dtb'), join(dir, 'jailhouse.dtbo')]);
  const before = new Set(noMapRegions(join(dir, 'bcm2711-rpi-4-b.dtb')));
  const added = noMapRegions(join(dir, 'root.dtb')).filter((r) => !before.has(r));
  const expected = reservedRanges(await machine('rpi4')).map((r) => `${hex(r.start)}+${hex(r.end - r.start)}`).sort();
  t.deepEqual(added, expected, 'the overlay reserves exactly the hypervisor and cell memory, no more, no less');
  t.is(execFileSync('fdtget', [join(dir, 'root.dtb'), '/scb/pcie@7d500000', 'linux,pci-domain'], { encoding: 'utf8' }).trim(), '0', 'the SoC PCIe keeps domain 0 (Jailhouse vPCI takes 1)');

  const rootOffset = table.partitions[1]!.start * 512;
  const rootFs = join(dir, 'root.ext4');
  execFileSync('dd', [`if=${image}`, `of=${rootFs}`, 'bs=1M', `skip=${rootOffset}`, 'iflag=skip_bytes', 'status=none']);
  t.regex(execFileSync('debugfs', ['-R', 'ls -l /', rootFs], { encoding: 'utf8' }), /\binit\b/, 'the root holds /init');
});

// Debian 12's QEMU (7.2) has no raspi4b; the firmware chain (start4.elf, config.txt, armstub) is
// never emulated by any QEMU: what this tier cannot show is said here rather than faked.
const qemuMachines = whichSync('qemu-system-aarch64') ? execFileSync('qemu-system-aarch64', ['-machine', 'help'], { encoding: 'utf8' }) : '';
if (!/^raspi4b\b/m.test(qemuMachines)) console.log('SKIP e2e rpi4 boot: this QEMU has no raspi4b machine (Debian 12 ships QEMU 7.2); the card was checked by reading it back only');
