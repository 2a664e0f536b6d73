/**
 * Bad input is a user error that names the file, the field and the fix (exit 2, no stack trace):
 * .cell files that are devices, FIFOs, too large or whose header counts run past the file, and
 * machine numbers that do not fit their .cell field (run through the real CLI).
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliResult } from './helpers/cli.ts';
import { tempDir, writeTestMachine } from './helpers/fixture.ts';
import { encodeCell } from '../src/cells/binary.ts';
import { cellDefaults, commRegion } from '../src/cells/helpers.ts';
import { whichSync } from '../src/exec/which.ts';

/** A fixture project whose test machine has the given text replacements applied. */
function project(...changes: [string | RegExp, string][]): { dir: string; file: string } {
  const dir = tempDir();
  mkdirSync(join(dir, 'recipes'));
  writeTestMachine(dir);
  const file = join(dir, 'machines/test.machine.ts');
  let text = readFileSync(file, 'utf8');
  for (const [from, to] of changes) {
    if (typeof from === 'string' ? !text.includes(from) : !from.test(text)) throw new Error(`the test machine has no "${from}"`);
    text = text.replace(from, to);
  }
  writeFileSync(file, text);
  return { dir, file };
}

const cells = (dir: string, sub: string) => runCli(['cells', sub, '--project', dir, '--machine', 'test', ...(sub === 'check' ? [] : ['--out', join(dir, 'out')])], { timeoutMs: 60_000 });

/** Exit 2, a JhError (no stack frames), and the file and field named. */
function refused(t: ExecutionContext, result: CliResult, file: string, field: string | RegExp, fix?: RegExp): void {
  t.is(result.signal, null, 'finished by itself, not killed at the timeout');
  t.is(result.code, 2, result.stderr);
  t.notRegex(result.stderr, /^\s+at /m, 'no stack trace');
  t.regex(result.stderr, /^error E_[A-Z0-9_]+: /m);
  t.true(result.stderr.includes(`in ${file}`), `names ${file}: ${result.stderr}`);
  if (typeof field === 'string') t.true(result.stderr.includes(field), `names ${field}: ${result.stderr}`);
  else t.regex(result.stderr, field);
  if (fix) t.regex(result.stderr, fix);
}

const WHOLE_PAGES = /hint: give a whole number of bytes, a multiple of 0x1000.*below 2\^53/;

test('1. cells inspect /dev/zero is refused before reading anything', async (t) => {
  const result = await runCli(['cells', 'inspect', '/dev/zero'], { timeoutMs: 20_000 });
  refused(t, result, '/dev/zero', 'E_CELL_FILE: this is a character device, not a .cell file');
});

