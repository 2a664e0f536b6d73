/**
 * Files of Debian source packages, through the host's own apt configuration: apt decides which
 * archive (and proxy, and credentials) to use; no host is ever written in this project.
 * `apt-get source --print-uris` says where the file is; apt's own `apt-helper download-file`
 * fetches it with apt's transports. The caller accepts it only with the pinned sha256.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebianOrigin } from './types.ts';
import { JhError } from '../errors.ts';
import { runProcess } from '../exec/index.ts';
import { componentEntries, readAptSources } from './apt-sources.ts';

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
  const component = origin.component ? ` (with the ${origin.component} component in apt's sources)` : '';
  return origin.binary ? `apt-get download ${origin.package}=${origin.version}${component}`
    : `apt-get source --download-only --only-source ${origin.package}=${origin.version}${component}`;
}

/** `apt-get` arguments that list where a pinned file is: a source package's files, or a binary package's .deb. */
function printUrisArgs(origin: DebianOrigin, request: string): string[] {
  return origin.binary ? ['download', '--print-uris', request] : ['source', '--print-uris', '--only-source', request];
}

const DEB_SRC_HINT = 'apt has no source index (deb-src): `jhbuild doctor --install` adds deb-src entries for the archives your host already uses, then runs apt-get update';

/**
 * Where apt would fetch the pinned file: first from the pinned version, then from whatever version
 * the archive holds now (an .orig tarball outlives Debian revisions; only the sha256 decides).
 */
export async function locateDebianFile(origin: DebianOrigin, sha256: string, work: string, signal?: AbortSignal): Promise<AptSourceFile> {
  const tried: string[] = [];
  const options = origin.component ? await privateAptOptions(origin.component, join(work, 'apt', origin.component), signal) : [];
  for (const request of [`${origin.package}=${origin.version}`, origin.package]) {
    const log = join(mkdtempSync(join(work, 'apt-')), 'apt.log');
    let listed: AptSourceFile[];
    try {
      listed = parsePrintUris(await runProcess('apt-get', [...options, ...printUrisArgs(origin, request)], { cwd: work, log, signal }));
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
  throw new JhError('E_FETCH_DEBIAN', `${origin.file} is not in any Debian ${origin.binary ? 'package' : 'source package'} your apt sources list${origin.component ? ` (component ${origin.component})` : ''}`, {
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

/**
 * apt options for a component the host may not list: the host's archives and suites with that
 * component, indexed into a private state folder (the host's apt configuration is left alone).
 * The index is made once; `jhbuild clean --all`-style removal of the folder refreshes it.
 */
async function privateAptOptions(component: string, dir: string, signal?: AbortSignal): Promise<string[]> {
  const parts = join(dir, 'sources.list.d');
  const lists = join(dir, 'lists');
  const options = ['-o', `Dir::Etc::SourceList=${join(dir, 'none.list')}`, '-o', `Dir::Etc::SourceParts=${parts}`,
    '-o', `Dir::State::Lists=${lists}`, '-o', `Dir::Cache=${join(dir, 'cache')}`];
  if (existsSync(lists) && readdirSync(lists).some((f) => f.endsWith('_Sources') || f.includes('_Packages'))) return options;
  const entries = componentEntries(readAptSources(), component);
  if (!entries) {
    throw new JhError('E_FETCH_DEBIAN_NO_SRC', `apt lists no Debian archive to look up the ${component} component on`, { hint: 'this host has no deb entries in /etc/apt/sources.list(.d)' });
  }
  for (const d of [parts, join(lists, 'partial'), join(dir, 'cache', 'archives', 'partial')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(dir, 'none.list'), '');
  writeFileSync(join(parts, `${component}.sources`), `# The host's archives and suites, component ${component} (written by jhbuild).\n${entries}`);
  const log = join(dir, 'update.log');
  try {
    await runProcess('apt-get', [...options, 'update'], { cwd: dir, log, signal });
  } catch (error) {
    rmSync(lists, { recursive: true, force: true });
    throw new JhError('E_FETCH_DEBIAN', `apt could not index the ${component} component of the host's archives: ${lastLine(readLog(log)) || (error as Error).message}`, { hint: `see ${log}` });
  }
  return options;
}
