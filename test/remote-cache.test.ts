/**
 * The shared cache of task results against nginx with WebDAV on 127.0.0.1 (and a plain folder):
 * build A fills it, a fresh build folder B takes every result and starts no task; tampered objects
 * are caught and rebuilt; a server that goes away degrades to local building with a warning.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonEvents, runCli, startCli } from './helpers/cli.ts';
import { indexUrl } from './helpers/cli.ts';
import { tempDir, write, writeTestMachine } from './helpers/fixture.ts';
import { nginxMissing, startWebDav } from './helpers/nginx.ts';

const missing = nginxMissing();
if (missing) console.log(`SKIP remote cache over HTTP: ${missing}; .ci/run installs it`);
const withNginx = missing ? test.skip : test.serial;

interface Ev { event: string; task?: string; cached?: boolean; from?: string; message?: string }

/** lib compiles a C file with the host compiler; app links against it and deploys; every step logs itself. */
function project(): { root: string; log: string } {
  const root = tempDir('jhbuild-cache-');
  const log = join(root, 'steps.log');
  writeTestMachine(root);
  const logStep = (name: string, step: string) => `await ctx.exec('sh', ['-c', 'echo ${name}:${step} >> ${log}']);`;
  write(root, 'recipes/lib/files/lib.c', 'int answer(void) { return 42; }\n');
  write(root, 'recipes/lib/lib.recipe.ts', `import { defineRecipe } from ${JSON.stringify(indexUrl)};
export default defineRecipe({
  name: 'lib', version: '1', license: 'MIT', files: ['files/lib.c'], tools: ['cc'],
  tasks: {
    configure: async (ctx) => { ${logStep('lib', 'configure')} },
    compile: async (ctx) => { ${logStep('lib', 'compile')} await ctx.exec('cc', ['-c', ctx.file('files/lib.c'), '-o', 'lib.o']); },
    install: async (ctx) => { ${logStep('lib', 'install')} await ctx.exec('cp', ['lib.o', ctx.dirs.dest + '/lib.o']); },
  },
});
`);
  write(root, 'recipes/app/files/main.c', '#include <stdio.h>\nint answer(void);\nint main(void) { printf("%d\\n", answer()); return 0; }\n');
  write(root, 'recipes/app/app.recipe.ts', `import { defineRecipe } from ${JSON.stringify(indexUrl)};
export default defineRecipe({
  name: 'app', version: '1', license: 'MIT', files: ['files/main.c'], tools: ['cc'], depends: ['lib'],
  tasks: {
    compile: async (ctx) => { ${logStep('app', 'compile')} await ctx.exec('cc', [ctx.file('files/main.c'), ctx.deps.lib.dest + '/lib.o', '-o', 'app']); },
    install: async (ctx) => { ${logStep('app', 'install')} await ctx.exec('cp', ['app', ctx.dirs.dest + '/app']); },
    deploy: async (ctx) => { ${logStep('app', 'deploy')} await ctx.exec('cp', [ctx.deps.app?.dest ?? (ctx.dirs.dest + '/app'), ctx.dirs.deploy + '/app']); },
  },
});
`);
  return { root, log };
}

const steps = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []);

async function build(root: string, buildDir: string, ...more: string[]) {
  const r = await runCli(['build', 'app', '--project', root, '--machine', 'test', '--build-dir', buildDir, '--json', ...more]);
  return { ...r, events: jsonEvents(r.stdout) as unknown as Ev[] };
}

