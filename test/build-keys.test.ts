/**
 * The build folder's guest key pair: made once, kept private (0600), read back checked; the private
 * key is in Dropbear's format and its public line is the one Dropbear's own dropbearkey derives.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { whichSync } from '../src/exec/which.ts';
import { buildKeyFiles, ensureBuildKey } from '../src/engine/build-keys.ts';
import { tempDir } from './helpers/fixture.ts';

test('made once with mode 0600; the second call keeps the same pair', (t) => {
  const dir = tempDir('jh-keys-');
  const files = ensureBuildKey(dir, 'guest-ssh');
  t.is(statSync(files.privateKey).mode & 0o777, 0o600);
  t.regex(readFileSync(files.publicKey, 'utf8'), /^ssh-ed25519 [A-Za-z0-9+/]{68} jhbuild-guest-ssh\n$/);
  const key = readFileSync(files.privateKey);
  ensureBuildKey(dir, 'guest-ssh');
  t.deepEqual(readFileSync(files.privateKey), key);
  t.notDeepEqual(readFileSync(ensureBuildKey(tempDir('jh-keys-'), 'guest-ssh').privateKey), key, 'another folder, another key');
});

test('a key read back is checked: another format, a public half that is not its own, a key others may read', (t) => {
  const dir = tempDir('jh-keys-');
  const files = ensureBuildKey(dir, 'guest-ssh');
  const key = readFileSync(files.privateKey);
  const flipped = Buffer.from(key);
  flipped[flipped.length - 1] ^= 1;
  writeFileSync(files.privateKey, flipped, { mode: 0o600 });
  t.throws(() => ensureBuildKey(dir, 'guest-ssh'), { message: /its public half does not belong to its private key/ });
  writeFileSync(files.privateKey, 'not a key');
  t.throws(() => ensureBuildKey(dir, 'guest-ssh'), { message: /9 bytes, not the 83 of an Ed25519 key/ });
  writeFileSync(files.privateKey, key);
  chmodSync(files.privateKey, 0o644);
  t.throws(() => ensureBuildKey(dir, 'guest-ssh'), { message: /may be read by others/ });
  t.is(buildKeyFiles(dir, 'guest-ssh').privateKey, files.privateKey);
});

const dropbearkey = whichSync('dropbearkey');
if (!dropbearkey) console.log('SKIP build key against Dropbear: dropbearkey is not installed (apt-get install dropbear-bin)');
(dropbearkey ? test : test.skip)('Dropbear reads the private key and derives the same public line', (t) => {
  const files = ensureBuildKey(tempDir('jh-keys-'), 'guest-ssh');
  const said = execFileSync('dropbearkey', ['-y', '-f', files.privateKey], { encoding: 'utf8' });
  const line = said.split('\n').find((l) => l.startsWith('ssh-ed25519 '))!;
  t.is(line.split(' ').slice(0, 2).join(' '), readFileSync(files.publicKey, 'utf8').split(' ').slice(0, 2).join(' '));
});
