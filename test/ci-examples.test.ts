/** The CI examples users copy stay true: every jhbuild command and option they use exists. */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runCli } from './helpers/cli.ts';

const dir = join(repoRoot, 'templates', 'ci');

for (const file of readdirSync(dir).sort()) {
  test(`templates/ci/${file}: its jhbuild commands and options exist`, async (t) => {
    const calls = [...readFileSync(join(dir, file), 'utf8').matchAll(/\.\/jhbuild (\w+)([^\n]*)/g)];
    t.true(calls.length >= 4, 'the example builds, tests and publishes');
    t.true(calls.some((c) => c[1] === 'publish'));
    for (const [, command, rest] of calls) {
      const help = await runCli([command!, '--help']);
      t.is(help.code, 0, `${command} --help`);
      for (const [option] of rest!.matchAll(/--[a-z-]+/g)) t.true(help.stdout.includes(`${option} `) || help.stdout.includes(`${option}\n`), `${file}: jhbuild ${command} ${option}`);
    }
  });
}
