/**
 * The device tree a Linux guest boots with is rendered from its cell: dtc compiles it, and what it
 * says (CPUs, UART, GIC, the virtual PCI host and its INTx lines) is what the cell config gives.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INMATE_DTS_TEMPLATE, inmateDtbName, inmateDtsData, renderedDtCells } from '../src/system/guest/inmate-dts.ts';
import { renderTemplateFile } from '../src/render/index.ts';
import { irqsOf } from '../src/cells/helpers.ts';
import { whichSync } from '../src/exec/which.ts';
import { machine } from './helpers/machines.ts';
import { repoRoot } from './helpers/cli.ts';

const haveDtc = Boolean(whichSync('dtc') && whichSync('fdtget'));
if (!haveDtc) console.log('SKIP inmate device trees: dtc/fdtget missing (apt-get install device-tree-compiler)');

const words = (dtb: string, node: string, prop: string) =>
  execFileSync('fdtget', ['-t', 'x', dtb, node, prop], { encoding: 'utf8' }).trim().split(/\s+/).map((w) => parseInt(w, 16));

for (const name of ['qemu-arm64', 'rpi4', 'imx8mm-evk']) {
  (haveDtc ? test : test.skip)(`${name}: the Linux guest's device tree agrees with its cell`, async (t) => {
    const m = await machine(name);
    const cells = renderedDtCells(m);
    t.true(cells.length > 0, 'the machine has a Linux cell');
    const dir = mkdtempSync(join(tmpdir(), 'jh-dts-'));
    for (const cell of cells) {
      const dts = join(dir, inmateDtbName(m, cell).replace(/\.dtb$/, '.dts'));
      writeFileSync(dts, renderTemplateFile(join(repoRoot, 'templates', INMATE_DTS_TEMPLATE), inmateDtsData(m, cell)));
      const dtb = dts.replace(/\.dts$/, '.dtb');
      execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', dtb, dts]);
      const cpuNodes = execFileSync('fdtget', ['-l', dtb, '/cpus'], { encoding: 'utf8' }).trim().split('\n');
      t.deepEqual(cpuNodes, cell.cpus.map((c) => `cpu@${c.toString(16)}`), 'the cell\'s CPUs');
      const pf = m.system.platform;
      const pci = `/pci@${pf.pciMmconfigBase.toString(16)}`;
      t.deepEqual(words(dtb, pci, 'reg').slice(0, 2), [0, pf.pciMmconfigBase], 'the vPCI host at the system\'s MMCONFIG');
      // interrupt-map: <0 0 0 pin &gic 0 spi flags> per pin; the used slots' lines are the cell's.
      const map = words(dtb, pci, 'interrupt-map');
      const spis = [0, 1, 2, 3].map((i) => map[i * 8 + 6]!);
      t.deepEqual(spis, [0, 1, 2, 3].map((i) => cell.vpciIrqBase + i));
      const owned = new Set(irqsOf(cell.irqchips));
      for (const d of cell.pciDevices) t.true(owned.has(cell.vpciIrqBase + 32 + ((d.bdf >> 3) & 3)), `slot ${(d.bdf >> 3) & 3}'s INTx is the cell's`);
      // Every serial node's registers are mapped in the cell.
      const serials = execFileSync('fdtget', ['-l', dtb, '/'], { encoding: 'utf8' }).trim().split('\n').filter((n) => n.startsWith('serial@'));
      t.true(serials.length > 0, 'a serial node');
      for (const s of serials) {
        const [, base] = words(dtb, `/${s}`, 'reg');
        t.true(cell.memory.some((r) => r.phys <= base! && base! < r.phys + r.size), `${s} is mapped in the cell`);
      }
    }
  });
}
