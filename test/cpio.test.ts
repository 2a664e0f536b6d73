/** The initramfs writer: real cpio reads it back; equal inputs give equal bytes. */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync, chmodSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { gzipReproducible, mergeEntries, treeEntries, writeCpio } from '../src/image/cpio.ts';
import { whichSync } from '../src/exec/which.ts';
import { tempDir } from './helpers/fixture.ts';

function tree(): string {
  const root = tempDir();
  mkdirSync(join(root, 'bin'));
  writeFileSync(join(root, 'bin/busybox'), 'ELF...');
  chmodSync(join(root, 'bin/busybox'), 0o755);
  symlinkSync('busybox', join(root, 'bin/sh'));
  writeFileSync(join(root, 'etc.conf'), 'x=1\n');
  return root;
}

const haveCpio = whichSync('cpio') !== undefined;
if (!haveCpio) console.log('SKIP cpio read-back: cpio is not installed (apt-get install cpio)');

(haveCpio ? test : test.skip)('cpio newc is read back by the real cpio, with device node, symlink and modes', (t) => {
  const entries = mergeEntries(treeEntries(tree()), [{ path: 'dev/console', type: 'char', major: 5, minor: 1 }, { path: 'init', type: 'file', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 }]);
  const archive = writeCpio(entries, 0);
  const listing = execFileSync('cpio', ['-itv', '--quiet'], { input: archive, encoding: 'utf8' });
  t.regex(listing, /^crw------- .* 5,\s+1 .*dev\/console$/m);
  t.regex(listing, /^lrwxrwxrwx .* bin\/sh -> busybox$/m);
  t.regex(listing, /^-rwxr-xr-x .* init$/m);
  t.regex(listing, /^-rw-r--r-- .* etc\.conf$/m);
  const names = listing.trim().split('\n').map((l) => l.replace(/ -> .*$/, '').split(/\s+/).pop());
  t.deepEqual(names, ['bin', 'bin/busybox', 'bin/sh', 'dev', 'dev/console', 'etc.conf', 'init'], 'sorted, parents first');
});

test('equal inputs give equal bytes whatever the files\' times', (t) => {
  const a = tree();
  const b = tree();
  utimesSync(join(b, 'etc.conf'), 12345, 67890);
  const one = gzipReproducible(writeCpio(mergeEntries(treeEntries(a)), 0));
  const two = gzipReproducible(writeCpio(mergeEntries(treeEntries(b)), 0));
  t.deepEqual(one, two);
  t.is(gunzipSync(one).length % 512, 0, 'padded to 512 bytes like cpio');
});
