/**
 * Buildroot's `make legal-info` read back for the SBOM: per package, the licence texts and the
 * source archive (with its patches) Buildroot saved, each with the sha256 legal-info.sha256 gives it.
 * The folder itself is deployed beside the rootfs: what a GPL source offer hands over.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const LEGAL_INFO_DIR = 'legal-info';

export interface LegalFile { readonly path: string; readonly sha256: string }
export interface LegalPackage {
  /** As legal-info says it for the version built (it can differ from show-info's for overridden versions). */
  readonly license: string;
  /** Licence texts, relative to the legal-info folder. */
  readonly licenseFiles: readonly LegalFile[];
  /** The saved source archive(s) and patches; none where Buildroot saved none (a local tree is archived as PKG.cpio.gz). */
  readonly sources: readonly LegalFile[];
}

/** One line of Buildroot's CSV: every field quoted, a quote doubled inside one. Pure. */
export function csvFields(line: string): string[] {
  const fields: string[] = [];
  for (const m of line.matchAll(/"((?:[^"]|"")*)"(?:,|$)/g)) fields.push(m[1]!.replaceAll('""', '"'));
  return fields;
}

/**
 * The packages of a legal-info folder by show-info's name (host ones as "host-NAME"), or none when
 * the folder is missing. Files are those legal-info.sha256 lists under the package's folder.
 */
export function readLegalInfo(dir: string): Map<string, LegalPackage> {
  const packages = new Map<string, LegalPackage>();
  const sums = join(dir, 'legal-info.sha256');
  if (!existsSync(sums)) return packages;
  const hashes = readFileSync(sums, 'utf8').split('\n').flatMap((line) => {
    const m = /^([0-9a-f]{64})\s+(\S.*)$/.exec(line);
    return m ? [{ sha256: m[1]!, path: m[2]! }] : [];
  });
  for (const [manifest, prefix, licenses, sources] of [['manifest.csv', '', 'licenses', 'sources'], ['host-manifest.csv', 'host-', 'host-licenses', 'host-sources']] as const) {
    const file = join(dir, manifest);
    if (!existsSync(file)) continue;
    const [header, ...rows] = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(csvFields);
    const col = (name: string) => header!.indexOf(name);
    for (const row of rows) {
      const [name, version, license] = [row[col('PACKAGE')]!, row[col('VERSION')]!, row[col('LICENSE')]!];
      // A package built from a local tree (OVERRIDE_SRCDIR) is filed as NAME-custom; Buildroot itself as "buildroot".
      const folders = [`${name}-${version}/`, `${name}-custom/`, `${name}/`];
      const under = (top: string) => hashes.filter((h) => folders.some((f) => h.path.startsWith(`${top}/${f}`)));
      packages.set(`${prefix}${name}`, { license, licenseFiles: under(licenses), sources: under(sources) });
    }
  }
  return packages;
}
