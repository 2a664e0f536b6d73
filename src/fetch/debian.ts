/**
 * Files of Debian source packages, through the host's own apt configuration: apt decides which
 * archive (and proxy, and credentials) to use; no host is ever written in this project.
 * `apt-get source --print-uris` says where the file is; apt's own `apt-helper download-file`
 * fetches it with apt's transports. The caller accepts it only with the pinned sha256.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DebianOrigin } from '../core/types.ts';
import { JhError } from '../errors.ts';
import { runProcess } from '../exec/index.ts';

export interface AptSourceFile {
  readonly uri: string;
  readonly name: string;
  readonly size: number;
  readonly sha256: string | undefined;
}

/** The `'URI' NAME SIZE SHA256:HEX` lines of `apt-get source --print-uris`. Pure. */
export function parsePrintUris(text: string): AptSourceFile[] {
  const files: AptSourceFile[] = [];
  for (const line of text.split('\n')) {
    const m = /^'([^']+)'\s+(\S+)\s+(\d+)(?:\s+(\S+))?/.exec(line.trim());
    if (!m) continue;
    const hash = /^SHA256:([0-9a-f]{64})$/i.exec(m[4] ?? '');
    files.push({ uri: m[1]!, name: m[2]!, size: Number(m[3]), sha256: hash?.[1]?.toLowerCase() });
  }
  return files;
}

/** The apt command a user runs in a mirror folder to get the file by hand. */
export function aptSourceCommand(origin: DebianOrigin): string {
  return `apt-get source --download-only --only-source ${origin.package}=${origin.version}`;
}

const DEB_SRC_HINT = 'apt has no source index (deb-src): `jhbuild doctor --install` adds deb-src entries for the archives your host already uses, then runs apt-get update';

/**
 * Where apt would fetch the pinned file: first from the pinned version, then from whatever version
 * the archive holds now (an .orig tarball outlives Debian revisions; only the sha256 decides).
 */
export async function locateDebianFile(origin: DebianOrigin, sha256: string, work: string, signal?: AbortSignal): Promise<AptSourceFile> {
  const tried: string[] = [];
  for (const request of [`${origin.package}=${origin.version}`, origin.package]) {
    const log = join(mkdtempSync(join(work, 'apt-')), 'apt.log');
    let listed: AptSourceFile[];
    try {
      listed = parsePrintUris(await runProcess('apt-get', ['source', '--print-uris', '--only-source', request], { cwd: work, log, signal }));
    } catch (error) {
      const said = readLog(log);
      if (/deb-src/.test(said)) throw new JhError('E_FETCH_DEBIAN_NO_SRC', `cannot look up Debian source package ${origin.package}: ${lastLine(said)}`, { hint: DEB_SRC_HINT });
      if (error instanceof JhError) throw error;
      tried.push(`${request}: ${lastLine(said) || (error as Error).message}`);
      continue;
    } finally {
      rmSync(join(log, '..'), { recursive: true, force: true });
    }
    const found = listed.find((f) => f.sha256 === sha256) ?? listed.find((f) => f.name === origin.file && f.sha256 === undefined);
    if (found) return found;
    tried.push(`${request}: lists ${listed.map((f) => f.name).join(', ') || 'nothing'}, not ${origin.file} with sha256 ${sha256}`);
  }
  throw new JhError('E_FETCH_DEBIAN', `${origin.file} is not in any Debian source package your apt sources list`, {
    details: tried,
    hint: `an older release may still have it: put the file in a --mirror folder (${aptSourceCommand(origin)} where that version is listed), or update the recipe's pin`,
  });
}

/** Downloads one located file to `part` with apt's transports (proxies and auth as apt is configured). */
export async function downloadDebianFile(file: AptSourceFile, part: string, log: string, signal?: AbortSignal): Promise<void> {
  rmSync(part, { force: true });
  await runProcess('/usr/lib/apt/apt-helper', ['download-file', file.uri, part, ...(file.sha256 ? [`SHA256:${file.sha256}`] : [])], { log, signal });
}

function readLog(path: string): string {
  try { return readFileSync(path, 'utf8'); } catch { return ''; }
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter((l) => /^[EW]: /.test(l)).at(-1) ?? '';
}
