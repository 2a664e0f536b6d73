/** Reading Buildroot: what `make show-info` says it will download, and what its build log says it is doing. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { JhError } from '../errors.ts';

/** `make show-info`: one entry per package of the configuration (package/pkg-utils.mk, json-info). */
export type BuildrootInfo = Readonly<Record<string, {
  readonly dl_dir?: string;
  readonly downloads?: readonly { readonly source: string; readonly uris: readonly string[] }[];
  /** Its .hash files, relative to the Buildroot tree. */
  readonly hashes?: readonly string[];
  readonly name?: string;
  readonly version?: string;
  readonly type?: string;
  readonly virtual?: boolean;
  readonly licenses?: string;
  readonly 'cpe-id'?: string;
}>>;

export interface BuildrootDownload { readonly package: string; readonly file: string; readonly uri?: string }

/** The site of one of show-info's uris ("https+https://site/dir", "https|urlencode+https://site"): the method prefix dropped. */
export const siteOf = (uri: string) => uri.replace(/^[a-z]+(?:\|[a-z]+)*\+/, '');

/** The downloads not yet in BR2_DL_DIR (Buildroot keeps each in a folder named after the package's dl_dir). */
export function missingDownloads(info: BuildrootInfo, dlDir: string): BuildrootDownload[] {
  const missing = new Map<string, BuildrootDownload>();
  for (const [name, pkg] of Object.entries(info)) {
    const dir = pkg.dl_dir ?? name;
    for (const d of pkg.downloads ?? []) {
      // host-gcc-initial and host-gcc-final share gcc's folder and tarball: one download.
      if (existsSync(join(dlDir, dir, d.source)) || missing.has(`${dir}/${d.source}`)) continue;
      missing.set(`${dir}/${d.source}`, { package: dir, file: d.source, uri: d.uris[0] ? `${siteOf(d.uris[0])}/${d.source}` : undefined });
    }
  }
  return [...missing.values()].sort((a, b) => a.package.localeCompare(b.package) || a.file.localeCompare(b.file));
}

/** ">>> busybox 1.37.0 Building" (Buildroot's step banner, package/pkg-utils.mk MESSAGE) as "busybox 1.37.0: building". */
export function buildrootProgress(line: string): string | undefined {
  // The banner is coloured when make runs on a terminal: strip escapes before matching.
  const m = /^>>> (\S+)(?: (\S+))? (\S.*)$/.exec(line.replace(/\x1b\[[0-9;]*m/g, '').trim());
  if (!m) return undefined;
  return `${m[1]}${m[2] ? ` ${m[2]}` : ''}: ${m[3]!.charAt(0).toLowerCase()}${m[3]!.slice(1)}`;
}

/** Buildroot's target option and its toolchain's tuple per machine arch. */
const BUILDROOT_ARCH: Readonly<Record<string, { readonly option: string; readonly tuple: string }>> = {
  arm64: { option: 'BR2_aarch64=y', tuple: 'aarch64-buildroot-linux-musl' },
  x86: { option: 'BR2_x86_64=y', tuple: 'x86_64-buildroot-linux-musl' },
};

export function buildrootTarget(arch: string): { readonly option: string; readonly tuple: string } {
  const found = BUILDROOT_ARCH[arch];
  if (!found) throw new JhError('E_BUILDROOT_ARCH', `no Buildroot target for machine arch ${arch}`, { hint: `arch: ${Object.keys(BUILDROOT_ARCH).join(' or ')}` });
  return found;
}

/** Buildroot refuses to run configure scripts as root unless told (CI and containers build as root). */
export const BUILDROOT_ENV: Readonly<Record<string, string>> = { FORCE_UNSAFE_CONFIGURE: '1' };

/** The SDK `make sdk` writes (images/<tuple>_sdk-buildroot.tar.gz), and the folder it unpacks to. */
export const sdkName = (tuple: string) => `${tuple}_sdk-buildroot`;
