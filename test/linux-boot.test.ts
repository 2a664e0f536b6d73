/**
 * A Linux cell is booted with addresses jhbuild computes at build time (src/cells/linux-boot.ts).
 * They must be the ones Jailhouse's own tools/jailhouse-cell-linux computes: with
 * JHBUILD_JAILHOUSE_SRC the script runs on the same cell, kernel, device tree and initrd, and its
 * `jailhouse cell load` line and the /memory and /chosen it writes are compared with ours.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMachineCells } from '../src/system/cells.ts';
import { INMATE_DTS_TEMPLATE, inmateDtsData, renderedDtCells } from '../src/system/guest/inmate-dts.ts';
import { imageTextOffset, isCellRam, linuxBootCommands, linuxBootLayout } from '../src/system/guest/linux-boot.ts';
import { netEnds, rootReachable } from '../src/system/guest/net.ts';
import { renderTemplateFile } from '../src/render/index.ts';
import { whichSync } from '../src/exec/which.ts';
import { machine } from './helpers/machines.ts';
import { repoRoot } from './helpers/cli.ts';

const MiB = 1024 * 1024;
const jailhouseSrc = process.env.JHBUILD_JAILHOUSE_SRC;
const haveDtc = Boolean(whichSync('dtc') && whichSync('fdtget'));
const upstreamReason = !jailhouseSrc ? 'set JHBUILD_JAILHOUSE_SRC to a siemens/jailhouse tree'
  : !existsSync(join(jailhouseSrc, 'tools/jailhouse-cell-linux')) ? `${jailhouseSrc} has no tools/jailhouse-cell-linux`
    : !whichSync('python3') ? 'python3 is missing' : !haveDtc ? 'dtc/fdtget missing (apt-get install device-tree-compiler)' : undefined;
if (upstreamReason) console.log(`SKIP Linux boot layout against jailhouse-cell-linux: ${upstreamReason}`);

/** An arm64 Image header (text_offset, image size, "ARMd" magic) followed by filler. */
function fakeImage(size: number, textOffset = 0): Buffer {
  const image = Buffer.alloc(size);
  image.writeBigUInt64LE(BigInt(textOffset), 8);
  image.writeBigUInt64LE(BigInt(size), 16);
  image.write('ARMd', 56, 'latin1');
  return image;
}

test('qemu-arm64 linux-demo: the device tree past the loader, the kernel 2 MiB aligned, the initrd after room for the kernel, all in the cell\'s RAM', async (t) => {
  const m = await machine('qemu-arm64');
  const cell = m.cells.find((c) => c.name === 'linux-demo')!;
  const layout = linuxBootLayout(cell, { kernel: 6 * MiB + 123, textOffset: 0, dtb: 3000, initrd: 900_000 });
  const ram = cell.memory.filter(isCellRam).find((r) => r.size > 0x10000)!;
  t.is(layout.loader, cell.cpuResetAddress);
  t.is(layout.params, cell.cpuResetAddress + 0x1000);
  t.true(layout.dtb >= ram.virt && layout.dtb >= 0x2000);
  t.is(layout.kernel % (2 * MiB), 0);
  t.true(layout.kernel >= layout.dtb + 0x2000, 'the tree keeps a page to grow');
  t.true(layout.initrd!.start >= layout.kernel + 2 * 6 * MiB, 'room to decompress as much as the kernel again');
  t.true(layout.initrd!.end <= ram.virt + ram.size);
  t.deepEqual(layout.memory, [{ start: ram.virt, size: ram.size }], 'the loader\'s 64 KiB at guest 0 is not the guest\'s RAM');
  t.is(layout.paramString, `kernel=0x${layout.kernel.toString(16)} dtb=0x${layout.dtb.toString(16)}`);
});

test('a guest that does not fit is refused with what it needs and what the cell has', async (t) => {
  const m = await machine('qemu-arm64');
  const cell = m.cells.find((c) => c.name === 'linux-demo')!;
  const error = t.throws(() => linuxBootLayout(cell, { kernel: 100 * MiB, textOffset: 0, dtb: 3000, initrd: 40 * MiB }));
  t.regex(error!.message, /cell "linux-demo": kernel, device tree and initrd need 0x[0-9a-f]+ bytes in one RAM region; the largest is 0x8000000/);
});

test('an Image without the arm64 magic is refused', (t) => {
  t.throws(() => imageTextOffset(Buffer.alloc(4096)), { message: /not an arm64 Image/ });
  t.is(imageTextOffset(fakeImage(4096, 0x80000)), 0x80000);
});

test('IVSHMEM network addresses: the root .1, its peer .2, on 192.168.19.0/24', async (t) => {
  const m = await machine('qemu-arm64');
  t.deepEqual(netEnds(m, m.system.rootCell.name), [{ slot: '00:01.0', address: '192.168.19.1', prefix: 24, peers: 2 }]);
  t.deepEqual(netEnds(m, 'linux-demo'), [{ slot: '00:01.0', address: '192.168.19.2', prefix: 24, peers: 2 }]);
  t.deepEqual(netEnds(m, 'inmate-demo'), []);
  t.deepEqual(rootReachable(m, 'linux-demo').map((n) => n.address), ['192.168.19.2'], 'what the demo pings');
});

