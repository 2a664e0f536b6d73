/**
 * Cells declared by needs: placement is deterministic, a cell added last moves nothing, pins are
 * honoured, and random needs on every board either place cleanly (the result passes every check
 * and encodes/decodes byte-identically) or fail with the fit error that names the need.
 */
import test from 'ava';
import { encodeCell, decodeCellFile } from '../src/cells/binary.ts';
import { checkMachine, nonRootConfigs } from '../src/system/cells.ts';
import { formatFinding } from '../src/cells/check/index.ts';
import { isCellNeeds, type CellNeeds, type LinkNeeds } from '../src/cells/place/needs.ts';
import { machinePlan, memoryMapSvg, movedSince } from '../src/system/plan.ts';
import { resolveMachine, validateMachineInput } from '../src/machine/resolve.ts';
import { isJhError } from '../src/errors.ts';
import type { Machine, MachineInput } from '../src/machine/types.ts';
import { machineInput, MACHINES } from './helpers/machines.ts';

const MiB = 0x100000;
const ROUNDS = 100;

async function variant(name: string, change: (input: MachineInput) => Partial<MachineInput>): Promise<Machine> {
  const { input, file, rootSystem } = await machineInput(name);
  return resolveMachine(validateMachineInput({ ...input, ...change(input) }, file, name), file, rootSystem);
}

const cellOf = (m: Machine, name: string) => m.cells.find((c) => c.name === name)!;

test('placement is deterministic and the Linux cell of every machine passes every check', async (t) => {
  for (const name of MACHINES) {
    const [a, b] = [await variant(name, () => ({})), await variant(name, () => ({}))];
    t.deepEqual(a.cells, b.cells, name);
    t.true(a.placed.length > 0, `${name} declares a cell by needs`);
    t.deepEqual(checkMachine(a).map(formatFinding), [], name);
  }
});

test('a cell added last moves no other cell; the plan says nothing moved', async (t) => {
  const before = await variant('qemu-arm64', () => ({}));
  const after = await variant('qemu-arm64', (input) => ({
    cpus: 6,
    cells: [...input.cells, { name: 'extra', ram: { size: 16 * MiB }, cpus: 1, console: 'uart', inmate: 'gic-demo.bin' }],
  }));
  for (const cell of before.cells) t.deepEqual(cellOf(after, cell.name).memory, cell.memory, cell.name);
  t.deepEqual(movedSince(machinePlan(before), machinePlan(after)), []);
  t.deepEqual(checkMachine(after).map(formatFinding), []);
  // Growing the Linux cell does move what is placed after it, and the plan says so.
  const grown = await variant('qemu-arm64', (input) => ({
    cpus: 6,
    cells: [...input.cells.map((c) => (c.name === 'linux-demo' ? { ...c, ram: { size: 256 * MiB } } : c)), { name: 'extra', ram: { size: 16 * MiB }, cpus: 1, inmate: 'gic-demo.bin' }],
  }));
  t.deepEqual(movedSince(machinePlan(after), machinePlan(grown)).map((line) => line.split(':')[0]), ['linux-demo', 'extra']);
});

test('pinned RAM is honoured, and a pin on used memory names the need and the fix', async (t) => {
  const pinned = await variant('qemu-arm64', (input) => ({
    cells: input.cells.map((c) => (c.name === 'linux-demo' ? { ...c, ram: { size: 128 * MiB, at: 0x70000000 } } : c)),
  }));
  const linux = cellOf(pinned, 'linux-demo');
  t.true(linux.memory.some((m) => m.phys === 0x70000000 && m.size === 128 * MiB));
  t.true(linux.memory.some((m) => m.phys === 0x70000000 - 0x10000 && m.virt === 0), 'the loader sits right below');
  t.deepEqual(checkMachine(pinned).map(formatFinding), []);
  const error = await t.throwsAsync(variant('qemu-arm64', (input) => ({
    cells: input.cells.map((c) => (c.name === 'linux-demo' ? { ...c, ram: { size: 128 * MiB, at: 0x7f000000 } } : c)),
  })));
  t.is((error as { code?: string }).code, 'E_PLACE_PINNED');
  t.regex(error!.message, /cell "linux-demo" pins its RAM at 0x7f000000/);
});

test('needs that cannot fit fail with what would fit; unknown devices name the choices', async (t) => {
  const error = await t.throwsAsync(variant('rpi4', (input) => ({
    cells: input.cells.map((c) => (c.name === 'linux-demo' ? { ...c, ram: { size: 1024 * MiB } } : c)),
  })));
  t.is((error as { code?: string }).code, 'E_PLACE_FIT');
  t.regex(error!.message, /cell "linux-demo" needs 1024 MiB of RAM aligned to 2 MiB with a 64 KiB loader below it; the largest that board.cellRam still holds is \d+ MiB at 0x/);
  t.regex((error as { hint?: string }).hint ?? '', /ask for at most \d+ MiB \(ram.size\)/);
  const device = await t.throwsAsync(variant('imx8mm-evk', (input) => ({
    cells: input.cells.map((c) => (c.name === 'linux-demo' ? { ...c, devices: ['uart9'] } : c)),
  })));
  t.regex(device!.message, /cells\[2\]\.devices\[0\]: the board has no device "uart9"/);
  // The board's devices carry the names of the tree's aliases (machines/imx8mm-evk/generated/board.ts).
  t.regex((device as { hint?: string }).hint ?? '', /mmc2, serial0, serial1, serial2, serial3/);
});

