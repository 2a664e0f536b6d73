/**
 * Hash equivalence: a change to a recipe's inputs that leaves its result byte-identical (a comment
 * in a patch's header) reruns that recipe up to its result, and nothing after it; explain says why.
 */
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonEvents, runCli } from './helpers/cli.ts';
import { indexUrl } from './helpers/cli.ts';
import { tempDir, write, writeTestMachine } from './helpers/fixture.ts';

const PATCH = (subject: string) => `From: jhbuild test
Subject: ${subject}

diff --git a/lib.c b/lib.c
--- a/lib.c
+++ b/lib.c
@@ -1 +1 @@
-int answer(void) { return 41; }
+int answer(void) { return 42; }
`;

function project(): string {
  const root = tempDir('jhbuild-equiv-');
  writeTestMachine(root);
  write(root, 'recipes/lib/tree/lib.c', 'int answer(void) { return 41; }\n');
  write(root, 'recipes/lib/patches/0001-answer.patch', PATCH('the right answer'));
  write(root, 'recipes/lib/lib.recipe.ts', `import { defineRecipe, local } from ${JSON.stringify(indexUrl)};
export default defineRecipe({
  name: 'lib', version: '1', license: 'MIT', source: local('tree'), patches: ['patches/0001-answer.patch'], tools: ['cc'],
  tasks: {
    compile: async (ctx) => { await ctx.exec('cc', ['-c', ctx.dirs.src + '/lib.c', '-o', 'lib.o']); },
    install: async (ctx) => { await ctx.exec('cp', ['lib.o', ctx.dirs.dest + '/lib.o']); },
  },
});
`);
  write(root, 'recipes/app/files/main.c', 'int answer(void);\nint main(void) { return answer() == 42 ? 0 : 1; }\n');
  write(root, 'recipes/app/app.recipe.ts', `import { defineRecipe } from ${JSON.stringify(indexUrl)};
export default defineRecipe({
  name: 'app', version: '1', license: 'MIT', files: ['files/main.c'], tools: ['cc'], depends: ['lib'],
  tasks: {
    compile: async (ctx) => { await ctx.exec('cc', [ctx.file('files/main.c'), ctx.deps.lib.dest + '/lib.o', '-o', 'app']); },
    install: async (ctx) => { await ctx.exec('cp', ['app', ctx.dirs.dest + '/app']); },
    deploy: async (ctx) => { await ctx.exec('cp', [ctx.dirs.dest + '/app', ctx.dirs.deploy + '/app']); },
  },
});
`);
  return root;
}

const started = (stdout: string) => (jsonEvents(stdout) as unknown as { event: string; task: string }[]).filter((e) => e.event === 'task:start').map((e) => e.task);