(upstreamReason ? test.skip : test)('the same addresses, load command and /memory, /chosen as Jailhouse\'s jailhouse-cell-linux', async (t) => {
  const m = await machine('qemu-arm64');
  const dir = mkdtempSync(join(tmpdir(), 'jh-linux-boot-'));
  const cells = encodeMachineCells(m);
  for (const cell of renderedDtCells(m)) {
    const cellFile = join(dir, `${m.name}-${cell.name}.cell`);
    writeFileSync(cellFile, cells.get(`${m.name}-${cell.name}.cell`)!);
    for (const [kernelSize, initrdSize] of [[6_328_328, 1_200_000], [20 * MiB + 5, 7 * MiB + 1]] as const) {
      const image = join(dir, 'Image');
      writeFileSync(image, fakeImage(kernelSize));
      const initrd = join(dir, 'initrd.cpio.gz');
      writeFileSync(initrd, Buffer.alloc(initrdSize, 1));
      const bootargs = cell.linux!.cmdline;
      // Upstream's input: our tree without /memory and /chosen; it writes its own.
      const plainDts = join(dir, 'plain.dts');
      writeFileSync(plainDts, renderTemplateFile(join(repoRoot, 'templates', INMATE_DTS_TEMPLATE), inmateDtsData(m, cell)));
      execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', join(dir, 'plain.dtb'), plainDts]);
      const theirs = join(dir, 'theirs.dtb');
      const printed = execFileSync('python3', [join(jailhouseSrc!, 'tools/jailhouse-cell-linux'), '-a', 'arm64', '-w', theirs,
        '-d', join(dir, 'plain.dtb'), '-i', initrd, '-c', bootargs, cellFile, image], { encoding: 'utf8' });
      const theirLoad = printed.split('\n').find((l) => l.startsWith('jailhouse cell load'))!;

      // Ours: the tree rendered with the layout, measured as the recipe does.
      const mine = join(dir, 'mine.dtb');
      const render = (dtb: number) => {
        const layout = linuxBootLayout(cell, { kernel: kernelSize, textOffset: 0, dtb, initrd: initrdSize });
        writeFileSync(join(dir, 'mine.dts'), renderTemplateFile(join(repoRoot, 'templates', INMATE_DTS_TEMPLATE), inmateDtsData(m, cell, { layout, bootargs })));
        execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', mine, join(dir, 'mine.dts')]);
        return layout;
      };
      render(0);
      const layout = render(Number(execFileSync('stat', ['-c', '%s', mine], { encoding: 'utf8' })));
      // Upstream sizes its tree before adding /memory and /chosen, plus a page: ours must land where its does.
      const myLoad = linuxBootCommands(cell.name, cellFile, layout, { loader: 'linux-loader.bin', kernel: image, initrd, dtb: theirs })[1]!;
      const norm = (line: string) => line.replace(/0x0*([0-9a-f]+)/g, '0x$1').replace(/\s+/g, ' ').trim();
      t.is(norm(myLoad), norm(theirLoad), `kernel ${kernelSize} bytes, initrd ${initrdSize}`);
      const prop = (dtb: string, node: string, name: string, type = 'x') => execFileSync('fdtget', ['-t', type, dtb, node, name], { encoding: 'utf8' }).trim();
      const memoryNode = execFileSync('fdtget', ['-l', mine, '/'], { encoding: 'utf8' }).split('\n').find((n) => n.startsWith('memory@'))!;
      t.is(prop(mine, `/${memoryNode}`, 'reg'), prop(theirs, '/memory', 'reg'), '/memory');
      t.is(prop(mine, '/chosen', 'bootargs', 's'), prop(theirs, '/chosen', 'bootargs', 's'), 'bootargs');
      for (const name of ['linux,initrd-start', 'linux,initrd-end']) t.is(prop(mine, '/chosen', name), prop(theirs, '/chosen', name), name);
    }
  }
});

for (const name of ['qemu-arm64', 'rpi4', 'imx8mm-evk']) {
  test(`${name}: each Linux cell holds a 6 MiB guest kernel and a 2 MiB initramfs, where its device tree says its RAM is`, async (t) => {
    const m = await machine(name);
    const cells = renderedDtCells(m);
    t.true(cells.length > 0);
    for (const cell of cells) {
      const layout = linuxBootLayout(cell, { kernel: 6_328_328, textOffset: 0, dtb: 4000, initrd: 2 * MiB });
      const ram = cell.memory.filter(isCellRam);
      for (const at of [layout.dtb, layout.kernel, layout.initrd!.start, layout.initrd!.end - 1]) {
        t.true(ram.some((r) => at >= r.virt && at < r.virt + r.size), `${cell.name}: 0x${at.toString(16)} in the cell's RAM`);
      }
      t.deepEqual(layout.memory.map((r) => r.start), ram.filter((r) => r.virt > 0 || r.size > 0x10000).map((r) => r.virt));
    }
  });
}
