/**
 * Where Buildroot's downloads can come from on a host that reaches only its distribution's archive:
 * a Debian source package whose file has exactly the sha256 Buildroot's own .hash file pins is the
 * same bytes (an .orig tarball Debian took unchanged from upstream). Those are fetched through the
 * host's apt configuration into BR2_DL_DIR under Buildroot's file name, and Buildroot still checks
 * each against its .hash. What no Debian package ships is named with what Debian has instead.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { JhError } from '../errors.ts';
import { runProcess } from '../exec/index.ts';
import { downloadDebianFile, parsePrintUris, type AptSourceFile } from '../fetch/debian.ts';
import type { ContainedPackage } from '../image/contained.ts';
import { siteOf, type BuildrootDownload, type BuildrootInfo } from './buildroot.ts';
import type { LegalPackage } from './buildroot-legal.ts';

/** Buildroot package folders whose Debian source package has another name. */
const DEBIAN_SOURCE: Readonly<Record<string, string>> = { automake: 'automake-1.16', gcc: 'gcc-12', 'gettext-tiny': 'gettext', mpc: 'mpclib3', mpfr: 'mpfr4' };

export interface DebianRoute {
  readonly download: BuildrootDownload;
  /** What Buildroot's .hash files pin for the file (undefined: no hash file lists it). */
  readonly sha256: string | undefined;
  /** The Debian source package's file with those bytes, and the package it is in. */
  readonly debian?: AptSourceFile & { readonly source: string };
  /** Why there is none: what the Debian source package holds instead. */
  readonly why?: string;
}

/**
 * What the hash files Buildroot lists for a download folder pin for a file: its sha256, or the
 * algorithm it is pinned by when that is another (apt lists sha256 only).
 */
export function pinnedHash(info: BuildrootInfo, buildroot: string, download: BuildrootDownload): { sha256?: string; algorithm?: string } {
  const files = Object.entries(info).filter(([name, pkg]) => (pkg.dl_dir ?? name) === download.package).flatMap(([, pkg]) => pkg.hashes ?? []);
  let other: string | undefined;
  for (const file of new Set(files)) {
    const path = join(buildroot, file);
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const m = /^(\w+)\s+([0-9a-f]+)\s+(\S+)\s*$/i.exec(line.trim());
      if (!m || m[3] !== download.file) continue;
      if (m[1] === 'sha256') return { sha256: m[2]!.toLowerCase() };
      other ??= m[1];
    }
  }
  return { algorithm: other };
}

/** For each download, the Debian source file with the pinned bytes, or why there is none. Reads apt's indexes only: works offline. */
export async function debianRoutes(info: BuildrootInfo, buildroot: string, missing: readonly BuildrootDownload[], log: string, signal?: AbortSignal): Promise<DebianRoute[]> {
  const listed = new Map<string, AptSourceFile[] | string>();
  const routes: DebianRoute[] = [];
  for (const download of missing) {
    const { sha256, algorithm } = pinnedHash(info, buildroot, download);
    if (!sha256) {
      routes.push({ download, sha256, why: algorithm ? `Buildroot pins it by ${algorithm} only, apt lists sha256` : 'no .hash file of Buildroot pins it' });
      continue;
    }
    const source = DEBIAN_SOURCE[download.package] ?? download.package;
    if (!listed.has(source)) {
      try {
        listed.set(source, parsePrintUris(await runProcess('apt-get', ['source', '--print-uris', '--only-source', source], { cwd: join(log, '..'), log, signal })));
      } catch {
        // apt's own words: "Unable to find a source package", or that the host lists no deb-src at all.
        const said = readFileSync(log, 'utf8').trim().split('\n').filter((l) => /^E: /.test(l)).at(-1);
        listed.set(source, `apt lists no source package ${source}${said && !/Unable to find a source package/.test(said) ? ` (apt: ${said.slice(3)})` : ''}`);
      }
    }
    const files = listed.get(source)!;
    if (typeof files === 'string') { routes.push({ download, sha256, why: files }); continue; }
    const same = files.find((f) => f.sha256 === sha256);
    const orig = files.filter((f) => /\.orig\.tar\./.test(f.name)).map((f) => f.name);
    routes.push(same ? { download, sha256, debian: { ...same, source } }
      : { download, sha256, why: `Debian's ${source} has ${orig.join(', ') || 'no .orig tarball'}, not these bytes` });
  }
  return routes;
}

