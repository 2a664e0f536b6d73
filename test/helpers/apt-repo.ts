/** A real deb-src repository (dpkg-scansources) on a real HTTP server on 127.0.0.1, and an apt config that lists only it. */
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './fixture.ts';
import { serveFiles } from './http.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

/** A deb-src repository of package "jhtest" at `version`, served on 127.0.0.1, and an apt config that lists only it. */
export async function aptRepository(version: string) {
  const dir = tempDir();
  const pool = join(dir, 'pool');
  mkdirSync(join(pool, 'jhtest-1.0'), { recursive: true });
  writeFileSync(join(pool, 'jhtest-1.0', 'data.bin'), randomBytes(256 * 1024));
  execFileSync('tar', ['-czf', join(pool, 'jhtest_1.0.orig.tar.gz'), '-C', pool, 'jhtest-1.0']);
  const orig = readFileSync(join(pool, 'jhtest_1.0.orig.tar.gz'));
  const debianTar = Buffer.from('debian packaging stand-in\n');
  writeFileSync(join(pool, `jhtest_${version}.debian.tar.xz`), debianTar);
  const files = [['jhtest_1.0.orig.tar.gz', orig], [`jhtest_${version}.debian.tar.xz`, debianTar]] as const;
  writeFileSync(join(pool, `jhtest_${version}.dsc`), [
    'Format: 3.0 (quilt)', 'Source: jhtest', 'Binary: jhtest', 'Architecture: all', `Version: ${version}`,
    'Maintainer: jhbuild tests <tests@localhost>', 'Standards-Version: 4.6.2',
    'Checksums-Sha256:', ...files.map(([n, b]) => ` ${sha(b)} ${b.length} ${n}`),
    'Files:', ...files.map(([n, b]) => ` ${md5(b)} ${b.length} ${n}`), ''].join('\n'));
  const sources = execFileSync('dpkg-scansources', ['pool'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
  const served: Record<string, Uint8Array> = { '/Sources': sources };
  for (const name of [`jhtest_${version}.dsc`, ...files.map(([n]) => n)]) served[`/pool/${name}`] = readFileSync(join(pool, name));
  const server = await serveFiles(served);
  const apt = join(dir, 'apt');
  for (const sub of ['lists/partial', 'cache/archives/partial', 'sources.list.d']) mkdirSync(join(apt, sub), { recursive: true });
  writeFileSync(join(apt, 'sources.list'), `deb-src [trusted=yes] ${server.url}/ ./\n`);
  writeFileSync(join(apt, 'apt.conf'), [
    `Dir::Etc::SourceList "${apt}/sources.list";`, `Dir::Etc::SourceParts "${apt}/sources.list.d";`,
    `Dir::State::Lists "${apt}/lists";`, `Dir::Cache "${apt}/cache";`, 'Dir::State::status "/var/lib/dpkg/status";',
    'APT::Sandbox::User "root";', 'Acquire::Languages "none";', ''].join('\n'));
  const env = { APT_CONFIG: join(apt, 'apt.conf') };
  // Not execFileSync: the server answering apt runs in this very process.
  await promisify(execFile)('apt-get', ['update', '-qq'], { env: { ...process.env, ...env } });
  return { server, env, origSha: sha(orig) };
}

