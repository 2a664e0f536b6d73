/**
 * The packages inside a recipe's output in the SBOM: Buildroot's `make show-info` (a real one of
 * Buildroot 2025.02.16, test/fixtures/buildroot/show-info.json, its sites renamed) and the sha256 pins of
 * its .hash files become sbom-packages.json; `jhbuild sbom` lists one SPDX package per Buildroot package
 * with version, licence, download, sha256, CPE and purl, contained by the recipe (host tools as build
 * tools of it). A garbled list is refused naming the file and the field.
 */
import test from 'ava';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildrootPackages, spdxOfBuildrootLicense } from '../src/kinds/buildroot-sources.ts';
import { debianOrigins } from '../src/kinds/buildroot-debian.ts';
import { csvFields, readLegalInfo } from '../src/kinds/buildroot-legal.ts';
import type { BuildrootInfo } from '../src/kinds/buildroot.ts';
import { indexUrl, repoRoot, runCli } from './helpers/cli.ts';
import { tempDir, write, writeTestMachine } from './helpers/fixture.ts';

const info = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/buildroot/show-info.json'), 'utf8')) as BuildrootInfo;
const SHA = { busybox: 'b'.repeat(64), dropbear: 'd'.repeat(64), pkgconf: 'f'.repeat(64) };

/** A Buildroot tree with just the .hash files the packages list (sha256 pins, one sha512-only). */
function hashTree(): string {
  const tree = tempDir('jh-br-tree-');
  write(tree, 'package/busybox/busybox.hash', `sha256  ${SHA.busybox}  busybox-1.37.0.tar.bz2\nsha256  ${'0'.repeat(64)}  LICENSE\n`);
  write(tree, 'package/dropbear/dropbear.hash', `sha256  ${SHA.dropbear}  dropbear-2026.91.tar.bz2\n`);
  write(tree, 'package/pkgconf/pkgconf.hash', `sha256  ${SHA.pkgconf}  pkgconf-2.3.0.tar.xz\n`);
  write(tree, 'package/iproute2/iproute2.hash', `sha512  ${'e'.repeat(128)}  iproute2-6.14.0.tar.xz\n`);
  return tree;
}

test('Buildroot\'s licence lists become SPDX expressions', (t) => {
  t.is(spdxOfBuildrootLicense('GPL-2.0, bzip2-1.0.4'), 'GPL-2.0 AND bzip2-1.0.4');
  t.is(spdxOfBuildrootLicense('MIT, BSD-2-Clause, Public domain , Unlicense'), 'MIT AND BSD-2-Clause AND LicenseRef-Public-domain AND Unlicense');
  t.is(spdxOfBuildrootLicense(''), 'NOASSERTION');
});

test('show-info and the .hash pins: one entry per versioned package, target or host', (t) => {
  const packages = buildrootPackages(info, hashTree());
  t.deepEqual(packages.map((p) => `${p.role} ${p.name} ${p.version}`), ['target busybox 1.37.0', 'target dropbear 2026.91', 'host host-pkgconf 2.3.0', 'target iproute2 6.14.0']);
  t.deepEqual(packages[0], {
    name: 'busybox', version: '1.37.0', license: 'GPL-2.0 AND bzip2-1.0.4', downloadLocation: 'https://upstream.example.invalid/busybox/busybox-1.37.0.tar.bz2',
    sha256: SHA.busybox, cpe: 'cpe:2.3:a:busybox:busybox:1.37.0:-:*:*:*:*:*:*',
    purl: 'pkg:generic/busybox@1.37.0?download_url=https%3A%2F%2Fupstream.example.invalid%2Fbusybox%2Fbusybox-1.37.0.tar.bz2', role: 'target',
  });
  t.is(packages.find((p) => p.name === 'iproute2')!.sha256, undefined, 'a sha512-only pin gives no sha256');
});