/** Fetches the routed files into BR2_DL_DIR/<package>/<file>, each checked against the pinned sha256 before it is put there. */
export async function fetchDebianRoutes(routes: readonly DebianRoute[], dlDir: string, log: string, signal?: AbortSignal): Promise<number> {
  let fetched = 0;
  for (const route of routes) {
    if (!route.debian || !route.sha256) continue;
    const dir = join(dlDir, route.download.package);
    mkdirSync(dir, { recursive: true });
    const part = join(dir, `${route.download.file}.part-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await downloadDebianFile(route.debian, part, log, signal);
      const actual = createHash('sha256').update(readFileSync(part)).digest('hex');
      if (actual !== route.sha256) {
        throw new JhError('E_FETCH_CHECKSUM', `${route.debian.name} from apt has sha256 ${actual}, Buildroot pins ${route.sha256} for ${route.download.file}`, { hint: 'run apt-get update; the archive changed the file under the same name' });
      }
      renameSync(part, join(dir, route.download.file));
    } finally {
      rmSync(part, { force: true });
    }
    fetched++;
  }
  return fetched;
}

/** One line per download for an error's details: where it can come from, or why nothing here provides it. */
export function routeLine(route: DebianRoute): string {
  const { download } = route;
  if (route.debian) return `${download.package}: ${download.file} is Debian's ${route.debian.name} (apt-get source --download-only --only-source ${route.debian.source}), taken when not --offline`;
  return `${download.package}: ${download.file}${download.uri ? ` (${download.uri})` : ''}: ${route.why}`;
}

/** Buildroot's licence list ("GPL-2.0+, BSD-3-Clause") as an SPDX expression: ids joined by AND, other names as LicenseRef-. */
export function spdxOfBuildrootLicense(text: string): string {
  const terms = text.split(',').map((t) => t.trim()).filter(Boolean);
  if (terms.length === 0) return 'NOASSERTION';
  return terms.map((t) => (/^[A-Za-z0-9][A-Za-z0-9.-]*\+?$/.test(t) ? t : `LicenseRef-${t.replace(/[^A-Za-z0-9.-]+/g, '-')}`)).join(' AND ');
}

/** A Debian source a Buildroot package was built from instead of its upstream download (its file and that file's pin). */
export interface DebianOriginOf { readonly source: string; readonly version: string; readonly sha256: string }

/**
 * The packages of a Buildroot configuration for the SBOM, from `make show-info` and the .hash pins:
 * target ones are in the rootfs, host ones built it. A package built from a Debian source (`debian`,
 * by Buildroot download folder) is named by that source (a pkg:deb purl, the pinned file's sha256),
 * which is what a scanner matches Debian's security tracker against.
 */
export function buildrootPackages(info: BuildrootInfo, buildroot: string, debian: ReadonlyMap<string, DebianOriginOf> = new Map(),
  legal: ReadonlyMap<string, LegalPackage> = new Map()): ContainedPackage[] {
  return Object.entries(info).flatMap(([name, pkg]): ContainedPackage[] => {
    const role = pkg.type;
    if (pkg.virtual || !pkg.version || (role !== 'target' && role !== 'host')) return [];
    const first = pkg.downloads?.[0];
    const download = first ? { package: pkg.dl_dir ?? name, file: first.source } : undefined;
    const upstream = first?.uris.find((u) => !u.startsWith('file'));
    const site = upstream ? siteOf(upstream) : undefined;
    const url = first && site ? `${site}/${first.source}` : undefined;
    const origin = debian.get(pkg.dl_dir ?? name.replace(/^host-/, ''));
    const sha256 = origin?.sha256 ?? (download ? pinnedHash(info, buildroot, download).sha256 : undefined);
    const saved = legal.get(name);
    return [{
      name, version: pkg.version, license: spdxOfBuildrootLicense(saved?.license ?? pkg.licenses ?? ''), downloadLocation: url ?? (first ? 'NOASSERTION' : 'NONE'),
      ...(sha256 ? { sha256 } : {}), ...(pkg['cpe-id'] ? { cpe: pkg['cpe-id'] } : {}),
      purl: origin ? `pkg:deb/debian/${encodeURIComponent(origin.source)}@${encodeURIComponent(origin.version)}?arch=source`
        : `pkg:generic/${encodeURIComponent(pkg.name ?? name)}@${encodeURIComponent(pkg.version)}${url ? `?download_url=${encodeURIComponent(url)}` : ''}`,
      role,
      ...(saved?.licenseFiles.length ? { licenseFiles: saved.licenseFiles } : {}), ...(saved?.sources.length ? { sources: saved.sources } : {}),
    }];
  }).sort((a, b) => a.name.localeCompare(b.name));
}
