/**
 * What a recipe is signed over of the machine follows what it reads: linux-guest reads the Linux
 * cells whole and of the other cells only their names and network devices, so an edit to an inmate
 * cell's memory leaves the guest alone, an edit to a Linux cell does not.
 */
import test from 'ava';
import { canonicalJson } from '../src/engine/hash.ts';
import { pickMachine, restrictMachine } from '../src/engine/machine-view.ts';
import { netEnds } from '../src/system/guest/net.ts';
import { inmateDtsData, renderedDtCells } from '../src/system/guest/inmate-dts.ts';
import { loadProject } from '../src/project/load.ts';
import type { Machine } from '../src/machine/types.ts';
import { repoRoot } from './helpers/cli.ts';
import { machine } from './helpers/machines.ts';

const guestKeys = async () => (await (await loadProject(repoRoot)).loadRecipe('linux-guest')).machineKeys;

/** The machine with one cell's first RAM region one page larger. */
function withLargerRam(m: Machine, cellName: string): Machine {
  return { ...m, cells: m.cells.map((c) => (c.name !== cellName ? c
    : { ...c, memory: c.memory.map((r, i) => (i === 0 ? { ...r, size: r.size + 0x1000 } : r)) })) };
}

test('an inmate cell\'s memory is not an input of linux-guest; a Linux cell\'s is', async (t) => {
  const keys = await guestKeys();
  const m = await machine('qemu-arm64');
  const signed = (x: Machine) => canonicalJson(pickMachine(x, keys));
  t.is(signed(withLargerRam(m, 'inmate-demo')), signed(m));
  t.not(signed(withLargerRam(m, 'linux-demo')), signed(m));
  t.not(canonicalJson(pickMachine(withLargerRam(m, 'inmate-demo'), ['cells'])), canonicalJson(pickMachine(m, ['cells'])), 'the whole list still sees it');
});

test('linux-guest\'s reads of every ARM machine stay inside what it declares; another cell\'s memory is refused', async (t) => {
  const keys = await guestKeys();
  for (const name of ['qemu-arm64', 'rpi4', 'imx8mm-evk']) {
    const view = restrictMachine(await machine(name), keys, 'linux-guest');
    const cells = renderedDtCells(view);
    t.true(cells.length > 0, name);
    for (const cell of cells) {
      t.notThrows(() => netEnds(view, cell.name), `${name}: ${cell.name} network`);
      t.notThrows(() => inmateDtsData(view, cell), `${name}: ${cell.name} device tree`);
    }
    const other = view.cells.find((c) => !c.linux)!;
    t.is(typeof other.name, 'string');
    const error = t.throws(() => other.memory);
    t.regex(error!.message, /reads machine\.cells\[\d+\]\.memory without declaring it/);
  }
});
