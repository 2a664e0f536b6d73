/**
 * publish / pull / sbom against Debian's docker-registry on 127.0.0.1, checked with skopeo as an
 * independent client: anonymous, htpasswd (Basic) and token (Bearer) registries, a registry that
 * dies mid-push, wrong passwords that must never be echoed, and references that do not exist.
 */
import test from 'ava';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonEvents, runCli, startCli } from './helpers/cli.ts';
import { indexUrl } from './helpers/cli.ts';
import { tempDir, write, writeTestMachine } from './helpers/fixture.ts';
import { registryMissing, startRegistry } from './helpers/registry.ts';

const run = promisify(execFile);

const missing = registryMissing();
if (missing) console.log(`SKIP publish: ${missing}; .ci/run installs it`);
const maybe = missing ? test.skip : test.serial;

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const BIG = 192 * 1024 * 1024;

/** A project whose image has a recipe with a pinned tarball (from a mirror), a big disk file and a nested file. */
function imageProject(): { root: string; args: string[]; deploy: string } {
  const root = tempDir('jhbuild-publish-');
  writeTestMachine(root);
  const payload = join(root, 'payload');
  mkdirSync(join(payload, 'blob-1.0'), { recursive: true });
  writeFileSync(join(payload, 'blob-1.0', 'kernel'), 'a kernel, honestly\n');
  const mirror = join(root, 'mirror');
  mkdirSync(mirror);
  execFileSync('tar', ['-czf', join(mirror, 'blob-1.0.tar.gz'), '-C', payload, 'blob-1.0']);
  const tarSha = sha256(readFileSync(join(mirror, 'blob-1.0.tar.gz')));
  write(root, 'recipes/blob/blob.recipe.ts', `import { defineRecipe, tarball } from ${JSON.stringify(indexUrl)};
export default defineRecipe({
  name: 'blob', version: '1.0', license: 'MIT OR Apache-2.0', summary: 'a pinned upstream tarball',
  source: tarball({ url: 'http://127.0.0.1:9/blob-1.0.tar.gz', sha256: '${tarSha}' }),
  tasks: { install: async (ctx) => { await ctx.exec('cp', [ctx.dirs.src + '/kernel', ctx.dirs.dest + '/kernel']); } },
});
`);
  write(root, 'recipes/image/image.recipe.ts', `import { defineRecipe, writeImageManifest } from ${JSON.stringify(indexUrl)};
export default defineRecipe({
  name: 'image', version: '1', license: 'GPL-2.0-only',
  depends: ['blob'],
  tasks: {
    deploy: async (ctx) => {
      await ctx.exec('sh', ['-c', 'mkdir -p cells && cp "$1/kernel" Image && head -c ${BIG} /dev/urandom > disk.img && echo cell > cells/demo.cell', 'sh', ctx.deps.blob.dest], { cwd: ctx.dirs.deploy });
      const blob = { recipe: 'blob', version: ctx.deps.blob.version, signature: ctx.deps.blob.signatures.install };
      const own = { recipe: 'image', version: '1', signature: null };
      await writeImageManifest(ctx.dirs.deploy, { machine: 'test', image: 'image' },
        [{ path: 'Image', ...blob }, { path: 'cells/demo.cell', ...own }, { path: 'disk.img', ...own }]);
    },
  },
});
`);
  return { root, args: ['--project', root, '--machine', 'test'], deploy: join(root, 'build', 'deploy', 'test', 'image') };
}

let project: ReturnType<typeof imageProject>;
test.before(async () => {
  if (missing) return;
  project = imageProject();
  const built = await runCli(['image', ...project.args, '--mirror', join(project.root, 'mirror')]);
  if (built.code !== 0) throw new Error(`fixture image did not build: ${built.stdout}${built.stderr}`);
});

/** Asynchronous: the token service of the Bearer test answers from this very process. */
async function skopeo(...args: string[]): Promise<string> {
  return (await run('skopeo', args, { encoding: 'utf8' })).stdout;
}

function filesOf(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesOf(dir, join(rel, e.name)) : [join(rel, e.name)])).sort();
}

