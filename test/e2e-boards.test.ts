/**
 * End to end on the SD cards of the Raspberry Pi 4 and the i.MX8M Mini EVK, without the boards:
 * each machine's image from
 * Debian's sources (kernel tree by --src, TF-A and the GPU firmware through the host's apt, the
 * firmware from the non-free-firmware component the host need not list; U-Boot for the i.MX),
 * read back with independent tools: sfdisk for the MBR, mtools for the boot FAT, fdtoverlay +
 * fdtget for the reservation the root kernel will see, debugfs for the root, the i.MX boot
 * container header at 33 KiB.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { whichSync } from '../src/exec/which.ts';
import { e2eSourceArgs, e2eWork as work } from './helpers/e2e-sources.ts';
import { reservedRanges } from '../src/system/cmdline.ts';
import { runCli } from './helpers/cli.ts';
import { machine } from './helpers/machines.ts';

const build = join(work, 'build-boards');

function missing(): string | undefined {
  for (const tool of ['aarch64-linux-gnu-gcc', 'dtc', 'fdtoverlay', 'fdtget', 'mkfs.vfat', 'mcopy', 'mke2fs', 'sfdisk', 'bmaptool', 'debugfs', 'dpkg-deb', 'apt-get', 'mkimage', 'swig']) {
    if (!whichSync(tool)) return `${tool} is not installed (jhbuild doctor --install --machine rpi4 --machine imx8mm-evk)`;
  }
  if (!process.env.JHBUILD_LINUX_SRC && !existsSync('/usr/src/linux-source-6.1.tar.xz')) return 'linux-source-6.1 is not installed (apt-get install linux-source-6.1)';
  return undefined;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** The no-map regions of /reserved-memory as "start+size", read with fdtget. */
function noMapRegions(dtb: string): string[] {
  const hasNode = execFileSync('fdtget', ['-l', dtb, '/'], { encoding: 'utf8' }).split('\n').includes('reserved-memory');
  const nodes = hasNode ? execFileSync('fdtget', ['-l', dtb, '/reserved-memory'], { encoding: 'utf8' }).split('\n').filter(Boolean) : [];
  return nodes.filter((n) => execFileSync('fdtget', ['-p', dtb, `/reserved-memory/${n}`], { encoding: 'utf8' }).split('\n').includes('no-map')).map((n) => {
    const reg = execFileSync('fdtget', ['-t', 'x', dtb, `/reserved-memory/${n}`, 'reg'], { encoding: 'utf8' }).trim().split(/\s+/).map((w) => Number.parseInt(w, 16));
    return `${hex(reg[0]! * 2 ** 32 + reg[1]!)}+${hex(reg[2]! * 2 ** 32 + reg[3]!)}`;
  }).sort();
}

const reason = missing();
if (reason) console.log(`SKIP e2e boards: ${reason}`);

interface Table { label: string; id: string; partitions: { start: number; type: string; bootable?: boolean }[] }
const tableOf = (image: string) => (JSON.parse(execFileSync('sfdisk', ['--json', image], { encoding: 'utf8' })) as { partitiontable: Table }).partitiontable;
const expectedReservations = async (name: string) => reservedRanges(await machine(name)).map((r) => `${hex(r.start)}+${hex(r.end - r.start)}`).sort();

