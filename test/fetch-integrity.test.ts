/**
 * Fetching that can be trusted: downloads re-verified where they are used, concurrent fetches into
 * one downloads folder, shallow git fetches of the pinned commit (and the fallback), no secret in
 * any output, and an offline build that names every missing source at once. Real HTTP servers on
 * 127.0.0.1, real git repos, the real CLI.
 */
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { verifyDownload } from '../src/fetch/store.ts';
import { redactUrls } from '../src/errors.ts';
import { jsonEvents, ranTasks, runCli } from './helpers/cli.ts';
import { tempDir, writeLoggingRecipe, writeTestMachine } from './helpers/fixture.ts';
import { gitRepo } from './helpers/git-repo.ts';
import { serveFiles } from './helpers/http.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A gzip tarball of pkg-1.0/ holding `size` random bytes and a README saying `readme`. */
function makeTarball(readme: string, size = 512 * 1024): Uint8Array {
  const dir = tempDir();
  mkdirSync(join(dir, 'pkg-1.0'));
  writeFileSync(join(dir, 'pkg-1.0', 'data.bin'), randomBytes(size));
  writeFileSync(join(dir, 'pkg-1.0', 'README'), readme);
  execFileSync('tar', ['-czf', join(dir, 'pkg.tar.gz'), '-C', dir, 'pkg-1.0']);
  return readFileSync(join(dir, 'pkg.tar.gz'));
}

/** A project whose recipes fetch and unpack their sources: name -> source expression. */
function sourcesProject(sources: Record<string, string>): string {
  const root = tempDir();
  writeTestMachine(root);
  for (const [name, source] of Object.entries(sources)) {
    writeLoggingRecipe(root, name, join(root, 'tasks.log'), { source, extra: { fetch: 'await ctx.fetchSource();', unpack: 'await ctx.unpackSource();' } });
    const file = join(root, `recipes/${name}/${name}.recipe.ts`);
    writeFileSync(file, readFileSync(file, 'utf8').replace('import { defineRecipe, local }', 'import { defineRecipe, git, tarball }'));
  }
  return root;
}

const tarballSource = (url: string, sha256: string, extra = '') => `tarball({ url: ${JSON.stringify(url)}, sha256: ${JSON.stringify(sha256)}${extra} })`;
const gitSource = (url: string, rev: string) => `git({ url: ${JSON.stringify(url)}, rev: ${JSON.stringify(rev)} })`;

test('a download replaced after its fetch is detected where it is used and fetched again; offline it fails naming both hashes', async (t) => {
  const good = makeTarball('good\n');
  const server = await serveFiles({ '/pkg-1.0.tar.gz': good });
  t.teardown(() => server.close());
  const root = sourcesProject({ pkg: tarballSource(`${server.url}/pkg-1.0.tar.gz`, sha(good)) });
  const file = join(root, 'build/downloads/pkg-1.0.tar.gz');
  const args = ['--project', root, '--machine', 'test', '--json'];

  // Fetched (and recorded as verified), then replaced by another tarball of that name.
  const fetched = await runCli(['fetch', 'pkg', ...args]);
  t.is(fetched.code, 0, fetched.stderr);
  writeFileSync(file, makeTarball('substitute\n'));
  const offline = await runCli(['build', 'pkg', ...args, '--offline']);
  t.is(offline.code, 2, offline.stderr);
  t.regex(offline.stderr, /E_FETCH_MISSING: pkg-1\.0\.tar\.gz is not available offline/);
  t.true(offline.stderr.includes(`(sha256 ${sha(good)})`), 'names the pinned sha256');
  t.regex(offline.stderr, new RegExp(`looked in ${file.replace(/[/.]/g, '\\$&')}: sha256 [0-9a-f]{64}, not the pinned file`), 'names the file and its actual sha256');
  t.regex(offline.stderr, /fix: put pkg-1\.0\.tar\.gz .* in a --mirror DIR folder/, 'says how to get the pinned file');
  t.false(existsSync(join(root, 'build/work/test/pkg/src/README')), 'the substitute was never unpacked');

  // Online the fetch step runs again and the pinned file is unpacked.
  const online = await runCli(['build', 'pkg', ...args]);
  t.is(online.code, 0, online.stderr);
  t.true(ranTasks(online.stdout).includes('pkg:fetch'));
  t.is(readFileSync(join(root, 'build/work/test/pkg/src/README'), 'utf8'), 'good\n');

  // A no-op build trusts the record (a stat). A same-size substitute given the old mtime is still
  // caught (ctime, inode): when the download is next consumed (here by `fetch`), it is fetched again.
  const noop = await runCli(['build', 'pkg', ...args]);
  t.deepEqual(ranTasks(noop.stdout), []);
  const before = statSync(file);
  const flipped = Buffer.from(readFileSync(file));
  flipped[flipped.length >> 1]! ^= 0xff;
  writeFileSync(file, flipped);
  utimesSync(file, before.atime, before.mtime);
  const unused = await runCli(['build', 'pkg', ...args]);
  t.deepEqual(ranTasks(unused.stdout), [], 'every result is cached: nothing consumes the download');
  const again = await runCli(['fetch', 'pkg', ...args]);
  t.is(again.code, 0, again.stderr);
  t.deepEqual(ranTasks(again.stdout), ['pkg:fetch'], 'the fetch step runs again and brings the pinned file back');
  t.is(sha(readFileSync(file)), sha(good));

  // Where a task consumes it (unpack), a changed file is refused with both hashes and the fix.
  writeFileSync(file, flipped);
  const refused = await verifyDownload(file, sha(good), 'pkg').then(() => undefined, (error: Error & { code?: string; details?: string[]; hint?: string }) => error);
  t.is(refused?.code, 'E_FETCH_CHECKSUM');
  t.true(refused!.message.includes(file));
  t.deepEqual(refused!.details, [`expected ${sha(good)}`, `actual   ${sha(flipped)}`]);
  t.regex(refused!.hint!, /jhbuild fetch pkg/);
  t.false(existsSync(file), 'nothing kept');
});

