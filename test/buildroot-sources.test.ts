/**
 * Buildroot's downloads from Debian: against a real deb-src repository on 127.0.0.1 (the host's apt
 * pointed at it with APT_CONFIG), a file whose sha256 in Buildroot's .hash is the sha256 of a Debian
 * source file is fetched into BR2_DL_DIR under Buildroot's name; one whose bytes Debian does not ship
 * is named with what Debian has instead, as is one pinned by sha512 only.
 */
import test from 'ava';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { whichSync } from '../src/exec/which.ts';
import { debianRoutes, fetchDebianRoutes, routeLine } from '../src/kinds/buildroot-sources.ts';
import { missingDownloads, type BuildrootInfo } from '../src/kinds/buildroot.ts';
import { aptRepository } from './helpers/apt-repo.ts';
import { tempDir } from './helpers/fixture.ts';

const missingTool = ['apt-get', 'dpkg-scansources'].find((tool) => !whichSync(tool));
if (missingTool) console.log(`SKIP Buildroot downloads from Debian: ${missingTool} is not installed (apt-get install apt dpkg-dev)`);

(missingTool ? test.skip : test.serial)('a Buildroot download Debian ships byte for byte is taken through apt; the others say what Debian has', async (t) => {
  const repo = await aptRepository('1.0-2');
  process.env.APT_CONFIG = repo.env.APT_CONFIG;
  try {
    const buildroot = tempDir();
    const hash = (pkg: string, lines: string[]) => {
      mkdirSync(join(buildroot, 'package', pkg), { recursive: true });
      writeFileSync(join(buildroot, 'package', pkg, `${pkg}.hash`), `# Locally computed\n${lines.join('\n')}\n`);
    };
    hash('jhtest', [`sha256  ${repo.origSha}  jhtest-1.0.tar.gz`, 'sha256  ' + '0'.repeat(64) + '  LICENSE']);
    hash('other', [`sha256  ${'1'.repeat(64)}  other-2.0.tar.xz`]);
    hash('strong', [`sha512  ${'2'.repeat(128)}  strong-1.0.tar.xz`]);
    const info: BuildrootInfo = {
      jhtest: { dl_dir: 'jhtest', downloads: [{ source: 'jhtest-1.0.tar.gz', uris: ['https+https://example.invalid/jhtest'] }], hashes: ['package/jhtest/jhtest.hash'] },
      'host-jhtest': { dl_dir: 'jhtest', downloads: [{ source: 'jhtest-1.0.tar.gz', uris: [] }], hashes: ['package/jhtest/jhtest.hash'] },
      other: { dl_dir: 'other', downloads: [{ source: 'other-2.0.tar.xz', uris: ['https+https://example.invalid/other'] }], hashes: ['package/other/other.hash'] },
      strong: { dl_dir: 'strong', downloads: [{ source: 'strong-1.0.tar.xz', uris: [] }], hashes: ['package/strong/strong.hash'] },
    };
    const dl = join(tempDir(), 'dl');
    const log = join(tempDir(), 'log', 'sources.log');
    const routes = await debianRoutes(info, buildroot, missingDownloads(info, dl), log);
    t.deepEqual(routes.map(routeLine), [
      'jhtest: jhtest-1.0.tar.gz is Debian\'s jhtest_1.0.orig.tar.gz (apt-get source --download-only --only-source jhtest), taken when not --offline',
      'other: other-2.0.tar.xz (https://example.invalid/other/other-2.0.tar.xz): apt lists no source package other',
      'strong: strong-1.0.tar.xz: Buildroot pins it by sha512 only, apt lists sha256',
    ]);
    t.is(await fetchDebianRoutes(routes, dl, log), 1);
    const taken = readFileSync(join(dl, 'jhtest', 'jhtest-1.0.tar.gz'));
    t.is(createHash('sha256').update(taken).digest('hex'), repo.origSha, 'the bytes Buildroot pins, under Buildroot\'s name');
    t.deepEqual(missingDownloads(info, dl).map((d) => d.file), ['other-2.0.tar.xz', 'strong-1.0.tar.xz']);

    // A Debian source package of another version than Buildroot's: named with its .orig tarball.
    const newer = { ...info, jhtest: { ...info.jhtest!, downloads: [{ source: 'jhtest-1.1.tar.gz', uris: [] }] } };
    hash('jhtest', [`sha256  ${'3'.repeat(64)}  jhtest-1.1.tar.gz`]);
    const [other] = await debianRoutes({ jhtest: newer.jhtest }, buildroot, missingDownloads({ jhtest: newer.jhtest }, dl), log);
    t.is(routeLine(other!), 'jhtest: jhtest-1.1.tar.gz: Debian\'s jhtest has jhtest_1.0.orig.tar.gz, not these bytes');
  } finally {
    delete process.env.APT_CONFIG;
    await repo.server.close();
  }
});
