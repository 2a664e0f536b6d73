/** Crash safety and the build-folder lock, with a real jhbuild process killed by SIGKILL. */
import test from 'ava';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { jsonEvents, runCli, startCli } from './helpers/cli.ts';
import { tempDir, write, writeLoggingRecipe, writeTestMachine } from './helpers/fixture.ts';

function cacheEntries(root: string): string[] {
  const cache = join(root, 'build/cache');
  return readdirSync(cache).flatMap((d) => (d.length === 2 ? readdirSync(join(cache, d)).map((s) => join(cache, d, s)) : [join(cache, d)]));
}

test('kill -9 in the middle of a task, then a rerun completes with no partial cache entry; a second jhbuild stops at once', async (t) => {
  const root = tempDir();
  const slow = join(root, 'slow');
  write(root, 'slow', '');
  writeTestMachine(root);
  writeLoggingRecipe(root, 'big', join(root, 'tasks.log'), {
    extra: { install: `await ctx.exec('sh', ['-c', 'echo part1 > "$0/a"; if [ -f ${slow} ]; then sleep 60; fi; echo part2 > "$0/b"', ctx.dirs.dest]);` },
  });
  const child = startCli(['build', 'big', '--project', root, '--machine', 'test', '--json']);
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => child.on('close', resolve));
  const deadline = Date.now() + 30_000;
  while (!out.includes('"task":"big:install"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.true(out.includes('"event":"task:start","task":"big:install"'), 'install started');
  await new Promise((r) => setTimeout(r, 300));

  const started = Date.now();
  const second = await runCli(['build', 'big', '--project', root, '--machine', 'test']);
  t.is(second.code, 2);
  t.regex(second.stderr, new RegExp(`E_BUILD_LOCKED: .* in use by jhbuild pid ${child.pid}`));
  t.true(Date.now() - started < 10_000, 'the second stops at once instead of waiting');

  child.kill('SIGKILL');
  await exited;
  t.true(cacheEntries(root).some((e) => e.includes('.tmp-')), 'the killed build left its temp entry behind');

  rmSync(slow);
  const rerun = await runCli(['build', 'big', '--project', root, '--machine', 'test', '--json']);
  t.is(rerun.code, 0, rerun.stderr);
  t.deepEqual(jsonEvents(rerun.stdout).filter((e) => e.event === 'task:done' && !e.cached).map((e) => e.task), ['big:install', 'big:deploy']);
  const entries = cacheEntries(root);
  t.false(entries.some((e) => e.includes('.tmp-')), 'no temp entry survives');
  t.true(entries.every((e) => existsSync(join(e, 'manifest.json'))), 'every entry is complete');
  const installed = entries.filter((e) => existsSync(join(e, 'out/a')));
  t.is(installed.length, 1);
  t.is(readFileSync(join(installed[0]!, 'out/b'), 'utf8'), 'part2\n');
  t.false(existsSync(join(root, 'build/lock')), 'the lock is released');
});

test('a layer overrides a core recipe\'s version and a template, and show names the layer', async (t) => {
  const root = tempDir();
  const log = join(root, 'tasks.log');
  writeTestMachine(root);
  write(root, 'templates/greeting.txt.hbs', 'core says {{who}}\n');
  writeLoggingRecipe(root, 'hello', log, { templates: ['greeting.txt.hbs'],
    extra: { install: "const fs = await import('node:fs'); fs.writeFileSync(ctx.dirs.dest + '/greeting', ctx.render('greeting.txt.hbs', { who: ctx.recipe.version }));" } });
  const before = await runCli(['build', 'hello', '--project', root, '--machine', 'test', '--json']);
  t.is(before.code, 0, before.stderr);

  write(root, 'layers/site/layer.ts', `import { defineLayer } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)};\nexport default defineLayer({ name: 'site', priority: 10 });\n`);
  write(root, 'layers/site/templates/greeting.txt.hbs', 'site layer says {{who}}\n');
  const core = readFileSync(join(root, 'recipes/hello/hello.recipe.ts'), 'utf8');
  write(root, 'layers/site/recipes/hello/hello.recipe.ts', core.replace("version: \"1.0\"", "version: \"2.0\""));

  const show = await runCli(['show', 'recipe', 'hello', '--project', root]);
  t.is(show.code, 0, show.stderr);
  t.regex(show.stdout, /version: "2\.0"\s+# from layers\/site\/recipes\/hello\/hello\.recipe\.ts/);
  t.regex(show.stdout, /templates: \{"greeting\.txt\.hbs":"layers\/site\/templates\/greeting\.txt\.hbs"\}/);
  const template = await runCli(['show', 'template', 'greeting.txt.hbs', '--project', root]);
  t.regex(template.stdout, /layers\/site\/templates\/greeting\.txt\.hbs\s+\(overrides templates\/greeting\.txt\.hbs\)/);
  const layers = await runCli(['show', 'layers', '--project', root]);
  t.regex(layers.stdout, /0\tcore\t\.\n10\tsite\tlayers\/site/);

  const after = await runCli(['build', 'hello', '--project', root, '--machine', 'test', '--json']);
  t.is(after.code, 0, after.stderr);
  const out = cacheEntries(root).map((e) => join(e, 'out/greeting')).filter((p) => existsSync(p)).map((p) => readFileSync(p, 'utf8')).sort();
  t.deepEqual(out, ['core says 1.0\n', 'site layer says 2.0\n']);
});
