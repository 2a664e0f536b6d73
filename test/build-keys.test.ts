/**
 * The build folder's guest key pair: made once, kept private (0600), read back checked; the private
 * key is in Dropbear's format and its public line is the one Dropbear's own dropbearkey derives.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { whichSync } from '../src/exec/which.ts';
import { buildKeyFiles, ensureBuildKey } from '../src/engine/build-keys.ts';
import { indexUrl, jsonEvents, runCli } from './helpers/cli.ts';
import { tempDir, write, writeTestMachine } from './helpers/fixture.ts';

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

test('a recipe declaring buildKeys gets the public key, is signed over it, and the SBOM says where the private key is', async (t) => {
  const root = tempDir('jhbuild-keys-project-');
  writeTestMachine(root);
  write(root, 'recipes/guest/guest.recipe.ts', `import { defineRecipe } from ${JSON.stringify(indexUrl)};
import { writeFileSync } from 'node:fs';
export default defineRecipe({
  name: 'guest', version: '1', license: 'MIT', buildKeys: ['guest-ssh'],
  tasks: { deploy: (ctx) => { writeFileSync(ctx.dirs.deploy + '/authorized_keys', ctx.buildPublicKey('guest-ssh') + '\\n'); } },
});
`);
  write(root, 'recipes/image/image.recipe.ts', `import { copyInto, defineRecipe, writeImageManifest } from ${JSON.stringify(indexUrl)};
export default defineRecipe({
  name: 'image', version: '1', license: 'MIT', depends: [{ recipe: 'guest', task: 'deploy', for: 'deploy' }],
  tasks: {
    deploy: async (ctx) => {
      copyInto(ctx.deps.guest.deploy + '/authorized_keys', ctx.dirs.deploy, 'authorized_keys');
      await writeImageManifest(ctx.dirs.deploy, { machine: 'test', image: 'image' }, [{ path: 'authorized_keys', recipe: 'image', version: '1', signature: null }]);
    },
  },
});
`);
  const args = ['--project', root, '--machine', 'test'];
  t.is((await runCli(['image', ...args])).code, 0);
  const files = buildKeyFiles(join(root, 'build'), 'guest-ssh');
  const deployed = readFileSync(join(root, 'build/deploy/test/image/authorized_keys'), 'utf8');
  t.is(deployed, readFileSync(files.publicKey, 'utf8'));
  // The private key's secret half is in no cache entry and no deployed file.
  const seed = readFileSync(files.privateKey).subarray(19, 51).toString('hex');
  const everything = execFileSync('sh', ['-c', 'find build/cache build/deploy/ -type f -exec od -An -v -tx1 {} + | tr -d " \\n"'], { cwd: root, encoding: 'utf8' });
  t.false(everything.includes(seed));
  const sbom = await runCli(['sbom', ...args, '--output', '-']);
  t.is(sbom.code, 0, sbom.stderr);
  const comment = (JSON.parse(sbom.stdout) as { packages: { comment?: string }[] }).packages[0]!.comment!;
  t.regex(comment, new RegExp(`guest:configure put the public key of the build folder's guest-ssh pair into it \\(sha256 of the key line ${createHash('sha256').update(deployed).digest('hex')}\\); the private key stays in the build folder`));

  // Another key (the folder's pair made anew) is another input: the guest and the image run again.
  rmSync(join(root, 'build/keys'), { recursive: true });
  const again = await runCli(['image', ...args, '--json']);
  t.true(jsonEvents(again.stdout).some((e) => e.event === 'task:start' && e.task === 'guest:deploy'));
  t.not(readFileSync(join(root, 'build/deploy/test/image/authorized_keys'), 'utf8'), deployed);
});