test('the plan renders as a table, a text memory map and well-formed SVG', async (t) => {
  const plan = machinePlan(await variant('qemu-arm64', () => ({})));
  t.deepEqual(plan.cells.map((c) => [c.cell, c.how]), [['qemu-arm64', 'root'], ['inmate-demo', 'written'], ['freertos-demo', 'placed'], ['linux-demo', 'placed']]);
  t.deepEqual(plan.links.map((l) => [l.name, l.bdf, l.peers.join(' ')]), [
    ['demo', '0001:00:00.0', 'qemu-arm64(0) inmate-demo(1) linux-demo(2)'], ['net', '0001:00:01.0', 'qemu-arm64(0) linux-demo(1)']]);
  const owners = plan.segments.map((s) => s.owner);
  t.deepEqual(owners.slice(-1), ['hypervisor']);
  t.true(owners.includes('linux-demo') && owners.includes('inmate-demo') && owners.includes('root'));
  for (let i = 1; i < plan.segments.length; i++) t.true(plan.segments[i]!.start >= plan.segments[i - 1]!.end, 'segments are ordered and disjoint');
  const svg = memoryMapSvg(plan);
  t.regex(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  t.is((svg.match(/<rect /g) ?? []).length, plan.segments.length + plan.devices.length, 'a box per memory and per device segment');
  for (let i = 1; i < plan.devices.length; i++) t.true(plan.devices[i]!.start >= plan.devices[i - 1]!.end, 'device segments are ordered and disjoint');
  t.true(plan.devices.some((s) => s.owner === 'hypervisor' && s.what === 'virtual PCI host'));
});

/** A small deterministic PRNG (mulberry32): the same seed gives the same needs on every run. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

function randomNeeds(input: MachineInput, random: () => number): { cells: MachineInput['cells']; links: LinkNeeds[] } {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const written = input.cells.filter((c) => !isCellNeeds(c));
  const usedCpus = written.reduce((n, c) => n + (typeof c.cpus === 'number' ? c.cpus : c.cpus.length), 0);
  const free = input.cpus - 1 - usedCpus;
  const devices = Object.entries(input.board!.devices);
  const irqOwned = new Set<string>();
  const cells: CellNeeds[] = [];
  for (let i = 0; i < Math.min(free, 1 + Math.floor(random() * 2)); i++) {
    const size = Math.max(0x1000, Math.floor(2 ** (16 + random() * 14) / 0x1000) * 0x1000); // 64 KiB .. 1 GiB
    const mine = devices.filter(([name, d]) => random() < 0.4 && (!d.irqs?.length || !irqOwned.has(name))).map(([name]) => name);
    mine.forEach((name) => irqOwned.add(name));
    const consoles = devices.filter(([, d]) => d.console).map(([name]) => name);
    cells.push({
      name: `cell${i}`, ram: { size, ...(random() < 0.3 ? { align: pick([0x10000, 0x200000, 0x1000000]) } : {}) }, cpus: 1, devices: mine,
      ...(consoles.length && random() < 0.7 ? { console: pick(consoles) } : {}),
      ...(random() < 0.5 ? { linux: { cmdline: 'console=ttyS0' } } : { inmate: 'demo.bin' }),
    });
  }
  const links: LinkNeeds[] = (input.links ?? []).filter((l) => l.peers.every((p) => p === 'root' || written.some((c) => c.name === p)));
  if (cells.length && random() < 0.5) links.push({ name: 'rnd-net', kind: 'net', peers: ['root', pick(cells).name] });
  if (cells.length && random() < 0.5) links.push({ name: 'rnd-shm', kind: 'shmem', peers: ['root', ...cells.map((c) => c.name)], rwSize: 0x1000 * (1 + Math.floor(random() * 8)), outSize: 0x1000 });
  return { cells: [...written, ...cells], links };
}

test('random needs on every board place cleanly or fail with the fit error', async (t) => {
  const outcomes: Record<string, number> = { placed: 0, fit: 0 };
  for (const name of MACHINES) {
    const { input, file, rootSystem } = await machineInput(name);
    const random = prng(0x5eed + name.length);
    for (let round = 0; round < ROUNDS; round++) {
      const needs = randomNeeds(input, random);
      let machine: Machine;
      try {
        machine = resolveMachine({ ...input, ...needs }, file, rootSystem);
      } catch (error) {
        if (!isJhError(error) || error.code !== 'E_PLACE_FIT') throw error;
        t.regex(error.message, /^(cell|link) "[\w-]+" needs .*(largest|slots|no free run|at most)/, `${name} round ${round}`);
        outcomes.fit!++;
        continue;
      }
      outcomes.placed!++;
      t.deepEqual(checkMachine(machine).map(formatFinding), [], `${name} round ${round}: ${JSON.stringify(needs.cells.filter(isCellNeeds))}`);
      for (const config of nonRootConfigs(machine)) {
        const bytes = encodeCell(config);
        const decoded = decodeCellFile(bytes);
        t.true(decoded.kind === 'cell' && Buffer.from(encodeCell(decoded.config)).equals(Buffer.from(bytes)), `${name} ${config.cell.name}`);
      }
    }
  }
  t.log(`${ROUNDS} rounds x ${MACHINES.length} boards: ${outcomes.placed} placed, ${outcomes.fit} refused with the fit error`);
  t.true(outcomes.placed > 0 && outcomes.fit > 0, 'both outcomes occur');
});