withNginx('build A fills the WebDAV cache; a fresh build folder B takes every result from it and starts no task', async (t) => {
  const server = await startWebDav();
  try {
    const p = project();
    const a = await build(p.root, join(p.root, 'A'), '--cache', server.url, '--cache-mode', 'readwrite');
    t.is(a.code, 0, a.stderr);
    t.deepEqual(a.events.filter((e) => e.event === 'cache:store').map((e) => e.task).sort(), ['app:deploy', 'app:install', 'lib:install']);
    t.true(readdirSync(join(server.root, 'ac')).length === 3 && readdirSync(join(server.root, 'cas')).length === 3);
    const ranInA = steps(p.log).length;

    const b = await build(p.root, join(p.root, 'B'), '--cache', server.url);
    t.is(b.code, 0, b.stderr);
    t.deepEqual(b.events.filter((e) => e.event === 'task:start'), [], 'B started no task');
    // Like BitBake's setscene: the deploy result stands in for everything behind it.
    t.deepEqual(b.events.filter((e) => e.event === 'cache:restore').map((e) => e.task), ['app:deploy']);
    t.true(b.events.filter((e) => e.from === 'unneeded').length >= 4);
    t.is(steps(p.log).length, ranInA, 'no step of B ran');
    const app = join(p.root, 'B', 'deploy', 'test', 'app', 'app');
    t.true(readFileSync(app).equals(readFileSync(join(p.root, 'A', 'deploy', 'test', 'app', 'app'))));
    t.is(execFileSync(app, { encoding: 'utf8' }), '42\n');

    // B again, now without the remote: nothing to do, nothing runs (the unneeded steps stay left out).
    const again = await build(p.root, join(p.root, 'B'));
    t.is(again.code, 0, again.stderr);
    t.deepEqual(again.events.filter((e) => e.event === 'task:start'), []);
  } finally {
    await server.stop();
  }
});

withNginx('a tampered object is reported and its task rebuilt: content that is not what the record names, and a record whose content belongs to another task', async (t) => {
  const server = await startWebDav();
  try {
    const p = project();
    t.is((await build(p.root, join(p.root, 'A'), '--cache', server.url, '--cache-mode', 'readwrite')).code, 0);
    const signature = async (task: string) => (JSON.parse((await runCli(['explain', task, '--project', p.root, '--machine', 'test', '--build-dir', join(p.root, 'A'), '--json'])).stdout) as { signature: string }).signature;
    const content = (sig: string) => (JSON.parse(readFileSync(join(server.root, 'ac', sig), 'utf8')) as { content: string }).content;
    const deploy = await signature('app:deploy');
    const lib = await signature('lib:install');
    // 1. Flip bytes of the deploy result's content.
    const object = join(server.root, 'cas', content(deploy));
    const bytes = readFileSync(object);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(object, bytes);
    // 2. Point another record at a genuine object of a different task.
    writeFileSync(join(server.root, 'ac', lib), JSON.stringify({ format: 'jhbuild-entry-v1', signature: lib, content: content(await signature('app:install')), size: 1 }));

    const b = await build(p.root, join(p.root, 'B'), '--cache', server.url);
    t.is(b.code, 0, b.stderr);
    const warnings = b.events.filter((e) => e.event === 'cache:warn').map((e) => e.message!);
    t.is(warnings.length, 2, warnings.join('\n'));
    t.true(warnings.some((w) => /ignored: its content has sha256 [0-9a-f]{12}, the record says/.test(w)));
    t.true(warnings.some((w) => /ignored: its manifest hashes to [0-9a-f]{12}, not to the signature/.test(w)));
    const started = b.events.filter((e) => e.event === 'task:start').map((e) => e.task);
    t.true(started.includes('app:deploy') && started.includes('lib:install'), 'the tampered results were rebuilt');
    t.is(execFileSync(join(p.root, 'B', 'deploy', 'test', 'app', 'app'), { encoding: 'utf8' }), '42\n');
  } finally {
    await server.stop();
  }
});