test('a comment-only change to a patch reruns its recipe up to the result, and nothing after it', async (t) => {
  const root = project();
  const args = ['--project', root, '--machine', 'test', '--json'];
  const first = await runCli(['build', 'app', ...args]);
  t.is(first.code, 0, first.stderr);
  const deployed = readFileSync(join(root, 'build', 'deploy', 'test', 'app', 'app'));

  const patch = join(root, 'recipes/lib/patches/0001-answer.patch');
  writeFileSync(patch, PATCH('the right answer, said more clearly'));
  const second = await runCli(['build', 'app', ...args]);
  t.is(second.code, 0, second.stderr);
  t.deepEqual(started(second.stdout), ['lib:patch', 'lib:configure', 'lib:compile', 'lib:install']);
  const equivalent = (jsonEvents(second.stdout) as unknown as { event: string; task: string; from?: string }[]).filter((e) => e.from === 'equivalent').map((e) => e.task);
  t.deepEqual(equivalent, ['app:configure', 'app:compile', 'app:install', 'app:deploy']);
  t.true(readFileSync(join(root, 'build', 'deploy', 'test', 'app', 'app')).equals(deployed));

  const explain = await runCli(['explain', 'app:configure', '--project', root, '--machine', 'test']);
  t.regex(explain.stdout, /up to date \(cached\)/);
  t.regex(explain.stdout, /lib:install changed \([0-9a-f]{12}\) but made the same bytes as before \([0-9a-f]{12}\): hash equivalence keeps this task's signature/);
  // And the next build knows it from the start: nothing runs.
  const third = await runCli(['build', 'app', ...args]);
  t.deepEqual(started(third.stdout), []);

  // A change that does alter the result still reaches the dependents.
  writeFileSync(patch, PATCH('another answer').replace('return 42', 'return 43'));
  const fourth = await runCli(['build', 'app', ...args]);
  t.is(fourth.code, 0, fourth.stderr);
  t.deepEqual(started(fourth.stdout), ['lib:patch', 'lib:configure', 'lib:compile', 'lib:install', 'app:configure', 'app:compile', 'app:install', 'app:deploy']);
});

test('a machine value a later step reads reruns that step even when the earlier steps made the same bytes', async (t) => {
  // The image recipes write the root cmdline in deploy; configure hashes the machine, install makes nothing new.
  const root = tempDir('jhbuild-equiv-machine-');
  writeTestMachine(root);
  write(root, 'recipes/note/note.recipe.ts', `import { defineRecipe } from ${JSON.stringify(indexUrl)};
import { writeFileSync } from 'node:fs';
export default defineRecipe({
  name: 'note', version: '1', license: 'MIT', machineKeys: ['rootConsole'],
  tasks: {
    install: async (ctx) => { writeFileSync(ctx.dirs.dest + '/same', 'same bytes\\n'); },
    deploy: async (ctx) => { writeFileSync(ctx.dirs.deploy + '/console', ctx.machine.rootConsole.join(' ') + '\\n'); },
  },
});
`);
  const args = ['--project', root, '--machine', 'test', '--json'];
  t.is((await runCli(['build', 'note', ...args])).code, 0);
  const machineFile = join(root, 'machines/test.machine.ts');
  writeFileSync(machineFile, readFileSync(machineFile, 'utf8').replace("rootConsole: ['console=ttyAMA0']", "rootConsole: ['console=ttyS0']"));
  const second = await runCli(['build', 'note', ...args]);
  t.is(second.code, 0, second.stderr);
  t.true(started(second.stdout).includes('note:deploy'), second.stdout);
  t.is(readFileSync(join(root, 'build/deploy/test/note/console'), 'utf8'), 'console=ttyS0\n');
});

test('what a task reads of a need (its signature, its output hash) is what its own signature was made from: a cached result and one made again agree', async (t) => {
  // The image recipes name their parts' signatures in manifest.json and derive disk ids from them.
  const root = project();
  write(root, 'recipes/stamp/stamp.recipe.ts', `import { defineRecipe } from ${JSON.stringify(indexUrl)};
import { writeFileSync } from 'node:fs';
export default defineRecipe({
  name: 'stamp', version: '1', license: 'MIT', depends: [{ recipe: 'lib', task: 'install', for: 'deploy' }],
  tasks: {
    deploy: async (ctx) => { writeFileSync(ctx.dirs.deploy + '/stamp', ctx.deps.lib.signatures.install + ' ' + ctx.deps.lib.outputHash('install') + '\\n'); },
  },
});
`);
  const args = ['--project', root, '--machine', 'test', '--json'];
  t.is((await runCli(['build', 'stamp', ...args])).code, 0);
  const stamp = join(root, 'build/deploy/test/stamp/stamp');
  const first = readFileSync(stamp, 'utf8');
  t.regex(first, /^[0-9a-f]{64} [0-9a-f]{64}\n$/);

  writeFileSync(join(root, 'recipes/lib/patches/0001-answer.patch'), PATCH('the right answer, said more clearly'));
  const second = await runCli(['build', 'stamp', ...args]);
  t.is(second.code, 0, second.stderr);
  t.false(started(second.stdout).includes('stamp:deploy'), 'stamp is taken from the equivalent earlier build');
  t.is(readFileSync(stamp, 'utf8'), first);

  t.is((await runCli(['clean', 'stamp', '--project', root, '--machine', 'test'])).code, 0);
  const again = await runCli(['build', 'stamp', ...args]);
  t.true(started(again.stdout).includes('stamp:deploy'), again.stdout);
  t.is(readFileSync(stamp, 'utf8'), first, 'made again under the same signature, it reads the same of lib');
});
