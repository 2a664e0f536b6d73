/** The build engine on a fixture project of four recipes, through the real CLI and real processes. */
import test from 'ava';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonEvents, ranTasks, runCli } from './helpers/cli.ts';
import { tempDir, write, writeLoggingRecipe, writeTestMachine } from './helpers/fixture.ts';

const PATCH_V1 = `--- a/hello.txt
+++ b/hello.txt
@@ -1 +1 @@
-hello
+hello, patched
`;
const PATCH_V2 = `--- a/hello.txt
+++ b/hello.txt
@@ -1 +1 @@
-hello
+hello, patched again
`;

function fixture() {
  const root = tempDir();
  const log = join(root, 'tasks.log');
  writeTestMachine(root);
  write(root, 'recipes/app/tree/hello.txt', 'hello\n');
  write(root, 'recipes/app/patches/fix.patch', PATCH_V1);
  writeLoggingRecipe(root, 'base', log);
  writeLoggingRecipe(root, 'app', log, {
    depends: ['base'], patches: ['patches/fix.patch'], source: "local('tree')",
    extra: { unpack: 'await ctx.unpackSource();', patch: 'await ctx.applyPatches();', install: "await ctx.exec('cp', [ctx.dirs.src + '/hello.txt', ctx.dirs.dest]);" },
  });
  writeLoggingRecipe(root, 'lib', log, { depends: ['app'] });
  writeLoggingRecipe(root, 'top', log, { depends: ['app', 'lib'],
    extra: { install: "await ctx.exec('cp', [ctx.deps.app.dest + '/hello.txt', ctx.dirs.dest + '/from-app.txt']);" } });
  const args = (...more: string[]) => ['--project', root, '--machine', 'test', '--json', ...more];
  const logged = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).sort() : []);
  return { root, log, args, logged, reset: () => writeFileSync(log, '') };
}

const all = (names: string[], steps: string[]) => names.flatMap((n) => steps.map((s) => `${n}:${s}`)).sort();
const STEPS = ['fetch', 'unpack', 'patch', 'configure', 'compile', 'install', 'deploy'];
// Building `top` runs its dependencies' steps up to the install it needs, not their deploy.
const FIRST = [...all(['base', 'app', 'lib'], STEPS.slice(0, 6)), ...all(['top'], STEPS)].sort();

test('first build runs every task once, a second runs none, a patch edit reruns exactly what depends on it', async (t) => {
  const f = fixture();
  const first = await runCli(['build', 'top', ...f.args()]);
  t.is(first.code, 0, first.stderr);
  t.deepEqual(f.logged(), FIRST);
  t.deepEqual(ranTasks(first.stdout), FIRST);
  t.deepEqual(jsonEvents(first.stdout).at(-1), { event: 'build:done', ran: 25, cached: 0, failed: 0 });
  t.is(readFileSync(join(f.root, 'build/work/test/app/src/hello.txt'), 'utf8'), 'hello, patched\n');
  const outputs = readdirSync(join(f.root, 'build/cache')).filter((d) => d.length === 2)
    .flatMap((shard) => readdirSync(join(f.root, 'build/cache', shard)).map((sig) => join(f.root, 'build/cache', shard, sig, 'out/from-app.txt')))
    .filter((p) => existsSync(p));
  t.deepEqual(outputs.map((p) => readFileSync(p, 'utf8')), ['hello, patched\n'], "top's install read app's installed output");

  f.reset();
  const second = await runCli(['build', 'top', ...f.args()]);
  t.is(second.code, 0, second.stderr);
  t.deepEqual(f.logged(), [], 'a no-op build starts no task process');
  const events = jsonEvents(second.stdout);
  t.true(events.filter((e) => e.event === 'task:done').every((e) => e.cached === true));
  t.deepEqual(events.at(-1), { event: 'build:done', ran: 0, cached: 25, failed: 0 });

  write(f.root, 'recipes/app/patches/fix.patch', PATCH_V2);
  const explain = await runCli(['explain', 'app:patch', '--project', f.root, '--machine', 'test']);
  t.is(explain.code, 0, explain.stderr);
  t.regex(explain.stdout, /would run/);
  t.regex(explain.stdout, /files\/patches\/fix\.patch changed/);

  f.reset();
  const third = await runCli(['build', 'top', ...f.args()]);
  t.is(third.code, 0, third.stderr);
  const expected = [...all(['app'], STEPS.slice(2, 6)), ...all(['lib'], STEPS.slice(3, 6)), ...all(['top'], STEPS.slice(3))].sort();
  t.deepEqual(ranTasks(third.stdout), expected);
  t.deepEqual(f.logged(), expected);
  t.is(readFileSync(join(f.root, 'build/work/test/app/src/hello.txt'), 'utf8'), 'hello, patched again\n');
  const deployed = await runCli(['build', 'top', ...f.args()]);
  t.deepEqual(ranTasks(deployed.stdout), []);
});

