/**
 * Debian source packages through apt: a real deb-src repository (made with dpkg-scansources) on a
 * real HTTP server on 127.0.0.1, and the host's real apt pointed at it with APT_CONFIG, the way a
 * user's apt is pointed at their archive. Nothing names an archive host.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { whichSync } from '../src/exec/which.ts';
import { parsePrintUris } from '../src/fetch/debian.ts';
import { runCli } from './helpers/cli.ts';
import { tempDir, writeLoggingRecipe, writeTestMachine } from './helpers/fixture.ts';
import { aptRepository } from './helpers/apt-repo.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('apt-get source --print-uris lines are parsed with their sha256', (t) => {
  const text = "Need to get 2 MB of source archives.\n'http://archive.example/pool/b/busybox_1.35.0.orig.tar.bz2' busybox_1.35.0.orig.tar.bz2 2480624 SHA256:FAEEB244C35A348A334F4A59E44626EE870FB07B6884D68C10AE8BC19F83A694\n'file:/x/y.dsc' y.dsc 10 MD5Sum:0123\n";
  t.deepEqual(parsePrintUris(text), [
    { uri: 'http://archive.example/pool/b/busybox_1.35.0.orig.tar.bz2', name: 'busybox_1.35.0.orig.tar.bz2', size: 2480624, sha256: 'faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694' },
    { uri: 'file:/x/y.dsc', name: 'y.dsc', size: 10, sha256: undefined },
  ]);
});

function debianProject(source: string) {
  const root = tempDir();
  writeTestMachine(root);
  writeLoggingRecipe(root, 'pkg', join(root, 'tasks.log'), { source, extra: { fetch: 'await ctx.fetchSource();', unpack: 'await ctx.unpackSource();' } });
  const file = join(root, 'recipes/pkg/pkg.recipe.ts');
  writeFileSync(file, readFileSync(file, 'utf8').replace('import { defineRecipe, local }', 'import { defineRecipe, debian, tarball }'));
  return root;
}

const missingTool = ['apt-get', 'dpkg-scansources'].find((tool) => !whichSync(tool));
if (missingTool) console.log(`SKIP Debian source tests: ${missingTool} is not installed (apt-get install apt dpkg-dev)`);
const aptTest = missingTool ? test.skip : test.serial;

aptTest('a debian() source is fetched through apt\'s configured sources and verified by sha256', async (t) => {
  const repo = await aptRepository('1.0-1');
  t.teardown(() => repo.server.close());
  const root = debianProject(`debian({ package: 'jhtest', version: '1.0-1', file: 'jhtest_1.0.orig.tar.gz', sha256: '${repo.origSha}' })`);
  const ok = await runCli(['build', 'pkg', '--project', root, '--machine', 'test'], { env: repo.env });
  t.is(ok.code, 0, ok.stderr);
  t.is(sha(readFileSync(join(root, 'build/downloads/jhtest_1.0.orig.tar.gz'))), repo.origSha);
  t.true(repo.server.requests.some((r) => r.path === '/pool/jhtest_1.0.orig.tar.gz'), 'apt fetched it from the configured archive');
});

aptTest('when the pinned Debian revision left the archive, the same orig tarball of the current one is accepted', async (t) => {
  const repo = await aptRepository('1.0-3');
  t.teardown(() => repo.server.close());
  const root = debianProject(`debian({ package: 'jhtest', version: '1.0-1', file: 'jhtest_1.0.orig.tar.gz', sha256: '${repo.origSha}' })`);
  const ok = await runCli(['build', 'pkg', '--project', root, '--machine', 'test'], { env: repo.env });
  t.is(ok.code, 0, ok.stderr);
});

aptTest('an unreachable upstream falls back to the Debian package; a different sha256 is refused with both named', async (t) => {
  const repo = await aptRepository('1.0-1');
  t.teardown(() => repo.server.close());
  const upstream = `${repo.server.url}/gone/jhtest-1.0.tar.gz`;
  const fallback = debianProject(`tarball({ url: '${upstream}', sha256: '${repo.origSha}', debian: { package: 'jhtest', version: '1.0-1', file: 'jhtest_1.0.orig.tar.gz' } })`);
  const ok = await runCli(['build', 'pkg', '--project', fallback, '--machine', 'test'], { env: repo.env });
  t.is(ok.code, 0, ok.stderr);

  const wrong = 'cd'.repeat(32);
  const refused = debianProject(`debian({ package: 'jhtest', version: '1.0-1', file: 'jhtest_1.0.orig.tar.gz', sha256: '${wrong}' })`);
  const failed = await runCli(['build', 'pkg', '--project', refused, '--machine', 'test'], { env: repo.env });
  t.is(failed.code, 2);
  t.regex(failed.stderr, /E_FETCH_DEBIAN/);
  t.true(failed.stderr.includes(wrong));
});

aptTest('--offline names the missing file and the apt command that provides it', async (t) => {
  const root = debianProject(`debian({ package: 'jhtest', version: '1.0-1', file: 'jhtest_1.0.orig.tar.gz', sha256: '${'ab'.repeat(32)}' })`);
  const failed = await runCli(['build', 'pkg', '--project', root, '--machine', 'test', '--offline']);
  t.is(failed.code, 2);
  t.regex(failed.stderr, /E_FETCH_MISSING: jhtest_1\.0\.orig\.tar\.gz is not available offline/);
  t.regex(failed.stderr, /apt-get source --download-only --only-source jhtest=1\.0-1/);
});