maybe('publish pushes every file as a titled blob; skopeo and pull read it back byte for byte; SBOM and provenance hang off it', async (t) => {
  const registry = await startRegistry();
  try {
    const ref = `${registry.host}/team/jailhouse:test`;
    const pushed = await runCli(['publish', ...project.args, ref, '--json']);
    t.is(pushed.code, 0, pushed.stderr);
    const events = jsonEvents(pushed.stdout) as unknown as { event: string; path?: string; uploaded?: boolean; digest?: string }[];
    const digest = events.find((e) => e.event === 'publish:done')!.digest!;

    const manifest = JSON.parse(await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${ref}`)) as {
      mediaType: string; artifactType: string; config: { mediaType: string }; layers: { digest: string; mediaType: string; annotations: Record<string, string> }[]; annotations: Record<string, string> };
    t.is(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    t.is(manifest.artifactType, 'application/vnd.jhbuild.deploy.v1');
    t.is(manifest.config.mediaType, 'application/vnd.oci.empty.v1+json');
    t.deepEqual(manifest.layers.map((l) => l.annotations['org.opencontainers.image.title']), ['Image', 'cells/demo.cell', 'disk.img', 'manifest.json']);
    t.is(manifest.annotations['dev.jhbuild.machine'], 'test');
    t.regex(manifest.annotations['dev.jhbuild.signature']!, /^[0-9a-f]{64}$/);
    t.truthy(manifest.annotations['org.opencontainers.image.created']);

    // skopeo, an independent client, copies the artifact: every blob is the file it names.
    const copy = tempDir('jhbuild-skopeo-');
    await skopeo('copy', '--src-tls-verify=false', `docker://${ref}`, `dir:${copy}`);
    for (const layer of manifest.layers) {
      const title = layer.annotations['org.opencontainers.image.title']!;
      t.true(readFileSync(join(copy, layer.digest.slice(7))).equals(readFileSync(join(project.deploy, title))), title);
    }

    // jhbuild pull: the same files, byte-identical, and the referrers.
    const out = tempDir('jhbuild-pull-');
    const pulled = await runCli(['pull', '--referrers', `${registry.host}/team/jailhouse@${digest}`, out]);
    t.is(pulled.code, 0, pulled.stderr);
    const deployed = filesOf(project.deploy);
    t.deepEqual(filesOf(out).filter((f) => !f.startsWith('.referrers')), deployed);
    for (const f of deployed) t.true(readFileSync(join(out, f)).equals(readFileSync(join(project.deploy, f))), f);

    // The referrers, found through the fallback tag by skopeo too.
    const index = JSON.parse(await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/team/jailhouse:${digest.replace(':', '-')}`)) as { manifests: { artifactType: string }[] };
    t.deepEqual(index.manifests.map((m) => m.artifactType).sort(), ['application/spdx+json', 'application/vnd.in-toto+json']);
    const sbom = JSON.parse(readFileSync(join(out, '.referrers', 'image.spdx.json'), 'utf8')) as { spdxVersion: string; packages: { name: string; licenseDeclared: string; checksums?: { checksumValue: string }[] }[]; files: { fileName: string; checksums: { algorithm: string; checksumValue: string }[] }[]; relationships: { relationshipType: string }[] };
    t.is(sbom.spdxVersion, 'SPDX-2.3');
    const blob = sbom.packages.find((p) => p.name === 'blob')!;
    t.is(blob.licenseDeclared, 'MIT OR Apache-2.0');
    t.is(blob.checksums![0]!.checksumValue, sha256(readFileSync(join(project.root, 'mirror', 'blob-1.0.tar.gz'))));
    const disk = sbom.files.find((f) => f.fileName === './disk.img')!;
    t.is(disk.checksums.find((c) => c.algorithm === 'SHA256')!.checksumValue, sha256(readFileSync(join(project.deploy, 'disk.img'))));
    t.true(sbom.relationships.some((r) => r.relationshipType === 'GENERATED_FROM'));
    const provenance = JSON.parse(readFileSync(join(out, '.referrers', 'image.provenance.json'), 'utf8')) as { predicateType: string; subject: { name: string }[]; predicate: { buildDefinition: { resolvedDependencies: { name: string; digest: Record<string, string> }[] } } };
    t.is(provenance.predicateType, 'https://slsa.dev/provenance/v1');
    t.deepEqual(provenance.subject.map((s) => s.name), deployed.map((f) => f.split('\\').join('/')));
    t.is(provenance.predicate.buildDefinition.resolvedDependencies.find((d) => d.name === 'blob')!.digest.sha256, blob.checksums![0]!.checksumValue);

    // A second publish uploads nothing: every blob is already there.
    const again = await runCli(['publish', ...project.args, ref, '--json']);
    t.is(again.code, 0, again.stderr);
    t.deepEqual((jsonEvents(again.stdout) as unknown as { event: string; uploaded?: boolean }[]).filter((e) => e.event === 'publish:blob' && e.uploaded), []);
  } finally {
    await registry.close();
  }
});

maybe('a registry stopped mid-push is an error; the rerun uploads only what is missing', async (t) => {
  const registry = await startRegistry();
  try {
    const ref = `${registry.host}/team/jailhouse:interrupted`;
    const child = startCli(['publish', ...project.args, ref, '--json']);
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const killed = new Promise<void>((resolve) => {
      child.stdout.on('data', (d) => {
        out += d;
        // manifest.json is the last small file; disk.img comes next: stop the registry once its bytes arrive.
        if (out.includes('"path":"manifest.json"')) void registry.waitForUploadBytes().then(() => registry.stop()).then(resolve);
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    await killed;
    t.is(code, 2);
    t.regex(err, /E_OCI_UNREACHABLE: upload blob sha256:[0-9a-f]+: 127\.0\.0\.1:\d+ did not answer/);
    t.false(out.includes('"path":"disk.img"'));

    await registry.start();
    const rerun = await runCli(['publish', ...project.args, ref, '--json']);
    t.is(rerun.code, 0, rerun.stderr);
    const blobs = (jsonEvents(rerun.stdout) as unknown as { event: string; path?: string; uploaded?: boolean }[]).filter((e) => e.event === 'publish:blob');
    t.deepEqual(blobs.filter((b) => b.uploaded).map((b) => b.path), ['disk.img', 'image.spdx.json', 'image.provenance.json']);
    const pulled = await runCli(['pull', ref, tempDir('jhbuild-pull-')]);
    t.is(pulled.code, 0, pulled.stderr);
  } finally {
    await registry.close();
  }
});

maybe('Basic auth: anonymous and a wrong password are refused with what to do, and the secret is never printed; auth.json written by skopeo login works', async (t) => {
  const secret = 'S3cret-never-shown';
  const registry = await startRegistry({ kind: 'htpasswd', user: 'ci', password: secret });
  try {
    const ref = `${registry.host}/team/jailhouse:basic`;
    const anonymous = await runCli(['publish', ...project.args, ref], { env: { HOME: tempDir() } });
    t.is(anonymous.code, 2);
    t.regex(anonymous.stderr, /E_OCI_AUTH: .* refused anonymous: 401/);
    t.regex(anonymous.stderr, /JHBUILD_REGISTRY_USER/);

    const wrong = 'wrong-Pa55word';
    for (const json of [[], ['--json']]) {
      const r = await runCli(['publish', ...project.args, ref, ...json], { env: { JHBUILD_REGISTRY_USER: 'ci', JHBUILD_REGISTRY_PASSWORD: wrong } });
      t.is(r.code, 2);
      t.regex(r.stderr, /refused user ci \(from JHBUILD_REGISTRY_USER\/JHBUILD_REGISTRY_PASSWORD\)/);
      const all = r.stdout + r.stderr;
      t.false(all.includes(wrong));
      t.false(all.includes(Buffer.from(`ci:${wrong}`).toString('base64')));
    }

    const ok = await runCli(['publish', ...project.args, ref, '--json'], { env: { JHBUILD_REGISTRY_USER: 'ci', JHBUILD_REGISTRY_PASSWORD: secret } });
    t.is(ok.code, 0, ok.stderr);
    t.false((ok.stdout + ok.stderr).includes(secret));

    // The user's own login, written by another tool, is found without any variable.
    const authFile = join(tempDir(), 'auth.json');
    execFileSync('skopeo', ['login', '--tls-verify=false', '--authfile', authFile, '-u', 'ci', '--password-stdin', registry.host], { input: secret, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = tempDir('jhbuild-pull-');
    const pulled = await runCli(['pull', ref, out], { env: { REGISTRY_AUTH_FILE: authFile } });
    t.is(pulled.code, 0, pulled.stderr);
    t.true(readFileSync(join(out, 'Image')).equals(readFileSync(join(project.deploy, 'Image'))));
  } finally {
    await registry.close();
  }
});

maybe('Bearer auth: the token is fetched from the realm the registry names, for the repository scope; a wrong password stops at the token service', async (t) => {
  const secret = 'T0ken-flow-secret';
  const registry = await startRegistry({ kind: 'token', user: 'ci', password: secret });
  try {
    const ref = `${registry.host}/team/jailhouse:bearer`;
    const ok = await runCli(['publish', ...project.args, ref], { env: { JHBUILD_REGISTRY_USER: 'ci', JHBUILD_REGISTRY_PASSWORD: secret } });
    t.is(ok.code, 0, ok.stderr);
    t.true(registry.tokenRequests.some((q) => q.includes('scope=repository%3Ateam%2Fjailhouse%3Apull%2Cpush') && q.includes('service=jhbuild-test')));
    const manifest = await skopeo('inspect', '--raw', '--tls-verify=false', '--creds', `ci:${secret}`, `docker://${ref}`);
    t.regex(manifest, /application\/vnd\.jhbuild\.deploy\.v1/);

    const bad = await runCli(['pull', ref, tempDir()], { env: { JHBUILD_REGISTRY_USER: 'ci', JHBUILD_REGISTRY_PASSWORD: 'nope-nope' } });
    t.is(bad.code, 2);
    t.regex(bad.stderr, /E_OCI_AUTH: token from http:\/\/127\.0\.0\.1:\d+: .* refused user ci/);
    t.false((bad.stdout + bad.stderr).includes('nope-nope'));
  } finally {
    await registry.close();
  }
});

maybe('references that do not exist or cannot exist are clear errors', async (t) => {
  const registry = await startRegistry();
  try {
    const nothing = await runCli(['pull', `${registry.host}/team/never-pushed:test`, tempDir()]);
    t.is(nothing.code, 2);
    t.regex(nothing.stderr, /E_OCI_NOT_FOUND: fetch manifest test: 127\.0\.0\.1:\d+\/team\/never-pushed:test: not found/);
    const upper = await runCli(['publish', ...project.args, `${registry.host}/Team/Jailhouse:test`]);
    t.is(upper.code, 2);
    t.regex(upper.stderr, /E_OCI_REFERENCE: .*invalid part "Team"/);
    const noHost = await runCli(['publish', ...project.args, 'team/jailhouse:test']);
    t.regex(noHost.stderr, /no registry host/);
  } finally {
    await registry.close();
  }
});

maybe('sbom: a recipe without a licence, or with one that is not an SPDX expression, is a recipe error naming the file', async (t) => {
  const file = join(project.root, 'recipes/blob/blob.recipe.ts');
  const original = readFileSync(file, 'utf8');
  try {
    writeFileSync(file, original.replace("license: 'MIT OR Apache-2.0', ", ''));
    const none = await runCli(['sbom', ...project.args, '-o', '-']);
    t.is(none.code, 2);
    t.regex(none.stderr, /E_RECIPE_LICENSE: recipe blob declares no licence/);
    t.true(none.stderr.includes(file));
    writeFileSync(file, original.replace("'MIT OR Apache-2.0'", "'MIT OR'"));
    const bad = await runCli(['sbom', ...project.args, '-o', '-']);
    t.regex(bad.stderr, /license "MIT OR" ends where a licence was expected/);
  } finally {
    writeFileSync(file, original);
  }
  const ok = await runCli(['sbom', ...project.args]);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /2 sources \(blob MIT OR Apache-2.0, image GPL-2.0-only\)/);
});