(reason ? test.skip : test.serial)('rpi4: an SD card whose boot FAT starts TF-A and the kernel with the machine\'s reservation', async (t) => {
  const made = await runCli(['image', '--image', 'image-base', '--machine', 'rpi4', '--build-dir', build, ...e2eSourceArgs()], { timeoutMs: 40 * 60_000 });
  t.is(made.code, 0, made.stderr.slice(-4000));
  const deploy = join(build, 'deploy/rpi4/image-base');
  const image = join(deploy, 'rpi4.img');
  t.true(existsSync(`${image}.bmap`));
  t.regex(made.stderr + made.stdout, /bmaptool copy .*rpi4\.img/, 'the build ends with the command that writes the card');

  const table = tableOf(image);
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
  t.deepEqual(added, await expectedReservations('rpi4'), 'the overlay reserves exactly the hypervisor and cell memory, no more, no less');
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

(reason ? test.skip : test.serial)('imx8mm-evk: flash.bin at 33 KiB, a boot FAT with boot.scr and the reserved root dtb; not bootable without the DDR firmware, and it says so', async (t) => {
  const made = await runCli(['image', '--image', 'image-base', '--machine', 'imx8mm-evk', '--build-dir', build, ...e2eSourceArgs()], { timeoutMs: 40 * 60_000 });
  t.is(made.code, 0, made.stderr.slice(-4000));
  t.regex(made.stdout, /NOT BOOTABLE: flash.bin lacks NXP's DDR training firmware .*--accept-license imx-firmware/);
  const deploy = join(build, 'deploy/imx8mm-evk/image-base');
  const image = join(deploy, 'imx8mm-evk.img');
  const manifest = JSON.parse(readFileSync(join(deploy, 'manifest.json'), 'utf8')) as { bootable: boolean; notBootable?: string };
  t.false(manifest.bootable);
  t.regex(manifest.notBootable ?? '', /lpddr4_pmu_train_1d_imem\.bin/);

  const table = tableOf(image);
  t.is(table.label, 'dos');
  t.is(table.partitions[0]!.start * 512, 8 * 0x100000, 'the boot FAT starts at 8 MiB');
  t.true(table.partitions[0]!.bootable, 'distro boot looks for boot.scr on the bootable partition');
  const flash = readFileSync(join(build, 'deploy/imx8mm-evk/u-boot/flash.bin'));
  const onCard = Buffer.alloc(flash.length);
  const fd = openSync(image, 'r');
  try { readSync(fd, onCard, 0, flash.length, 33 * 1024); } finally { closeSync(fd); }
  t.deepEqual([...onCard.subarray(0, 4)], [0xd1, 0x00, 0x20, 0x41], 'an i.MX image vector table (tag 0xD1, length 32, version 0x41) at 33 KiB');
  t.true(onCard.equals(flash), 'flash.bin is written whole at 33 KiB');
  t.true(flash.includes(readFileSync(join(build, 'deploy/imx8mm-evk/tf-a/bl31.bin'))), 'TF-A BL31 (PLAT=imx8mm) is inside flash.bin');
  t.true(flash.includes(Buffer.from('U-Boot 2023.01')), 'U-Boot proper is inside flash.bin');

  const fat = `${image}@@${table.partitions[0]!.start * 512}`;
  const listing = execFileSync('mdir', ['-b', '-/', '-i', fat, '::/'], { encoding: 'utf8' }).toLowerCase();
  for (const file of ['Image', 'imx8mm-evk.dtb', 'imx8mm-evk-root.dtb', 'boot.scr']) t.true(listing.includes(`::/${file}`.toLowerCase()), `${file} on the boot FAT`);
  const dir = mkdtempSync(join(tmpdir(), 'jhbuild-imx-dt-'));
  for (const f of ['imx8mm-evk.dtb', 'imx8mm-evk-root.dtb', 'boot.scr']) execFileSync('mcopy', ['-i', fat, `::/${f}`, join(dir, f)]);
  t.regex(execFileSync('mkimage', ['-l', join(dir, 'boot.scr')], { encoding: 'utf8' }), /Script/, 'boot.scr is a U-Boot script image');
  const script = readFileSync(join(dir, 'boot.scr'), 'latin1');
  t.true(script.includes(`setenv bootargs 'console=ttymxc1,115200 clk_ignore_unused root=PARTUUID=${table.id.replace(/^0x/, '')}-02 rootwait rw init=/init'`), 'the cmdline in U-Boot quoting');
  const before = new Set(noMapRegions(join(dir, 'imx8mm-evk.dtb')));
  t.deepEqual(noMapRegions(join(dir, 'imx8mm-evk-root.dtb')).filter((r) => !before.has(r)), await expectedReservations('imx8mm-evk'),
    'the root dtb reserves exactly the hypervisor and cell memory');
});