/** A project whose image depends on a "guest" recipe that deploys sbom-packages.json (text given). */
function project(contained: string): { root: string; args: string[] } {
  const root = tempDir('jhbuild-sbom-');
  writeTestMachine(root);
  write(root, 'recipes/guest/files/contained.json', contained);
  write(root, 'recipes/guest/guest.recipe.ts', `import { copyInto, defineRecipe } from ${JSON.stringify(indexUrl)};
export default defineRecipe({
  name: 'guest', version: '2025.02.16', license: 'GPL-2.0-or-later', summary: 'a Buildroot userland',
  files: ['files/contained.json'],
  tasks: { deploy: (ctx) => { copyInto(ctx.file('files/contained.json'), ctx.dirs.deploy, 'sbom-packages.json'); } },
});
`);
  write(root, 'recipes/image/image.recipe.ts', `import { defineRecipe, writeImageManifest } from ${JSON.stringify(indexUrl)};
export default defineRecipe({
  name: 'image', version: '1', license: 'GPL-2.0-only',
  depends: [{ recipe: 'guest', task: 'deploy', for: 'deploy' }],
  tasks: {
    deploy: async (ctx) => {
      await ctx.exec('sh', ['-c', 'echo rootfs > rootfs.cpio.gz'], { cwd: ctx.dirs.deploy });
      await writeImageManifest(ctx.dirs.deploy, { machine: 'test', image: 'image' }, [{ path: 'rootfs.cpio.gz', recipe: 'image', version: '1', signature: null }]);
    },
  },
});
`);
  return { root, args: ['--project', root, '--machine', 'test'] };
}

test('jhbuild sbom: each Buildroot package is an SPDX package with its CPE, purl and sha256, contained by the recipe; host tools build it', async (t) => {
  const legal = readLegalInfo(join(import.meta.dirname, 'fixtures/buildroot/legal-info'));
  const { root, args } = project(`${JSON.stringify(buildrootPackages(info, hashTree(), new Map(), legal), null, 1)}\n`);
  const built = await runCli(['image', ...args]);
  t.is(built.code, 0, built.stdout + built.stderr);
  const made = await runCli(['sbom', ...args, '--output', '-']);
  t.is(made.code, 0, made.stderr);
  type Pkg = { SPDXID: string; name: string; versionInfo: string; licenseDeclared: string; checksums?: { checksumValue: string }[]; externalRefs?: { referenceType: string; referenceLocator: string }[] };
  const sbom = JSON.parse(made.stdout) as { packages: Pkg[]; relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[] };
  const busybox = sbom.packages.find((p) => p.name === 'busybox')!;
  t.is(busybox.versionInfo, '1.37.0');
  t.is(busybox.licenseDeclared, 'GPL-2.0 AND bzip2-1.0.4');
  t.is(busybox.checksums![0]!.checksumValue, SHA.busybox);
  t.deepEqual(busybox.externalRefs!.map((r) => r.referenceType), ['cpe23Type', 'purl']);
  // What legal-info saved: the licence texts and the source archive, each with its sha256.
  t.regex((busybox as { licenseComments?: string }).licenseComments ?? '', /^licence texts in legal-info\/ beside the output: licenses\/busybox-1\.35\.0\/LICENSE \(sha256 bbfc9843[0-9a-f]{56}\)/);
  t.regex((busybox as { sourceInfo?: string }).sourceInfo ?? '', /legal-info\/ beside the output\): sources\/busybox-1\.35\.0\/busybox-1\.35\.0\.tar\.gz \(sha256 fe75feda/);
  t.is(busybox.externalRefs![0]!.referenceLocator, 'cpe:2.3:a:busybox:busybox:1.37.0:-:*:*:*:*:*:*');
  const guest = sbom.packages.find((p) => p.name === 'guest')!;
  t.true(sbom.relationships.some((r) => r.spdxElementId === guest.SPDXID && r.relationshipType === 'CONTAINS' && r.relatedSpdxElement === busybox.SPDXID));
  const pkgconf = sbom.packages.find((p) => p.name === 'host-pkgconf')!;
  t.true(sbom.relationships.some((r) => r.spdxElementId === pkgconf.SPDXID && r.relationshipType === 'BUILD_TOOL_OF' && r.relatedSpdxElement === guest.SPDXID));
  t.is(sbom.packages.filter((p) => p.externalRefs?.some((r) => r.referenceType === 'cpe23Type')).length, 4, 'every Buildroot package has its CPE');

  // A garbled list is refused with the file and the field.
  writeFileSync(join(root, 'recipes/guest/files/contained.json'), '[{"name": "busybox", "version": "1.37.0", "license": "GPL-2.0", "downloadLocation": "NONE", "sha256": "xyz", "role": "target"}]\n');
  t.is((await runCli(['image', ...args])).code, 0);
  const refused = await runCli(['sbom', ...args, '--output', '-']);
  t.is(refused.code, 2, refused.stdout);
  t.regex(refused.stderr, /E_SBOM_PACKAGES: \S+sbom-packages\.json: \[0\]\.sha256: expected 64 hex digits/);
});