/**
 * Serves one file in 40 pieces 20 ms apart; the first answer stops halfway until a second request
 * has come (or 30 s passed): a second process starts while the first is mid-file, and the first
 * finishes while the second still writes.
 */
async function slowServer(path: string, body: Uint8Array) {
  let active = 0;
  let most = 0;
  let requests = 0;
  let secondCame!: () => void;
  const second = new Promise<void>((resolve) => { secondCame = resolve; });
  const server = createServer((req, res) => {
    if (req.url !== path) { res.writeHead(404).end(); return; }
    const first = ++requests === 1;
    if (!first) secondCame();
    active++;
    most = Math.max(most, active);
    res.writeHead(200, { 'content-length': body.length });
    const step = Math.ceil(body.length / 40);
    let at = 0;
    const next = () => {
      if (at >= body.length) { active--; res.end(); return; }
      res.write(body.subarray(at, at += step));
      if (first && at >= body.length / 2 && at - step < body.length / 2) {
        const timer = setTimeout(secondCame, 30_000);
        void second.then(() => { clearTimeout(timer); setTimeout(next, 20); });
      } else setTimeout(next, 20);
    };
    next();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, most: () => most,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

test('two builds fetching the same file into one --downloads folder at once both succeed; stale partial files are removed', async (t) => {
  const body = makeTarball('shared\n', 2 * 1024 * 1024);
  const server = await slowServer('/pkg-1.0.tar.gz', body);
  t.teardown(() => server.close());
  const root = sourcesProject({ pkg: tarballSource(`${server.url}/pkg-1.0.tar.gz`, sha(body)) });
  const downloads = join(tempDir(), 'downloads');
  mkdirSync(downloads);
  // Left by a killed jhbuild (a pid no process has) and by an older jhbuild; one of a running process is kept.
  const dead = spawnSync('true').pid;
  const old = new Date(Date.now() - 3600_000);
  for (const name of [`pkg-1.0.tar.gz.part-${dead}-0badcafe`, 'pkg-1.0.tar.gz.part']) {
    writeFileSync(join(downloads, name), 'half');
    utimesSync(join(downloads, name), old, old);
  }
  const live = `pkg-1.0.tar.gz.part-${process.pid}-00c0ffee`;
  writeFileSync(join(downloads, live), 'in use');

  const build = (dir: string) => runCli(['build', 'pkg', '--project', root, '--machine', 'test', '--build-dir', join(root, dir), '--downloads', downloads]);
  const [a, b] = await Promise.all([build('build-a'), build('build-b')]);
  t.is(a.code, 0, a.stderr);
  t.is(b.code, 0, b.stderr);
  t.is(server.most(), 2, 'the two downloads overlapped');
  t.is(sha(readFileSync(join(downloads, 'pkg-1.0.tar.gz'))), sha(body));
  for (const dir of ['build-a', 'build-b']) t.is(readFileSync(join(root, dir, 'work/test/pkg/src/README'), 'utf8'), 'shared\n');
  t.deepEqual(readdirSync(downloads).filter((n) => n.includes('.part')), [live], 'each process cleaned up its own part; stale ones are gone');
});


const gitOut = (repo: string, ...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
const storeRepo = (root: string) => join(root, 'build/downloads/git', readdirSync(join(root, 'build/downloads/git')).find((d) => d.endsWith('.git'))!);
/**
 * git's protocol v2 (its default) serves any commit the server has; a protocol v0 server serves a
 * commit that is no branch tip only with uploadpack.allowAnySHA1InWant (or allowReachableSHA1InWant),
 * as older servers do. The tests speak v0 so that this setting decides.
 */
const protocolV0 = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'protocol.version', GIT_CONFIG_VALUE_0: '0' };

test('a git source fetches only its pinned commit (depth 1) from a server that allows it, also from a --mirror folder offline', async (t) => {
  const repo = gitRepo();
  execFileSync('git', ['-C', repo.bare, 'config', 'uploadpack.allowAnySHA1InWant', 'true']);
  const root = sourcesProject({ tool: gitSource(`file://${repo.bare}`, repo.first) });
  const result = await runCli(['build', 'tool', '--project', root, '--machine', 'test'], { env: protocolV0 });
  t.is(result.code, 0, result.stderr);
  t.is(readFileSync(join(root, 'build/work/test/tool/src/version.txt'), 'utf8'), 'one\n');
  const mirror = storeRepo(root);
  t.is(gitOut(mirror, 'rev-parse', '--is-shallow-repository'), 'true');
  t.is(gitOut(mirror, 'rev-list', '--all', '--count'), '1', 'only the pinned commit');
  t.false(readFileSync(join(mirror, 'config'), 'utf8').includes(repo.bare), 'no URL saved in the repo');
  t.regex(readFileSync(join(root, 'build/work/test/tool/log/fetch.log'), 'utf8'), /fetched commit [0-9a-f]{40} alone \(shallow, depth 1\)/);

  // A --mirror folder holding the repository serves it offline, the same way.
  const offline = sourcesProject({ tool: gitSource('https://git.invalid/team/repo.git', repo.first) });
  const ok = await runCli(['build', 'tool', '--project', offline, '--machine', 'test', '--offline', '--mirror', repo.dir]);
  t.is(ok.code, 0, ok.stderr);
  t.is(readFileSync(join(offline, 'build/work/test/tool/src/version.txt'), 'utf8'), 'one\n');
  t.is(gitOut(storeRepo(offline), 'rev-list', '--all', '--count'), '1');
});

test('a git server that refuses a fetch by commit id is mirrored in full instead, and the log says so', async (t) => {
  const repo = gitRepo(); // uploadpack.allowAnySHA1InWant left off
  const root = sourcesProject({ tool: gitSource(`file://${repo.bare}`, repo.first) });
  const result = await runCli(['build', 'tool', '--project', root, '--machine', 'test'], { env: protocolV0 });
  t.is(result.code, 0, result.stderr);
  t.is(readFileSync(join(root, 'build/work/test/tool/src/version.txt'), 'utf8'), 'one\n', 'still the pinned commit');
  const mirror = storeRepo(root);
  t.is(gitOut(mirror, 'rev-parse', '--is-shallow-repository'), 'false');
  t.is(gitOut(mirror, 'rev-list', '--all', '--count'), '2', 'the whole history');
  const log = readFileSync(join(root, 'build/work/test/tool/log/fetch.log'), 'utf8');
  t.regex(log, /did not serve commit [0-9a-f]{40} by itself .*fetching the whole repository instead/);
  t.regex(log, /fetched every ref of .* \(full mirror\)/);
});

test('no password or token reaches stdout, stderr, --json events or a task log', async (t) => {
  const secret = 's3cret';
  // Every request is refused: the fetches fail, and say where they looked.
  const requests: string[] = [];
  const server = createServer((req, res) => { requests.push(req.url ?? ''); res.writeHead(401, { 'www-authenticate': 'Basic realm="jhbuild"' }).end('no'); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const root = sourcesProject({
    pkg: tarballSource(`http://${host}/pkg-1.0.tar.gz?access_token=${secret}`, 'ab'.repeat(32)),
    tool: gitSource(`http://builder:${secret}@${host}/team/tool.git`, 'cd'.repeat(20)),
  });
  const result = await runCli(['build', 'pkg', 'tool', '--project', root, '--machine', 'test', '--json', '--jobs', '4',
    '--mirror', `http://user:${secret}@${host}/mirror/`, '--cache', `http://cache:${secret}@${host}/cache/`]);
  t.is(result.code, 2, result.stderr);
  t.true(requests.some((r) => r.startsWith('/mirror/')), 'the mirror was asked');
  t.true(requests.some((r) => r.startsWith('/team/tool.git')), 'the git server was asked');
  const events = jsonEvents(result.stdout);
  t.is(events.filter((e) => e.event === 'task:fail').length, 2, 'both fetches ran and failed');
  t.true(events.some((e) => e.event === 'cache:warn'), 'the refused cache was reported');
  const logs = readdirSync(join(root, 'build/work/test')).flatMap((recipe) => {
    const dir = join(root, 'build/work/test', recipe, 'log');
    return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
  });
  t.true(logs.length >= 2);
  for (const [what, text] of [['stdout', result.stdout], ['stderr', result.stderr], ...logs.map((f) => [f, readFileSync(f, 'utf8')])] as const) {
    t.false(text.includes(secret), `${what} shows the secret:\n${text}`);
  }
  const fetchLog = readFileSync(join(root, 'build/work/test/pkg/log/fetch.log'), 'utf8');
  t.true(fetchLog.includes(`http://***@${host}/mirror/`), 'the mirror is named, without its credentials');
  t.true(fetchLog.includes('access_token=***'));
  t.true(readFileSync(join(root, 'build/work/test/tool/log/fetch.log'), 'utf8').includes(`$ git -C`), 'git argv is logged');

  // The one redaction, on the shapes URLs come in.
  t.is(redactUrls(`'https://u:p@ss@h.example/x?a=1&token=t0k&b=2' and git+ssh://git@h/r`), `'https://***@h.example/x?a=1&token=***&b=2' and git+ssh://***@h/r`);
  t.is(redactUrls('plain text, a@b.c, key value'), 'plain text, a@b.c, key value');
});

test('--offline names every missing source at once, where it looked and how to provide it (--src for git sources)', async (t) => {
  const repo = gitRepo();
  const sources: Record<string, string> = {};
  for (let i = 0; i < 4; i++) sources[`tar${i}`] = tarballSource(`http://127.0.0.1:9/tar${i}-1.0.tar.gz`, String(i).repeat(64));
  sources.deb = tarballSource('http://127.0.0.1:9/deb-1.0.tar.gz', 'e'.repeat(64), ", debian: { package: 'debpkg', version: '1.0-2', file: 'debpkg_1.0.orig.tar.gz' }");
  for (let i = 0; i < 3; i++) sources[`repo${i}`] = gitSource(`https://git.invalid/team/repo${i}.git`, repo.first);
  sources.local = gitSource('https://git.invalid/team/local.git', repo.first);
  const root = sourcesProject(sources);
  const mirror = join(tempDir(), 'mirror');
  mkdirSync(mirror);
  const result = await runCli(['build', ...Object.keys(sources), '--project', root, '--machine', 'test', '--offline', '--json',
    '--mirror', mirror, '--src', `local=${join(repo.dir, 'work')}`]);
  t.is(result.code, 2, result.stderr);
  t.deepEqual(jsonEvents(result.stdout).filter((e) => e.event === 'task:start'), [], 'nothing started');
  t.false(existsSync(join(root, 'tasks.log')));
  const err = result.stderr;
  t.regex(err, /E_FETCH_MISSING: offline, 8 of the 8 sources this build fetches are not available/);
  for (let i = 0; i < 4; i++) {
    t.regex(err, new RegExp(`tar${i}: tar${i}-1\\.0\\.tar\\.gz \\(sha256 ${String(i).repeat(64)}\\)`));
    t.true(err.includes(`looked in ${join(mirror, `tar${i}-1.0.tar.gz`)}`));
  }
  t.regex(err, /fix: put deb-1\.0\.tar\.gz .* in a --mirror DIR folder \(in that folder: apt-get source --download-only --only-source debpkg=1\.0-2\)/);
  for (let i = 0; i < 3; i++) {
    t.true(err.includes(`repo${i}: commit ${repo.first} of https://git.invalid/team/repo${i}.git`));
    t.true(err.includes(`--src repo${i}=PATH`), `names --src repo${i}=PATH`);
    t.true(err.includes(`DIR/repo${i}.git`), 'names the mirror folder layout');
  }
  t.false(/local: commit/.test(err), 'a recipe built from --src needs no source');
});
