/** The library call the CLI uses: a build, a no-op and a dry run from a program, no CLI process involved. */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, loadMachine, loadProject, type BuildEvent } from '../src/index.ts';
import { tempDir, writeLoggingRecipe, writeTestMachine } from './helpers/fixture.ts';

function request(root: string) {
  return { buildDir: join(root, 'build'), mirrors: [], offline: false, srcOverrides: new Map<string, string>(), jobs: 2 };
}

test('build() runs the tasks, answers the second call from the saved plan, and a dry run only plans', async (t) => {
  const root = tempDir();
  const log = join(root, 'tasks.log');
  writeTestMachine(root);
  writeLoggingRecipe(root, 'base', log);
  writeLoggingRecipe(root, 'app', log, { depends: ['base'] });
  const project = await loadProject(root);
  const machine = await loadMachine(project, 'test');
  const events: BuildEvent[] = [];
  const hooks = { emit: (e: BuildEvent) => events.push(e), signal: new AbortController().signal };

  const first = await build(project, machine, ['app'], request(root), hooks);
  // base's deploy is no task of this build: app needs base installed, no more.
  t.like(first, { ran: 13, failed: 0, noop: false, interrupted: false });
  t.is(readFileSync(log, 'utf8').trim().split('\n').length, 13);
  t.true(events.some((e) => e.event === 'task:start' && e.task === 'app:compile'));

  events.length = 0;
  const again = await build(project, { name: 'test', load: () => { throw new Error('a no-op loads no machine'); } }, ['app'], request(root), hooks);
  t.like(again, { ran: 0, cached: 13, noop: true });
  t.deepEqual(events.at(-1), { event: 'build:done', ran: 0, cached: 13, failed: 0 });

  let planned = 0;
  const dry = await build(project, machine, ['app'], { ...request(root), dryRun: true }, { ...hooks, planned: (tasks) => { planned = tasks.length; } });
  t.like(dry, { ran: 0, cached: 13 });
  t.is(planned, 13);
  t.is(readFileSync(log, 'utf8').trim().split('\n').length, 13, 'nothing ran again');
});