test('a build record whose manifest does not hash to its signature is not described', async (t) => {
  const { root, args } = project(`${JSON.stringify(buildrootPackages(info, hashTree()))}\n`);
  t.is((await runCli(['image', ...args])).code, 0);
  // The guest's configure entry (the one that records its version) says another version than it was signed with.
  const cache = join(root, 'build', 'cache');
  const manifests = readdirSync(cache).flatMap((d) => readdirSync(join(cache, d)).map((e) => join(cache, d, e, 'manifest.json')))
    .filter((f) => existsSync(f) && (JSON.parse(readFileSync(f, 'utf8')) as { task: string }).task === 'guest:configure');
  t.is(manifests.length, 1);
  writeFileSync(manifests[0]!, readFileSync(manifests[0]!, 'utf8').replace('2025.02.16', '2099.01'));
  const refused = await runCli(['sbom', ...args, '--output', '-']);
  t.is(refused.code, 2, refused.stdout);
  t.regex(refused.stderr, /E_PUBLISH_RECORD: the build record \w+ behind \S+ is corrupt: \S+manifest\.json does not hash to its signature/);
});

test('a Buildroot package built from a Debian source is named by it: a pkg:deb purl and the pinned file\'s sha256', (t) => {
  const debian = new Map([['busybox', { source: 'busybox', version: '1:1.35.0-4+deb12u1', sha256: 'f'.repeat(64) }]]);
  const busybox = buildrootPackages(info, hashTree(), debian).find((p) => p.name === 'busybox')!;
  t.is(busybox.purl, 'pkg:deb/debian/busybox@1%3A1.35.0-4%2Bdeb12u1?arch=source');
  t.is(busybox.sha256, 'f'.repeat(64));
  t.is(busybox.cpe, 'cpe:2.3:a:busybox:busybox:1.37.0:-:*:*:*:*:*:*', 'the CPE stays Buildroot\'s');
  // The table's origins: a tree is named by its .orig tarball, a file taken inside a tarball by that tarball's package.
  const origins = debianOrigins();
  t.deepEqual(origins.get('busybox'), { source: 'busybox', version: '1.35.0-4+deb12u1', sha256: 'faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694' });
  t.is(origins.get('musl-compat-headers')?.source, 'glibc');
  t.is(origins.get('gcc')?.source, 'gcc-12');
});

test('legal-info read back: each package\'s licence texts and saved sources with their sha256, a local tree\'s filed as NAME-custom', (t) => {
  const legal = readLegalInfo(join(import.meta.dirname, 'fixtures/buildroot/legal-info'));
  t.deepEqual(legal.get('busybox'), {
    license: 'GPL-2.0, bzip2-1.0.4',
    licenseFiles: [{ path: 'licenses/busybox-1.35.0/LICENSE', sha256: 'bbfc9843646d483c334664f651c208b9839626891d8f17604db2146962f43548' },
      { path: 'licenses/busybox-1.35.0/archival/libarchive/bz/LICENSE', sha256: 'b5a136ed67798e51fe2e0ca0b2a21cb01b904ff0c9f7d563a6292e276607e58f' }],
    sources: [{ path: 'sources/busybox-1.35.0/busybox-1.35.0.tar.gz', sha256: 'fe75fedab20a3260cb07ae42723935686531b7d15ae1a389eadb0512374ba41e' }],
  });
  t.deepEqual(legal.get('host-tar')?.sources.map((f) => f.path), ['host-sources/tar-custom/tar-custom.tar.gz']);
  t.deepEqual(csvFields('"a","b ""quoted""",""'), ['a', 'b "quoted"', '']);
  const busybox = buildrootPackages(info, hashTree(), new Map(), legal).find((p) => p.name === 'busybox')!;
  t.is(busybox.license, 'GPL-2.0 AND bzip2-1.0.4', 'the licence legal-info gives for the version built');
  t.is(busybox.licenseFiles?.length, 2);
  t.is(readLegalInfo(join(import.meta.dirname, 'fixtures/buildroot')).size, 0, 'no legal-info, nothing read');
});
