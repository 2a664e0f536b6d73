/**
 * A build folder reused after an interrupted build: real make over a two-step build whose object was
 * cut short (as a compiler killed mid-write leaves it, newer than its source). Without the cleanup make
 * takes it for up to date and links garbage; under buildResumably the files the interrupted run wrote
 * go, and make makes them again; the kept .config stays.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildResumably } from '../src/engine/interrupted.ts';
import { tempDir } from './helpers/fixture.ts';

const MAKEFILE = 'all: prog\nprog: part.o\n\tcat part.o > prog\npart.o: part.c\n\tcp part.c part.o\n';

function folder(): string {
  const dir = tempDir('jh-resume-');
  writeFileSync(join(dir, 'Makefile'), MAKEFILE);
  writeFileSync(join(dir, 'part.c'), 'the whole object\n');
  writeFileSync(join(dir, '.config'), 'CONFIG_X=y\n');
  const old = Date.now() / 1000 - 100;
  for (const f of ['Makefile', 'part.c', '.config']) utimesSync(join(dir, f), old, old);
  return dir;
}
const make = (dir: string) => async () => { execFileSync('make', ['-s', '-C', dir], { stdio: 'ignore' }); };

test('an object an interrupted build cut short is made again; a build that ends leaves no marker, an aborted one does', async (t) => {
  const dir = folder();
  // The interrupted run: its marker, then a truncated object written after it (and the kept .config rewritten too).
  const started = Date.now() / 1000 - 10;
  writeFileSync(join(dir, '.jhbuild-building'), '4242\n');
  utimesSync(join(dir, '.jhbuild-building'), started, started);
  writeFileSync(join(dir, 'part.o'), 'the wh');
  writeFileSync(join(dir, '.config'), 'CONFIG_X=y\n');
  execFileSync('make', ['-s', '-C', dir], { stdio: 'ignore' });
  t.is(readFileSync(join(dir, 'prog'), 'utf8'), 'the wh', 'make alone links the cut object');

  let cleaned = -1;
  await buildResumably(dir, ['.config'], make(dir), (n) => { cleaned = n; });
  t.is(readFileSync(join(dir, 'prog'), 'utf8'), 'the whole object\n');
  t.is(cleaned, 2, 'part.o and prog, both written after the marker');
  t.true(existsSync(join(dir, '.config')), 'a kept file stays');
  t.false(existsSync(join(dir, '.jhbuild-building')), 'a finished build removes its marker');

  // A build that fails ends: make finished or deleted what it wrote, so no marker stays; one aborted keeps it.
  writeFileSync(join(dir, 'Makefile'), 'all:\n\tfalse\n');
  await t.throwsAsync(buildResumably(dir, ['.config'], make(dir), () => undefined));
  t.false(existsSync(join(dir, '.jhbuild-building')));
  const abort = new AbortController();
  abort.abort();
  await t.throwsAsync(buildResumably(dir, ['.config'], make(dir), () => undefined, abort.signal));
  t.true(existsSync(join(dir, '.jhbuild-building')), 'an aborted build leaves its marker for the next run');
});
