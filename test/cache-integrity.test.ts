/**
 * Local cache entries are verified before use: a changed, added or removed file under out/, a
 * broken manifest.json or a missing record is reported, the entry dropped and its task run again,
 * by the full plan, by the no-op fast path and in `explain`; a touched but unchanged file is not.
 */
import test from 'ava';
import { chmodSync, existsSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonEvents, ranTasks, runCli } from './helpers/cli.ts';
import { tempDir, writeLoggingRecipe, writeTestMachine } from './helpers/fixture.ts';

interface Ev { event: string; task?: string; message?: string }

/** hello installs greeting and sub/data, and deploys a copy of greeting. */
function fixture() {
  const root = tempDir('jhbuild-integrity-');
  writeTestMachine(root);
  writeLoggingRecipe(root, 'hello', join(root, 'tasks.log'), { extra: {
    install: "const fs = await import('node:fs'); fs.writeFileSync(ctx.dirs.dest + '/greeting', 'hello\\n'); fs.mkdirSync(ctx.dirs.dest + '/sub'); fs.writeFileSync(ctx.dirs.dest + '/sub/data', 'data\\n');",
    deploy: "const fs = await import('node:fs'); fs.copyFileSync(ctx.dirs.dest + '/greeting', ctx.dirs.deploy + '/greeting');",
  } });
  const args = (...more: string[]) => ['--project', root, '--machine', 'test', '--json', ...more];
  const build = async (...more: string[]) => {
    const r = await runCli(['build', 'hello', ...args(...more)]);
    return { ...r, ran: ranTasks(r.stdout), warnings: (jsonEvents(r.stdout) as unknown as Ev[]).filter((e) => e.event === 'cache:warn') };
  };
  const explain = async (task: string, ...more: string[]) => {
    const r = await runCli(['explain', task, ...args(...more)]);
    if (r.code !== 0) throw new Error(`explain ${task} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as { entry: string; runs: boolean; reason: string | null; problems: string[] };
  };
  /** A first, complete build; the entry of `task`. */
  const built = async (task = 'hello:deploy') => {
    const first = await build();
    if (first.code !== 0) throw new Error(`the first build failed: ${first.stderr}`);
    return (await explain(task)).entry;
  };
  return { root, args, build, explain, built };
}

const deployed = (root: string) => readFileSync(join(root, 'build/deploy/test/hello/greeting'), 'utf8');

test('an out/ file overwritten with other bytes of the same size is named, its entry dropped and its task run again', async (t) => {
  const f = fixture();
  const entry = await f.built();
  writeFileSync(join(entry, 'out/greeting'), 'HELLO\n');
  rmSync(join(f.root, 'build/plans'), { recursive: true }); // the full plan, not the no-op fast path
  const again = await f.build();
  t.is(again.code, 0, again.stderr);
  t.deepEqual(again.ran, ['hello:deploy']);
  t.is(again.warnings.length, 1);
  t.is(again.warnings[0]!.task, 'hello:deploy');
  t.true(again.warnings[0]!.message!.includes(`at ${entry} is corrupt: out/greeting: sha256 differs; dropped it`), again.warnings[0]!.message);
  t.is(deployed(f.root), 'hello\n', 'the image is made from the rebuilt result, not the garbage');
});

test('"{" written into manifest.json: the entry is corrupt and its task runs again', async (t) => {
  const f = fixture();
  const entry = await f.built();
  writeFileSync(join(entry, 'manifest.json'), '{');
  const again = await f.build();
  t.is(again.code, 0, again.stderr);
  t.deepEqual(again.ran, ['hello:deploy']);
  t.regex(again.warnings[0]?.message ?? '', /is corrupt: manifest\.json is not JSON; dropped it/);
});

test('an entry without its record (files.json) is unverifiable: reported as such and rebuilt', async (t) => {
  const f = fixture();
  const entry = await f.built();
  rmSync(join(entry, 'files.json'));
  const again = await f.build();
  t.is(again.code, 0, again.stderr);
  t.deepEqual(again.ran, ['hello:deploy']);
  t.regex(again.warnings[0]?.message ?? '', /is unverifiable: files\.json is missing \(written by an older jhbuild, or removed\)/);
  t.true(existsSync(join(entry, 'files.json')), 'the rebuilt entry has its record again');
});

test('a truncated record, an added file, a changed mode and a file turned into a symlink are each named', async (t) => {
  const f = fixture();
  const deploy = await f.built();
  const install = (await f.explain('hello:install')).entry;
  const record = readFileSync(join(deploy, 'files.json'), 'utf8');
  writeFileSync(join(deploy, 'files.json'), record.slice(0, record.length / 2));
  writeFileSync(join(install, 'out/extra'), 'x\n');
  chmodSync(join(install, 'out/greeting'), 0o755);
  rmSync(join(install, 'out/sub/data'));
  symlinkSync('../greeting', join(install, 'out/sub/data'));
  const again = await f.build();
  t.is(again.code, 0, again.stderr);
  t.deepEqual(again.ran, ['hello:deploy', 'hello:install']);
  const byTask = Object.fromEntries(again.warnings.map((w) => [w.task, w.message!]));
  t.regex(byTask['hello:deploy'] ?? '', /is corrupt: files\.json is truncated or not a jhbuild file record/);
  t.regex(byTask['hello:install'] ?? '', /is corrupt: out\/extra: added; out\/greeting: mode differs \(755, recorded [0-7]+\); out\/sub\/data: was a file, is a symlink; dropped it/);
});

test('a touched file with the same content is still cached: nothing runs, nothing is reported, its stat is recorded again', async (t) => {
  const f = fixture();
  const entry = await f.built();
  const file = join(entry, 'out/greeting');
  const past = new Date('2020-01-02T03:04:05Z');
  utimesSync(file, past, past);
  for (const round of [1, 2]) {
    const again = await f.build();
    t.is(again.code, 0, again.stderr);
    t.deepEqual(again.ran, [], `round ${round}`);
    t.deepEqual(again.warnings, [], `round ${round}`);
  }
  const recorded = (JSON.parse(readFileSync(join(entry, 'files.json'), 'utf8')) as { files: { path: string; mtimeMs: number }[] }).files;
  t.is(recorded.find((i) => i.path === 'out/greeting')?.mtimeMs, past.getTime());
  t.false((await f.explain('hello:deploy')).runs);
});

test('explain says a corrupt entry is corrupt and what differs, and leaves it alone', async (t) => {
  const f = fixture();
  const entry = await f.built();
  writeFileSync(join(entry, 'out/greeting'), 'garbage that is longer\n');
  const text = await runCli(['explain', 'hello:deploy', ...f.args().filter((a) => a !== '--json')]);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /^hello:deploy: would run \(cached result corrupt\)/);
  t.true(text.stdout.includes(`cache entry ${entry}: out/greeting: size differs (23 bytes, recorded 6)`), text.stdout);
  const json = await f.explain('hello:deploy');
  t.deepEqual([json.runs, json.reason, json.problems], [true, 'cached result corrupt', ['out/greeting: size differs (23 bytes, recorded 6)']]);
  t.true(existsSync(join(entry, 'out/greeting')), 'explain drops nothing');
});

test('the no-op fast path checks entries too: after a complete no-op build, a corrupt out/ file makes the next build run its task', async (t) => {
  const f = fixture();
  const entry = await f.built();
  const noop = await f.build(); // answered by the fast path, which saves the stat of every entry it verified
  t.deepEqual([noop.code, noop.ran], [0, []]);
  writeFileSync(join(entry, 'out/greeting'), 'HELLO\n');
  const again = await f.build();
  t.is(again.code, 0, again.stderr);
  t.deepEqual(again.ran, ['hello:deploy']);
  t.regex(again.warnings[0]?.message ?? '', /out\/greeting: sha256 differs/);
  t.is(deployed(f.root), 'hello\n');
  const after = await f.build();
  t.deepEqual([after.ran, after.warnings], [[], []], 'and then it is a no-op again');
});

test('an entry restored from a remote cache gets its own record, and is checked like a built one', async (t) => {
  const f = fixture();
  const shared = tempDir('jhbuild-integrity-shared-');
  t.is((await f.build('--build-dir', join(f.root, 'A'), '--cache', shared, '--cache-mode', 'readwrite')).code, 0);
  const b = await f.build('--build-dir', join(f.root, 'B'), '--cache', shared);
  t.is(b.code, 0, b.stderr);
  t.deepEqual(b.ran, []);
  const { entry, runs } = await f.explain('hello:deploy', '--build-dir', join(f.root, 'B'));
  t.false(runs);
  const record = JSON.parse(readFileSync(join(entry, 'files.json'), 'utf8')) as { files: { path: string; sha256?: string }[] };
  t.deepEqual(record.files.map((i) => i.path), ['manifest.json', 'out', 'out/greeting']);
  t.is(record.files.find((i) => i.path === 'out/greeting')?.sha256, '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03');
  writeFileSync(join(entry, 'out/greeting'), 'HELLO\n');
  const again = await f.build('--build-dir', join(f.root, 'B'));
  t.is(again.code, 0, again.stderr);
  t.true(again.ran.includes('hello:deploy'));
  t.regex(again.warnings[0]?.message ?? '', /hello:deploy at .* is corrupt: out\/greeting: sha256 differs/);
});
