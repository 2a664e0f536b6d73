/**
 * The build-folder lock read back unchecked no more: an empty or garbage lock is not taken as
 * stale while it may still be a holder's, and many processes racing for a dead holder's lock let
 * exactly one in.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './helpers/cli.ts';
import { tempDir, writeLoggingRecipe, writeTestMachine } from './helpers/fixture.ts';

const lockUrl = new URL('../src/engine/lock.ts', import.meta.url).href;

function project(): string {
  const root = tempDir();
  writeTestMachine(root);
  writeLoggingRecipe(root, 'hello', join(root, 'tasks.log'));
  mkdirSync(join(root, 'build'), { recursive: true });
  return root;
}

for (const [what, text] of [['an empty', ''], ['a garbage', '{'], ['a pid-less', '{"command":"build"}']] as const) {
  test(`${what} lock just written refuses a second build; once old it is taken over`, async (t) => {
    const root = project();
    const lock = join(root, 'build/lock');
    writeFileSync(lock, text);
    const refused = await runCli(['build', 'hello', '--project', root, '--machine', 'test']);
    t.is(refused.code, 2, refused.stderr);
    t.regex(refused.stderr, /E_BUILD_LOCKED: the lock .*lock does not name a holder/);
    t.regex(refused.stderr, /hint: another jhbuild may be starting/);
    t.is(readFileSync(lock, 'utf8'), text, 'the lock is left as it was');

    const old = (Date.now() - 60_000) / 1000;
    utimesSync(lock, old, old);
    const taken = await runCli(['build', 'hello', '--project', root, '--machine', 'test']);
    t.is(taken.code, 0, taken.stderr);
    t.false(existsSync(lock), 'released after the build');
  });
}

test('eight processes racing for a dead holder\'s lock: exactly one gets it', async (t) => {
  const dir = tempDir();
  // A holder that died: a pid that is certainly not running (beyond pid_max).
  writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: 2 ** 30, command: 'build', since: '2026-01-01T00:00:00Z' }));
  const script = `import { acquireBuildLock } from ${JSON.stringify(lockUrl)};
await new Promise((r) => setTimeout(r, 200 - Date.now() % 200));
try { const l = acquireBuildLock(${JSON.stringify(dir)}, 'race'); console.log('got'); setTimeout(() => l.release(), 1500); }
catch (e) { console.log(e.code); }`;
  const runs = await Promise.all(Array.from({ length: 8 }, () => new Promise<string>((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('close', () => resolve(out.trim()));
  })));
  t.is(runs.filter((r) => r === 'got').length, 1, runs.join(', '));
  t.true(runs.filter((r) => r !== 'got').every((r) => r === 'E_BUILD_LOCKED'), runs.join(', '));
});

test('one program building twice at once into one folder: the second build is refused, not let in', async (t) => {
  const { acquireBuildLock } = await import(lockUrl);
  const dir = tempDir();
  const first = acquireBuildLock(dir, 'first');
  const error = t.throws(() => acquireBuildLock(dir, 'second'));
  t.regex(error!.message, new RegExp(`in use by jhbuild pid ${process.pid} \\(first`));
  first.release();
  t.notThrows(() => acquireBuildLock(dir, 'third').release());
  // The same pid from before this process started (a reused pid) is a dead holder.
  writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: process.pid, command: 'build', since: '2020-01-01T00:00:00Z' }));
  t.notThrows(() => acquireBuildLock(dir, 'fourth').release());
});
