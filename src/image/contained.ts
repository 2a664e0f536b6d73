/**
 * The packages a recipe's output holds that are not recipes of their own (Buildroot's packages in
 * a guest's rootfs), as the recipe's deploy step writes them (sbom-packages.json) and the SBOM reads
 * them back: each with its version, licence, download, sha256 and the ids a CVE scanner matches.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { JhError } from '../errors.ts';

export const CONTAINED_FILE = 'sbom-packages.json';
const MAX_BYTES = 4 << 20;

export interface ContainedPackage {
  readonly name: string;
  readonly version: string;
  /** As the package declares it (Buildroot: "GPL-2.0+, BSD-3-Clause"). */
  readonly license: string;
  /** Where its source was fetched from (a URL), or NOASSERTION. */
  readonly downloadLocation: string;
  readonly sha256?: string;
  readonly cpe?: string;
  readonly purl?: string;
  /** target: in the output; host: a tool that made it. */
  readonly role: 'target' | 'host';
  /** Licence texts and source archives shipped beside the output (Buildroot's legal-info), by path and sha256. */
  readonly licenseFiles?: readonly { readonly path: string; readonly sha256: string }[];
  readonly sources?: readonly { readonly path: string; readonly sha256: string }[];
}

/** The contained packages a deploy folder lists, checked field by field; none when it lists none. */
export function readContained(dir: string): ContainedPackage[] {
  const file = join(dir, CONTAINED_FILE);
  if (!existsSync(file)) return [];
  const bad = (why: string) => new JhError('E_SBOM_PACKAGES', `${file}: ${why}`, { file, hint: 'rebuild the recipe that wrote it (jhbuild clean RECIPE, then build)' });
  if (statSync(file).size > MAX_BYTES) throw bad(`larger than ${MAX_BYTES} bytes`);
  let list: unknown;
  try { list = JSON.parse(readFileSync(file, 'utf8')); } catch { throw bad('not JSON'); }
  if (!Array.isArray(list)) throw bad('not a list of packages');
  return list.map((p: Record<string, unknown>, i) => {
    const text = (key: string, optional = false) => {
      const v = p?.[key];
      if (v === undefined && optional) return undefined;
      if (typeof v !== 'string' || v.length === 0 || v.length > 4096) throw bad(`[${i}].${key}: expected a non-empty string`);
      return v;
    };
    const sha256 = text('sha256', true);
    if (sha256 !== undefined && !/^[0-9a-f]{64}$/.test(sha256)) throw bad(`[${i}].sha256: expected 64 hex digits`);
    const role = text('role');
    if (role !== 'target' && role !== 'host') throw bad(`[${i}].role: expected "target" or "host"`);
    const files = (key: 'licenseFiles' | 'sources') => {
      const v = p?.[key];
      if (v === undefined) return {};
      if (!Array.isArray(v) || v.length > 1000) throw bad(`[${i}].${key}: expected a list of files`);
      return { [key]: v.map((f: Record<string, unknown>, j) => {
        if (typeof f?.path !== 'string' || !f.path || f.path.length > 4096 || f.path.split('/').includes('..')) throw bad(`[${i}].${key}[${j}].path: expected a relative path`);
        if (typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) throw bad(`[${i}].${key}[${j}].sha256: expected 64 hex digits`);
        return { path: f.path, sha256: f.sha256 };
      }) };
    };
    return { name: text('name')!, version: text('version')!, license: text('license')!, downloadLocation: text('downloadLocation')!,
      ...(sha256 ? { sha256 } : {}), ...(p.cpe !== undefined ? { cpe: text('cpe') } : {}), ...(p.purl !== undefined ? { purl: text('purl') } : {}), role,
      ...files('licenseFiles'), ...files('sources') };
  });
}
