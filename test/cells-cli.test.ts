/** cells check on .cell files of any origin, and builds refused before anything runs when a check fails. */
import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeCell, encodeSystem } from '../src/cells/binary.ts';
import { runCli } from './helpers/cli.ts';
import { tempDir, writeLoggingRecipe, writeTestMachine } from './helpers/fixture.ts';
import { validSample } from './fixtures/faults.ts';

function writeSample(dir: string, mutate?: (s: ReturnType<typeof validSample>) => void): string[] {
  const s = validSample();
  mutate?.(s);
  const files = [join(dir, 'root.cell'), ...s.cells.map((c) => join(dir, `${c.cell.name}.cell`))];
  writeFileSync(files[0]!, encodeSystem(s.system));
  s.cells.forEach((c, i) => writeFileSync(files[i + 1]!, encodeCell(c)));
  return files;
}

test('cells check on .cell files: clean sample passes, an overlap is reported with code and place', async (t) => {
  const ok = await runCli(['cells', 'check', ...writeSample(tempDir()), '--cmdline', 'mem=768M console=ttyAMA0']);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /all checks passed/);
  const bad = await runCli(['cells', 'check', ...writeSample(tempDir(), (s) => { (s.cells[1]!.cell.memory[0] as { phys: number }).phys = 0x70080000; }), '--json']);
  t.is(bad.code, 2);
  const report = JSON.parse(bad.stdout) as { ok: boolean; findings: { code: string; cell: string; region: number }[] };
  t.false(report.ok);
  t.deepEqual(report.findings.map((f) => [f.code, f.cell, f.region]), [['E_CELL_OVERLAP', 'beta', 0]]);
  const reservation = await runCli(['cells', 'check', ...writeSample(tempDir()), '--cmdline', 'mem=1G']);
  t.is(reservation.code, 2);
  t.regex(reservation.stderr, /E_CELL_NOT_RESERVED: .*not reserved from the root kernel \(cmdline "mem=1G"\)/);
});

test('cells render writes C sources and encode writes .cell files named after the machine', async (t) => {
  const dir = tempDir();
  const render = await runCli(['cells', 'render', '--machine', 'qemu-arm64', '--out', dir]);
  t.is(render.code, 0, render.stderr);
  t.regex(readFileSync(join(dir, 'qemu-arm64-inmate-demo.c'), 'utf8'), /\.name = "inmate-demo",/);
  const encode = await runCli(['cells', 'encode', '--machine', 'qemu-arm64', '--out', dir]);
  t.is(encode.code, 0, encode.stderr);
  t.true(['qemu-arm64.cell', 'qemu-arm64-inmate-demo.cell', 'qemu-arm64-linux-demo.cell'].every((f) => existsSync(join(dir, f))));
});

test('a build stops before running anything when the machine fails its cell check', async (t) => {
  const root = tempDir();
  writeTestMachine(root);
  const file = join(root, 'machines/test.machine.ts');
  // One non-root cell whose RAM sits in the hypervisor's memory.
  writeFileSync(file, readFileSync(file, 'utf8').replace('cells: [],', `cells: [{ name: 'bad', id: 0, flags: 0, cpuSetSize: 8, cpus: 1,
    memory: [{ phys: 0x7fd00000, virt: 0, size: 0x10000, flags: 0x47 }], cacheRegions: [], irqchips: [], pio: [], pciDevices: [], pciCaps: [],
    streamIds: [], vpciIrqBase: 0, cpuResetAddress: 0, msgReplyTimeout: 0, console: con }],`));
  const log = join(root, 'tasks.log');
  writeLoggingRecipe(root, 'thing', log);
  const result = await runCli(['build', 'thing', '--project', root, '--machine', 'test']);
  t.is(result.code, 2);
  t.regex(result.stderr, /E_CELL_CHECK: machine test: \d+ cell config problem\(s\); nothing was built/);
  t.regex(result.stderr, /E_CELL_HYPERVISOR_OVERLAP: cell "bad", region 0/);
  t.false(existsSync(log), 'no task ran');
});