withNginx('the server going away mid-build, or absent from the start, degrades to local building with one warning', async (t) => {
  const server = await startWebDav();
  const p = project();
  const child = startCli(['build', 'app', '--project', p.root, '--machine', 'test', '--build-dir', join(p.root, 'A'), '--json', '--cache', server.url, '--cache-mode', 'readwrite']);
  let out = '';
  let stopping: Promise<void> | undefined;
  child.stdout.on('data', (d) => {
    out += d;
    if (!stopping && out.includes('"event":"cache:store"')) stopping = server.stop();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  await stopping;
  t.is(code, 0);
  const events = jsonEvents(out) as unknown as Ev[];
  const warnings = events.filter((e) => e.event === 'cache:warn');
  t.is(warnings.length, 1);
  t.regex(warnings[0]!.message!, /remote cache http:\/\/127\.0\.0\.1:\d+\/jhbuild-cache\/ unavailable \(.*\); building locally/);
  t.is(events.filter((e) => e.event === 'cache:store').length, 1);

  const b = await build(p.root, join(p.root, 'B'), '--cache', server.url);
  t.is(b.code, 0, b.stderr);
  t.regex(b.events.find((e) => e.event === 'cache:warn')!.message!, /unavailable \(ECONNREFUSED on ac\/[0-9a-f]{64}\); building locally/);
  t.true(b.events.some((e) => e.event === 'task:start' && e.task === 'lib:compile'));
});

test('a plain folder (an NFS share) serves as the remote too; read mode never writes to it', async (t) => {
  const p = project();
  const shared = tempDir('jhbuild-shared-');
  const readOnly = await build(p.root, join(p.root, 'R'), '--cache', shared);
  t.is(readOnly.code, 0, readOnly.stderr);
  t.deepEqual(readdirSync(shared), [], 'read mode wrote nothing');
  t.is((await build(p.root, join(p.root, 'A'), '--cache', shared, '--cache-mode', 'readwrite')).code, 0);
  const b = await build(p.root, join(p.root, 'B'), '--cache', shared);
  t.is(b.code, 0, b.stderr);
  t.deepEqual(b.events.filter((e) => e.event === 'task:start'), []);
  t.is(b.events.filter((e) => e.event === 'cache:restore').length, 1);
  const bad = await runCli(['build', 'app', '--project', p.root, '--machine', 'test', '--cache', shared, '--cache-mode', 'write']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--cache-mode write: expected read or readwrite/);
});

const ccacheMissing = (() => { try { execFileSync('sh', ['-c', 'command -v ccache'], { stdio: 'pipe' }); return undefined; } catch { return 'ccache is not installed (apt-get install ccache)'; } })();
if (ccacheMissing) console.log(`SKIP compiler wrapper: ${ccacheMissing}; .ci/run installs it`);

(ccacheMissing ? test.skip : test)('--compiler-wrapper ccache: every compile goes through ccache, another build folder hits its cache, and no signature changes', async (t) => {
  const p = project();
  const env = { CCACHE_DIR: tempDir('jhbuild-ccache-') };
  const stats = () => Object.fromEntries(execFileSync('ccache', ['--print-stats'], { env: { ...process.env, ...env }, encoding: 'utf8' })
    .trim().split('\n').map((l) => l.split('\t')).map(([k, v]) => [k, Number(v)])) as Record<string, number>;
  const sig = async (dir: string, ...more: string[]) => (JSON.parse((await runCli(['explain', 'app:deploy', '--project', p.root, '--machine', 'test', '--build-dir', dir, '--json', ...more], { env })).stdout) as { signature: string }).signature;
  const plain = await sig(join(p.root, 'P'));
  const a = await runCli(['build', 'app', '--project', p.root, '--machine', 'test', '--build-dir', join(p.root, 'A'), '--compiler-wrapper', 'ccache'], { env });
  t.is(a.code, 0, a.stderr);
  const afterA = stats();
  t.is((afterA.cache_miss ?? 0) + (afterA.direct_cache_miss ?? 0) > 0, true, 'the compiles went through ccache');
  const b = await runCli(['build', 'app', '--project', p.root, '--machine', 'test', '--build-dir', join(p.root, 'B')], { env: { ...env, JHBUILD_COMPILER_WRAPPER: 'ccache' } });
  t.is(b.code, 0, b.stderr);
  const afterB = stats();
  t.true((afterB.direct_cache_hit ?? 0) + (afterB.preprocessed_cache_hit ?? 0) > (afterA.direct_cache_hit ?? 0) + (afterA.preprocessed_cache_hit ?? 0), 'B hit what A compiled');
  t.is(await sig(join(p.root, 'A'), '--compiler-wrapper', 'ccache'), plain);
  const bad = await runCli(['build', 'app', '--project', p.root, '--machine', 'test', '--compiler-wrapper', 'gcc']);
  t.regex(bad.stderr, /--compiler-wrapper gcc: expected one of ccache, icecc, distcc/);
});
