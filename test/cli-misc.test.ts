/** doctor names the Debian package of what is missing; clean forgets a recipe's results; --help and --version. */
import test from 'ava';
import { mkdirSync, symlinkSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { whichSync } from '../src/exec/which.ts';
import { jsonEvents, runCli } from './helpers/cli.ts';
import { tempDir, writeLoggingRecipe, writeTestMachine } from './helpers/fixture.ts';

test('doctor reports each failed check with the Debian packages that fix it', async (t) => {
  // A PATH with git and make only: everything else the machine needs is missing.
  const bin = join(tempDir(), 'bin');
  mkdirSync(bin);
  for (const tool of ['git', 'make']) symlinkSync(whichSync(tool)!, join(bin, tool));
  const result = await runCli(['doctor', '--machine', 'qemu-arm64', '--json'], { env: { PATH: `${bin}:${dirname(process.execPath)}` } });
  t.is(result.code, 2);
  const events = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; what: string; ok: boolean; packages?: string[]; missing?: { what: string; packages: string[] }[] });
  const packages = Object.fromEntries(events.at(-1)!.missing!.map((m) => [m.what.split(' ')[0], m.packages]));
  t.deepEqual(packages['aarch64-linux-gnu-gcc'], ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross'], 'the compiler and its C library, never left to Recommends');
  t.deepEqual(packages['qemu-system-aarch64'], ['qemu-system-arm']);
  t.deepEqual(packages.dtc, ['device-tree-compiler']);
  t.false('git' in packages);
  t.true(events.some((e) => e.event === 'doctor:check' && e.what === 'git' && e.ok));
  t.regex(result.stderr, /jhbuild doctor --install/);
});

test('clean drops a recipe\'s work folder and cached results, so it builds again', async (t) => {
  const root = tempDir();
  writeTestMachine(root);
  writeLoggingRecipe(root, 'one', join(root, 'log'));
  const args = ['--project', root, '--machine', 'test', '--json'];
  t.is((await runCli(['build', 'one', ...args])).code, 0);
  const clean = await runCli(['clean', 'one', '--project', root, '--machine', 'test']);
  t.is(clean.code, 0, clean.stderr);
  t.regex(clean.stdout, /cleaned one: 7 cached results removed/);
  t.false(existsSync(join(root, 'build/work/test/one')));
  const again = await runCli(['build', 'one', ...args]);
  t.deepEqual(jsonEvents(again.stdout).at(-1), { event: 'build:done', ran: 7, cached: 0, failed: 0 });
});

test('--help on every command, --version, and a usage error exits 2', async (t) => {
  for (const command of ['build', 'image', 'run', 'fetch', 'graph', 'show', 'explain', 'clean', 'doctor', 'cells', 'cmdline']) {
    const help = await runCli([command, '--help']);
    t.is(help.code, 0, command);
    t.regex(help.stdout, new RegExp(`^jhbuild ${command} — `), command);
  }
  t.regex((await runCli(['--version'])).stdout, /^jhbuild \d+\.\d+\.\d+/);
  const bad = await runCli(['build', '--no-such-flag']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /E_USAGE/);
});