test('a failing task exits non-zero and prints its log path and tail', async (t) => {
  const f = fixture();
  writeLoggingRecipe(f.root, 'lib', f.log, { depends: ['app'], extra: { compile: "await ctx.exec('sh', ['-c', 'echo compiler says no; echo line two >&2; exit 3']);" } });
  const result = await runCli(['build', 'top', '--project', f.root, '--machine', 'test']);
  t.is(result.code, 2);
  t.regex(result.stderr, /lib:compile failed: sh exited with 3/);
  t.regex(result.stderr, /log: .*work\/test\/lib\/log\/compile\.log/);
  t.regex(result.stderr, /\| compiler says no/);
  t.regex(result.stderr, /\| line two/);
  t.false(f.logged().includes('top:configure'), 'dependents of a failed task do not run');
  const json = await runCli(['build', 'top', ...f.args()]);
  const fail = jsonEvents(json.stdout).find((e) => e.event === 'task:fail');
  t.is(fail?.task, 'lib:compile');
  t.deepEqual(jsonEvents(json.stdout).at(-1), { event: 'build:done', ran: 1, cached: 19, failed: 1 });
});

test('a dependency cycle is reported with its path', async (t) => {
  const f = fixture();
  writeLoggingRecipe(f.root, 'base', f.log, { depends: ['top'] });
  const result = await runCli(['graph', 'top', '--project', f.root, '--machine', 'test']);
  t.is(result.code, 2);
  t.regex(result.stderr, /E_GRAPH_CYCLE/);
  t.regex(result.stderr, /(\w+:\w+ -> )+\w+:\w+/);
});

test('bad recipe input names the file, the field and the fix', async (t) => {
  const f = fixture();
  write(f.root, 'recipes/bad/bad.recipe.ts', `export default { name: 'bad', version: 1, tasks: {} };\n`);
  const result = await runCli(['build', 'bad', '--project', f.root, '--machine', 'test']);
  t.is(result.code, 2);
  t.regex(result.stderr, /E_INVALID_FIELD: version: expected a non-empty string, got 1/);
  t.regex(result.stderr, /in .*recipes\/bad\/bad\.recipe\.ts/);
  t.regex(result.stderr, /hint:/);
});

test('a module a recipe imports is part of its code: editing it reruns that recipe, and explain names it', async (t) => {
  const f = fixture();
  write(f.root, 'recipes/lib/greeting.ts', "export const greeting = 'hello';\n");
  const recipe = join(f.root, 'recipes/lib/lib.recipe.ts');
  writeFileSync(recipe, `import { greeting } from './greeting.ts';\n${readFileSync(recipe, 'utf8')}`.replace("configure: async (ctx) => {", 'configure: async (ctx) => { void greeting;'));
  t.is((await runCli(['build', 'top', ...f.args()])).code, 0);
  write(f.root, 'recipes/lib/greeting.ts', "export const greeting = 'hi';\n");
  const explain = await runCli(['explain', 'lib:configure', '--project', f.root, '--machine', 'test']);
  t.regex(explain.stdout, /code\/module:recipes\/lib\/greeting\.ts changed/);
  const again = await runCli(['build', 'top', ...f.args()]);
  // lib's result is byte-identical to before (the edit changed nothing it makes): by hash equivalence top does not rerun.
  t.deepEqual(ranTasks(again.stdout), all(['lib'], STEPS.slice(3, 6)).sort());
});

test('a step reports what it is doing from its process\'s output as it comes (task:progress), and the output still reaches the log', async (t) => {
  const root = tempDir();
  writeTestMachine(root);
  writeLoggingRecipe(root, 'long', join(root, 'tasks.log'), {
    extra: { compile: "await ctx.exec('sh', ['-c', 'echo \">>> one 1.0 Building\"; echo noise; echo \">>> two 2.0 Installing\"'], { onLine: (line) => { if (line.startsWith('>>> ')) ctx.progress(line.slice(4)); } });" },
  });
  const run = await runCli(['build', 'long', '--project', root, '--machine', 'test', '--json', '--build-dir', join(root, 'build')]);
  t.is(run.code, 0, run.stderr);
  const progress = jsonEvents(run.stdout).filter((e) => e.event === 'task:progress') as unknown as { task: string; message: string }[];
  t.deepEqual(progress.map((e) => [e.task, e.message]), [['long:compile', 'one 1.0 Building'], ['long:compile', 'two 2.0 Installing']]);
  t.regex(readFileSync(join(root, 'build/work/test/long/log/compile.log'), 'utf8'), />>> one 1\.0 Building\nnoise\n>>> two 2\.0 Installing/);
});
