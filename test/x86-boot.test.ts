/**
 * The x86 Linux guest's boot parameters made at build time (src/system/guest/x86-boot.ts) against
 * upstream's tools/jailhouse-cell-linux run on the same cell file, bzImage and initrd: the same
 * params file byte for byte and the same load addresses.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMachineCells } from '../src/system/cells.ts';
import { x86BootCommands, x86BootLayout } from '../src/system/guest/x86-boot.ts';
import { whichSync } from '../src/exec/which.ts';
import { machine } from './helpers/machines.ts';

const jailhouseSrc = process.env.JHBUILD_JAILHOUSE_SRC;
const upstreamReason = !jailhouseSrc ? 'set JHBUILD_JAILHOUSE_SRC to a siemens/jailhouse tree'
  : !existsSync(join(jailhouseSrc, 'tools/jailhouse-cell-linux')) ? `${jailhouseSrc} has no tools/jailhouse-cell-linux`
    : !whichSync('python3') ? 'python3 is not installed' : undefined;
if (upstreamReason) console.log(`SKIP x86 boot parameters against jailhouse-cell-linux: ${upstreamReason}`);

/** A bzImage as far as a loader reads it: setup sectors, the HdrS header with its jump, the payload's gzip magic, the preferred address. */
function bzImage(setupSects: number, prefAddress: number, size: number): Buffer {
  const image = Buffer.alloc(size);
  image[0x1f1] = setupSects;
  image.writeUInt32LE(size >> 4, 0x1f4);
  image.writeUInt16LE(0x6aeb, 0x200);
  image.write('HdrS', 0x202, 'latin1');
  image.writeUInt32LE(0x300, 0x248);
  image.writeBigUInt64LE(BigInt(prefAddress), 0x258);
  image.set([0x1f, 0x8b], (setupSects + 1) * 512 + 0x300);
  return image;
}

test('a file that is not a bzImage, or a cell that does not start at 0, is refused with the fix', async (t) => {
  const cell = (await machine('qemu-x86')).cells.find((c) => c.linux)!;
  t.throws(() => x86BootLayout(cell, Buffer.alloc(0x1000), ''), { message: /not an x86 bzImage/ });
  t.throws(() => x86BootLayout({ ...cell, cpuResetAddress: 0x1000 }, bzImage(3, 0x1000000, 0x5000), ''), { message: /starts at guest 0/ });
});

(upstreamReason ? test.skip : test)('zero page, setup data and command line equal jailhouse-cell-linux --write-params for linux-x86-demo', async (t) => {
  const m = await machine('qemu-x86');
  const cell = m.cells.find((c) => c.linux)!;
  const dir = mkdtempSync(join(tmpdir(), 'jh-x86-boot-'));
  const cellFile = join(dir, 'cell.cell');
  writeFileSync(cellFile, encodeMachineCells(m).get(`qemu-x86-${cell.name}.cell`)!);
  for (const [setupSects, pref, size, initrd] of [[3, 0x1000000, 0x5000, 12345], [31, 0x1000000, 0x2a0000, 0x180000], [27, 0x2000000, 0x400000, undefined]] as const) {
    const kernel = bzImage(setupSects, pref, size);
    writeFileSync(join(dir, 'bzImage'), kernel);
    const args = [join(jailhouseSrc!, 'tools/jailhouse-cell-linux'), cellFile, join(dir, 'bzImage'), '-c', cell.linux!.cmdline!, '-w', join(dir, 'params.bin')];
    if (initrd !== undefined) {
      writeFileSync(join(dir, 'initrd'), Buffer.alloc(initrd, 1));
      args.push('-i', join(dir, 'initrd'));
    }
    const printed = execFileSync('python3', args, { encoding: 'utf8', env: { ...process.env, PYTHONPATH: jailhouseSrc } });
    const layout = x86BootLayout(cell, kernel, cell.linux!.cmdline!, initrd);
    t.deepEqual(Buffer.from(layout.paramsFile), readFileSync(join(dir, 'params.bin')), `params of a ${size}-byte bzImage, initrd ${initrd ?? 'none'}`);
    const ours = x86BootCommands(cell.name, cellFile, layout, { loader: 'linux-loader.bin', kernel: join(dir, 'bzImage'), params: join(dir, 'params.bin'), ...(initrd !== undefined ? { initrd: join(dir, 'initrd') } : {}) });
    const theirs = printed.split('\n').find((l) => l.startsWith('jailhouse cell load'))!;
    t.is(ours[1], theirs.trim(), 'the same load command');
  }
});