test('1. a FIFO, a folder and a 17-page file are refused; a header counting past the file is truncation', async (t) => {
  const dir = tempDir();
  const big = join(dir, 'big.cell');
  writeFileSync(big, Buffer.alloc(17 * 4096));
  refused(t, await runCli(['cells', 'inspect', big], { timeoutMs: 20_000 }), big, /E_CELL_CONFIG_SIZE: the file is 69632 bytes; a Jailhouse config is at most 65536 bytes/);
  refused(t, await runCli(['cells', 'check', dir], { timeoutMs: 20_000 }), dir, 'E_CELL_FILE: this is a directory');
  // num_memory_regions 0xffffffff in a 300-byte cell: nothing is allocated for them.
  const counts = join(dir, 'counts.cell');
  const bytes = Buffer.from(encodeCell({ arch: 'arm64', cell: cellDefaults({ name: 'c', cpus: [1], memory: [commRegion()] }) }));
  bytes.writeUInt32LE(0xffffffff, 52);
  writeFileSync(counts, bytes);
  refused(t, await runCli(['cells', 'inspect', counts], { timeoutMs: 20_000 }), counts, /E_CELL_TRUNCATED: .*num_memory_regions 4294967295.*but the file has 172/);
  const foreign = join(dir, 'elf.cell');
  writeFileSync(foreign, 'ELF');
  refused(t, await runCli(['cells', 'inspect', foreign], { timeoutMs: 20_000 }), foreign, /E_CELL_SIGNATURE: not a Jailhouse config \(it starts with "ELF"/);
  if (!whichSync('mkfifo')) { t.log('mkfifo is not installed: FIFO case skipped'); return; }
  const fifo = join(dir, 'fifo.cell');
  execFileSync('mkfifo', [fifo]);
  refused(t, await runCli(['cells', 'inspect', fifo], { timeoutMs: 20_000 }), fifo, 'E_CELL_FILE: this is a FIFO');
});

test('1. a machine\'s rootCellFile goes through the same bounded reader', async (t) => {
  // The machine names a root .cell (as pc does) instead of writing its system config.
  const { dir } = project([/ {2}system: \{[\s\S]*?\n {2}\},\n/, '  rootCellFile: "/dev/zero",\n']);
  refused(t, await cells(dir, 'check'), '/dev/zero', 'E_CELL_FILE: this is a character device');
});

test('2. a machine without ram names the field instead of crashing in the cmdline', async (t) => {
  const { dir, file } = project(['ram: [{ base: 0x40000000, size: 0x40000000 }], ', '']);
  refused(t, await cells(dir, 'check'), file, 'E_INVALID_FIELD: ram: the machine has no RAM bank', /hint: list the RAM/);
});

test('3. a region of size 0.5 is refused by check and encode alike', async (t) => {
  const { dir, file } = project(['size: 0x3fc00000', 'size: 0.5']);
  for (const sub of ['check', 'encode']) {
    refused(t, await cells(dir, sub), file, 'system.rootCell.memory[0].size: 0.5 is not a whole number', WHOLE_PAGES);
  }
  // Library callers that skip the machine checks get an error too, not a RangeError.
  t.throws(() => encodeCell({ arch: 'arm64', cell: cellDefaults({ name: 'c', memory: [{ phys: 0, virt: 0, size: 0.5, flags: 0 }] }) }),
    { name: 'JhError', message: /0\.5 does not fit the u64 at byte 156/ });
});

test('4. a negative hypervisorMemory.size is refused before anything is encoded', async (t) => {
  const { dir, file } = project(['size: 0x400000, flags: 0', 'size: -4, flags: 0']);
  for (const sub of ['check', 'encode']) {
    refused(t, await cells(dir, sub), file, 'system.hypervisorMemory.size: -4 is negative', /at least 0x1000, below 2\^53/);
  }
});

test('5. a cell region of negative size or of 2^70 bytes is named, not reported as LOADABLE or overlap', async (t) => {
  const cell = (size: string) => `cells: [{ name: 'inmate', cpus: 1, id: 0, flags: 0, cpuSetSize: 8, cacheRegions: [], irqchips: [], pio: [],
    pciDevices: [], pciCaps: [], streamIds: [], vpciIrqBase: 0, cpuResetAddress: 0, msgReplyTimeout: 0, console: con,
    memory: [{ phys: 0x70000000, virt: 0, size: 0x10000, flags: 0x47 }, { phys: 0x70010000, virt: 0x10000, size: ${size}, flags: 0x47 }] }],`;
  const good = project(['cells: [],', cell('0x1000')]);
  const ok = await cells(good.dir, 'check');
  t.notRegex(ok.stderr, /E_INVALID_FIELD/, 'the unbroken cell loads');
  for (const [size, why] of [['-0x1000', '-4096 (-0x1000) is negative'], ['2 ** 70', 'is past 2^53']] as const) {
    const { dir, file } = project(['cells: [],', cell(size)]);
    const result = await cells(dir, 'check');
    refused(t, result, file, `cells[0].memory[1].size: `, WHOLE_PAGES);
    t.true(result.stderr.includes(why), result.stderr);
    t.notRegex(result.stderr, /LOADABLE|overlap/);
  }
});

test('5. the fix says how: a bigint, a | over bit 31, an unaligned RAM region, an unknown device flag', async (t) => {
  const cases: [string, string, string, RegExp][] = [
    ['size: 0x3fc00000', 'size: 0x3fc00000n', 'system.rootCell.memory[0].size: expected a number, got 1069547520n (a bigint)', /no n suffix/],
    ['flags: 0, hypervisorMemory', 'flags: 0x80000000 | 1, hypervisorMemory', 'system.flags: -2147483647', />>> 0/],
    ['size: 0x3fc00000', 'size: 0x3fc00800', 'system.rootCell.memory[0].size: 1069549568 (0x3fc00800) is not a multiple of 0x1000', WHOLE_PAGES],
    ['cpus: 2,', 'cpus: 2, board: { cellRam: [], sharedMemory: [], devices: { uart: { mmio: [{ phys: 0x09000000, size: 0x1000, flags: "IO_9" }] } } },',
      'board.devices.uart.mmio[0].flags: unknown memory flag "IO_9"', /hint: name memory flags/],
  ];
  for (const [from, to, field, fix] of cases) {
    const { dir, file } = project([from, to]);
    refused(t, await cells(dir, 'check'), file, field, fix);
  }
});
