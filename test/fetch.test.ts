/** Fetching through the engine: a real HTTP server on 127.0.0.1, real git, mirrors, offline. */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './helpers/cli.ts';
import { tempDir, writeLoggingRecipe, writeTestMachine } from './helpers/fixture.ts';
import { gitRepo } from './helpers/git-repo.ts';
import { serveFiles } from './helpers/http.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A gzip tarball of one folder holding data.bin (large enough that a cut lands mid-file). */
function makeTarball(dir: string): Uint8Array {
  mkdirSync(join(dir, 'pkg-1.0'), { recursive: true });
  writeFileSync(join(dir, 'pkg-1.0', 'data.bin'), randomBytes(3 * 1024 * 1024));
  writeFileSync(join(dir, 'pkg-1.0', 'README'), 'pkg\n');
  execFileSync('tar', ['-czf', join(dir, 'pkg-1.0.tar.gz'), '-C', dir, 'pkg-1.0']);
  return readFileSync(join(dir, 'pkg-1.0.tar.gz'));
}

function tarballProject(url: string, sha256: string) {
  const root = tempDir();
  writeTestMachine(root);
  writeLoggingRecipe(root, 'pkg', join(root, 'tasks.log'), {
    source: `tarball({ url: ${JSON.stringify(url)}, sha256: ${JSON.stringify(sha256)} })`,
    extra: { fetch: 'await ctx.fetchSource();', unpack: 'await ctx.unpackSource();' },
  });
  const file = join(root, 'recipes/pkg/pkg.recipe.ts');
  writeFileSync(file, readFileSync(file, 'utf8').replace('import { defineRecipe, local }', 'import { defineRecipe, tarball }'));
  return { root, downloads: join(root, 'build/downloads') };
}

test('a tarball is downloaded, verified and unpacked; a wrong sha256 keeps nothing', async (t) => {
  const body = makeTarball(tempDir());
  const server = await serveFiles({ '/pkg-1.0.tar.gz': body });
  t.teardown(() => server.close());
  const good = tarballProject(`${server.url}/pkg-1.0.tar.gz`, sha(body));
  const ok = await runCli(['build', 'pkg', '--project', good.root, '--machine', 'test']);
  t.is(ok.code, 0, ok.stderr);
  t.is(readFileSync(join(good.root, 'build/work/test/pkg/src/README'), 'utf8'), 'pkg\n');
  t.is(sha(readFileSync(join(good.downloads, 'pkg-1.0.tar.gz'))), sha(body));

  const wrong = 'ab'.repeat(32);
  const bad = tarballProject(`${server.url}/pkg-1.0.tar.gz`, wrong);
  const failed = await runCli(['build', 'pkg', '--project', bad.root, '--machine', 'test']);
  t.is(failed.code, 2);
  t.regex(failed.stderr, /E_FETCH_CHECKSUM/);
  t.true(failed.stderr.includes(wrong), 'shows the expected hash');
  t.true(failed.stderr.includes(sha(body)), 'shows the actual hash');
  t.deepEqual(existsSync(bad.downloads) ? readdirSync(bad.downloads) : [], [], 'nothing kept');
});

test('a transfer cut midway is retried and resumed with a Range request', async (t) => {
  const body = makeTarball(tempDir());
  const server = await serveFiles({ '/pkg-1.0.tar.gz': body });
  t.teardown(() => server.close());
  server.cutNext('/pkg-1.0.tar.gz', 1);
  const p = tarballProject(`${server.url}/pkg-1.0.tar.gz`, sha(body));
  const result = await runCli(['build', 'pkg', '--project', p.root, '--machine', 'test']);
  t.is(result.code, 0, result.stderr);
  const ranges = server.requests.map((r) => r.headers.range).filter(Boolean);
  t.is(ranges.length, 1, 'the second request resumed');
  t.regex(ranges[0]!, /^bytes=[1-9]\d*-$/);
  t.is(sha(readFileSync(join(p.downloads, 'pkg-1.0.tar.gz'))), sha(body));
  t.regex(readFileSync(join(p.root, 'build/work/test/pkg/log/fetch.log'), 'utf8'), /resuming at byte \d+/);
});

test('a mirror folder serves the file with the network off; --offline names what is missing', async (t) => {
  const dir = tempDir();
  const body = makeTarball(dir);
  const mirror = join(dir, 'mirror');
  mkdirSync(mirror);
  writeFileSync(join(mirror, sha(body)), body); // held under its sha256
  // 127.0.0.1:9 (discard) has no server: any network use would fail.
  const p = tarballProject('http://127.0.0.1:9/pkg-1.0.tar.gz', sha(body));
  const ok = await runCli(['build', 'pkg', '--project', p.root, '--machine', 'test', '--offline', '--mirror', mirror]);
  t.is(ok.code, 0, ok.stderr);
  t.true(existsSync(join(p.downloads, 'pkg-1.0.tar.gz')));

  const q = tarballProject('http://127.0.0.1:9/pkg-1.0.tar.gz', sha(body));
  const missing = await runCli(['fetch', 'pkg', '--project', q.root, '--machine', 'test', '--offline', '--mirror', join(dir, 'empty')]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /E_FETCH_MISSING: pkg-1\.0\.tar\.gz is not available offline/);
  t.regex(missing.stderr, /looked in .*empty\/pkg-1\.0\.tar\.gz/);
  t.false(missing.stderr.includes('127.0.0.1:9'), 'offline never tries the URL');
});


function gitProject(url: string, rev: string) {
  const root = tempDir();
  writeTestMachine(root);
  writeLoggingRecipe(root, 'tool', join(root, 'tasks.log'), {
    source: `git({ url: ${JSON.stringify(url)}, rev: ${JSON.stringify(rev)} })`,
    extra: { fetch: 'await ctx.fetchSource();', unpack: 'await ctx.unpackSource();' },
  });
  const file = join(root, 'recipes/tool/tool.recipe.ts');
  writeFileSync(file, readFileSync(file, 'utf8').replace('import { defineRecipe, local }', 'import { defineRecipe, git }'));
  return root;
}

test('a git source is checked out at its pinned commit from a local bare repo', async (t) => {
  const repo = gitRepo();
  const root = gitProject(repo.bare, repo.first);
  const result = await runCli(['build', 'tool', '--project', root, '--machine', 'test']);
  t.is(result.code, 0, result.stderr);
  t.is(readFileSync(join(root, 'build/work/test/tool/src/version.txt'), 'utf8'), 'one\n', 'the pinned commit, not the branch head');
  t.true(readdirSync(join(root, 'build/downloads/git')).some((d) => d.startsWith('repo-') && d.endsWith('.git')), 'kept as a mirror repo');
});

test('a branch name as git rev is refused at load with a hint', async (t) => {
  const repo = gitRepo();
  const root = gitProject(repo.bare, 'main');
  const result = await runCli(['build', 'tool', '--project', root, '--machine', 'test']);
  t.is(result.code, 2);
  t.regex(result.stderr, /E_INVALID_FIELD: source\.rev: "main" is not valid/);
  t.regex(result.stderr, /tool\.recipe\.ts/);
  t.regex(result.stderr, /not a full commit id; branches and tags move/);
});
