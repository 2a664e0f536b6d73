/**
 * The disk-image kind: planning refusals (pure), and real images verified by independent readers:
 * sfdisk --json for the table, mtools for FAT, debugfs/e2fsck for ext4, bmaptool for the copy.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { whichSync } from '../src/exec/which.ts';
import { planDisk } from '../src/image/disk/plan.ts';
import type { DiskLayoutInput } from '../src/image/disk/types.ts';
import { writeDiskImage } from '../src/image/disk/write.ts';
import { tempDir } from './helpers/fixture.ts';

const MiB = 0x100000;
const origin = { file: '/project/machines/board.machine.ts', field: 'image' };
const sized = (bytes: number) => () => ({ bytes });
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

test('partitions are placed after the table, aligned, and the disk fits them and the GPT copy', (t) => {
  const plan = planDisk({ table: 'gpt', partitions: [
    { name: 'esp', type: 'esp', size: 64 * MiB, content: { empty: true } },
    { name: 'root', type: 'linux', size: 'fit', content: { ext4: { dir: 'x' } } },
  ] }, origin, 'seed', sized(100 * MiB));
  t.deepEqual(plan.partitions.map((p) => [p.offset, p.size]), [[MiB, 64 * MiB], [65 * MiB, 146 * MiB]]);
  t.is(plan.size, 212 * MiB);
  t.is(plan.partitions[0]!.type, 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B');
  t.regex(plan.partitions[1]!.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.is(planDisk({ table: 'gpt', partitions: [] }, origin, 'seed', sized(0)).diskId, plan.diskId, 'ids follow the seed');
  t.not(planDisk({ table: 'gpt', partitions: [] }, origin, 'other', sized(0)).diskId, plan.diskId);
});

const refusals: [string, DiskLayoutInput, RegExp][] = [
  ['overlapping partitions', { table: 'gpt', partitions: [
    { name: 'a', type: 'linux', offset: MiB, size: 4 * MiB, content: { empty: true } },
    { name: 'b', type: 'linux', offset: 3 * MiB, size: MiB, content: { empty: true } }] }, /E_DISK_OVERLAP.*image\.partitions\[1\]: "b" at 0x300000 overlaps "a"/s],
  ['content larger than its partition', { table: 'mbr', partitions: [
    { name: 'boot', type: 'fat32', size: MiB, content: { fat: { files: [] } } }] }, /E_DISK_TOO_SMALL.*image\.partitions\[0\]\.size/s],
  ['a blob crossing the GPT', { table: 'gpt', partitions: [], blobs: [{ name: 'spl', file: 'f', offset: 0x1000 }] }, /E_DISK_BLOB_OVERLAP.*image\.blobs\[0\].*partition table/s],
  ['a blob inside a partition', { table: 'mbr', partitions: [{ name: 'boot', type: 'fat32', size: 16 * MiB, content: { empty: true } }],
    blobs: [{ name: 'flash.bin', file: 'f', offset: 0x8400 }] }, /E_DISK_BLOB_OVERLAP.*overlaps partition "boot"/s],
  ['five MBR partitions', { table: 'mbr', partitions: ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, type: 'linux', size: MiB, content: { empty: true } })) }, /E_DISK_MBR_PARTITIONS/],
  ['a partition past a fixed disk size', { table: 'mbr', size: 4 * MiB, partitions: [{ name: 'a', type: 'linux', size: 8 * MiB, content: { empty: true } }] }, /E_DISK_BEYOND_END/],
  ['an unknown type', { table: 'gpt', partitions: [{ name: 'a', type: 'ntfs-ish', size: MiB, content: { empty: true } }] }, /E_DISK_TYPE.*partitions\[0\]\.type/s],
];
for (const [what, layout, expected] of refusals) {
  test(`refused before writing: ${what}`, (t) => {
    const error = t.throws(() => planDisk(layout, origin, 's', sized(1 << 20)));
    t.regex(`${(error as unknown as { code: string }).code}: ${error!.message}`, expected);
    t.is((error as unknown as { file?: string }).file, origin.file, 'names the machine file');
  });
}

test('a missing file is refused naming the field', (t) => {
  const error = t.throws(() => planDisk({ table: 'gpt', partitions: [{ name: 'esp', type: 'esp', size: 8 * MiB, content: { fat: { files: [{ from: '/nope/BOOTX64.EFI', to: 'EFI/BOOT/BOOTX64.EFI' }] } } }] },
    origin, 's', () => ({ missing: '/nope/BOOTX64.EFI' })));
  t.regex(error!.message, /image\.partitions\[0\]\.content: \/nope\/BOOTX64\.EFI does not exist/);
});

const tools = ['sfdisk', 'mkfs.vfat', 'mmd', 'mcopy', 'mdir', 'mke2fs', 'debugfs', 'e2fsck', 'bmaptool'];
const lacking = tools.find((tool) => !whichSync(tool));
if (lacking) console.log(`SKIP disk image writing tests: ${lacking} is not installed (apt-get install fdisk dosfstools mtools e2fsprogs bmap-tools)`);
const real = lacking ? test.skip : test.serial;

function fixtureTrees() {
  const dir = tempDir();
  const efi = join(dir, 'BOOTX64.EFI');
  writeFileSync(efi, randomBytes(300 * 1024));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'usr/lib/jailhouse'), { recursive: true });
  writeFileSync(join(root, 'usr/lib/jailhouse/jailhouse.ko'), randomBytes(64 * 1024));
  writeFileSync(join(root, 'init'), '#!/bin/sh\necho hi\n');
  chmodSync(join(root, 'init'), 0o755);
  symlinkSync('usr/lib/jailhouse', join(root, 'jh'));
  return { dir, efi, root };
}

const gptLayout = (efi: string, root: string): DiskLayoutInput => ({ table: 'gpt', partitions: [
  { name: 'esp', type: 'esp', size: 32 * MiB, content: { fat: { label: 'ESP', files: [{ from: efi, to: 'EFI/BOOT/BOOTX64.EFI' }, { from: efi, to: 'bzImage' }] } } },
  { name: 'root', type: 'linux-root-x86-64', size: 'fit', content: { ext4: { dir: root, label: 'root' } } },
] });

real('a GPT disk: ESP and ext4 root read back by sfdisk, mtools and debugfs; sparse; bmaptool copies it', async (t) => {
  const { dir, efi, root } = fixtureTrees();
  const image = join(dir, 'disk.img');
  const disk = await writeDiskImage(gptLayout(efi, root), origin, image, { seed: 'sig-1', sourceDateEpoch: 0, workDir: join(dir, 'work'), log: join(dir, 'log') });
  const table = (JSON.parse(execFileSync('sfdisk', ['--json', image], { encoding: 'utf8' })) as { partitiontable: { label: string; id: string; partitions: { start: number; size: number; type: string; uuid: string; name: string }[] } }).partitiontable;
  t.is(table.label, 'gpt');
  t.is(table.id.toLowerCase(), disk.diskId);
  t.deepEqual(table.partitions.map((p) => [p.start * 512, p.size * 512, p.type, p.uuid.toLowerCase(), p.name]),
    disk.partitions.map((p) => [p.offset, p.size, p.type, p.uuid, p.name]));
  const esp = `${image}@@${disk.partitions[0]!.offset}`;
  t.regex(execFileSync('mdir', ['-i', esp, '::/EFI/BOOT'], { encoding: 'utf8' }), /BOOTX64\s+EFI/);
  const back = join(dir, 'back.efi');
  execFileSync('mcopy', ['-i', esp, '::/EFI/BOOT/BOOTX64.EFI', back]);
  t.is(sha(back), sha(efi));
  const rootPart = join(dir, 'root.img');
  const p = disk.partitions[1]!;
  execFileSync('dd', [`if=${image}`, `of=${rootPart}`, 'bs=1M', `skip=${p.offset / MiB}`, `count=${p.size / MiB}`], { stdio: 'ignore' });
  execFileSync('e2fsck', ['-fn', rootPart], { stdio: 'pipe' });
  const listing = execFileSync('debugfs', ['-R', 'ls -l /', rootPart], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  t.regex(listing, /100755\s+\(1\)\s+0\s+0\s+\d+.*\binit\b/);
  t.regex(listing, /120777.*\bjh\b/);
  t.is(execFileSync('debugfs', ['-R', 'cat /init', rootPart], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }), '#!/bin/sh\necho hi\n');
  const st = statSync(image);
  t.true(st.blocks * 512 < st.size / 4, `sparse: ${st.blocks * 512} bytes used of ${st.size}`);
  const copy = join(dir, 'copy.img');
  execFileSync('bmaptool', ['copy', '--bmap', disk.bmap, image, copy], { stdio: 'pipe' });
  t.is(sha(copy), sha(image));
});

real('two builds of the same inputs are bit-identical; another seed changes the ids', async (t) => {
  const { dir, efi, root } = fixtureTrees();
  const build = (name: string, seed: string) => writeDiskImage(gptLayout(efi, root), origin, join(dir, name), { seed, sourceDateEpoch: 0, workDir: join(dir, `work-${name}`), log: join(dir, 'log') });
  await build('a.img', 's');
  await new Promise((r) => setTimeout(r, 1100));
  await build('b.img', 's');
  const differ = execFileSync('sh', ['-c', `cmp -l ${join(dir, 'a.img')} ${join(dir, 'b.img')} | head -5 || true`], { encoding: 'utf8' });
  t.is(sha(join(dir, 'a.img')), sha(join(dir, 'b.img')), `first differing bytes (offset, a, b):\n${differ}`);
  await build('c.img', 't');
  t.not(sha(join(dir, 'c.img')), sha(join(dir, 'a.img')));
});

real('an MBR card: a raw blob at 33 KiB, a bootable FAT at 8 MiB and an ext4 root', async (t) => {
  const { dir, efi, root } = fixtureTrees();
  const blob = join(dir, 'flash.bin');
  writeFileSync(blob, randomBytes(70 * 1024));
  const image = join(dir, 'card.img');
  const disk = await writeDiskImage({ table: 'mbr', partitions: [
    { name: 'boot', type: 'fat32', offset: 8 * MiB, size: 32 * MiB, bootable: true, content: { fat: { files: [{ from: efi, to: 'Image' }] } } },
    { name: 'root', type: 'linux', size: 'fit', content: { ext4: { dir: root } } },
  ], blobs: [{ name: 'flash.bin', file: blob, offset: 0x8400 }] }, origin, image, { seed: 's', sourceDateEpoch: 0, workDir: join(dir, 'work'), log: join(dir, 'log') });
  const table = (JSON.parse(execFileSync('sfdisk', ['--json', image], { encoding: 'utf8' })) as { partitiontable: { label: string; partitions: { start: number; type: string; bootable?: boolean }[] } }).partitiontable;
  t.is(table.label, 'dos');
  t.deepEqual(table.partitions.map((p) => [p.start * 512, p.type, p.bootable ?? false]), [[8 * MiB, 'c', true], [disk.partitions[1]!.offset, '83', false]]);
  t.deepEqual(readFileSync(image).subarray(0x8400, 0x8400 + 70 * 1024), readFileSync(blob));
  t.regex(disk.partitions[1]!.uuid, /^[0-9a-f]{8}-02$/, 'MBR PARTUUIDs are DISKID-NN');
});
