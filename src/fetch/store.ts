/**
 * The download store: sources land in one shared folder, verified by sha256 before use.
 * Order of places: the store itself, then each --mirror (folder or URL; by name, alias or sha256),
 * then the upstream URL, then the Debian source package that ships the same bytes (through the
 * host's apt configuration). --offline tries only the store and mirror folders.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebianOrigin } from '../core/types.ts';
import { JhError } from '../errors.ts';

export interface FetchOptions {
  readonly downloads: string;
  readonly mirrors: readonly string[];
  readonly offline: boolean;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  /** Log file for the processes a fetch starts (apt, git). */
  readonly logFile?: string;
}

export interface TarballSpec {
  readonly url?: string;
  readonly sha256: string;
  readonly filename: string;
  /** The Debian source package file with the same bytes (its name is also looked for in mirrors). */
  readonly debian?: DebianOrigin;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function downloadPath(downloads: string, spec: TarballSpec): string {
  return join(downloads, spec.filename);
}

const isUrl = (place: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(place);

export async function fetchTarball(spec: TarballSpec, options: FetchOptions): Promise<string> {
  const target = downloadPath(options.downloads, spec);
  mkdirSync(options.downloads, { recursive: true });
  const looked: string[] = [];
  const mismatches: string[] = [];
  const accept = async (candidate: string, place: string): Promise<boolean> => {
    const actual = await sha256File(candidate);
    if (actual === spec.sha256) return true;
    mismatches.push(`${place}: got ${actual}`);
    return false;
  };

  if (existsSync(target)) {
    if (await accept(target, target)) return target;
    rmSync(target);
  }
  looked.push(target);
  const names = [...new Set([spec.filename, ...(spec.debian ? [spec.debian.file] : []), spec.sha256])];
  for (const mirror of options.mirrors) {
    for (const name of names) {
      if (isUrl(mirror)) {
        if (options.offline || mirror.startsWith('file:')) continue;
        const url = `${mirror.replace(/\/$/, '')}/${encodeURIComponent(name)}`;
        looked.push(url);
        if (await tryDownload(url, target, spec, options, mismatches)) return target;
      } else {
        const candidate = join(mirror, name);
        looked.push(candidate);
        if (!existsSync(candidate)) continue;
        options.log?.(`using mirror file ${candidate}`);
        if (await accept(candidate, candidate)) {
          const temp = `${target}.part-${process.pid}`;
          copyFileSync(candidate, temp);
          renameSync(temp, target);
          return target;
        }
      }
    }
  }
  if (!options.offline && spec.url) {
    looked.push(spec.url);
    if (await tryDownload(spec.url, target, spec, options, mismatches)) return target;
  }
  if (!options.offline && spec.debian) {
    looked.push(`Debian source package ${spec.debian.package} (${spec.debian.version}) through apt`);
    if (await tryDebian(spec, spec.debian, target, options, mismatches)) return target;
  }
  if (mismatches.length > 0) {
    throw new JhError('E_FETCH_CHECKSUM', `${spec.filename}: sha256 mismatch, nothing kept`, {
      details: [`expected ${spec.sha256}`, ...mismatches.map((m) => `actual   ${m}`)],
      hint: 'the file differs from the one the recipe pins; fix the sha256 only if you verified the new file' });
  }
  const byApt = spec.debian ? ` (in that folder: ${(await import('./debian.ts')).aptSourceCommand(spec.debian)})` : '';
  throw new JhError('E_FETCH_MISSING', `${spec.filename} is not available${options.offline ? ' offline' : ''}`, {
    details: looked.map((place) => `looked in ${place}`),
    hint: options.offline ? `put ${spec.filename} (or a file named ${spec.sha256}) in a --mirror folder${byApt}, or drop --offline`
      : `check the URL or give a --mirror that holds the file${byApt}` });
}

async function tryDebian(spec: TarballSpec, origin: DebianOrigin, target: string, options: FetchOptions, mismatches: string[]): Promise<boolean> {
  const { downloadDebianFile, locateDebianFile } = await import('./debian.ts');
  const part = `${target}.part`;
  const located = await locateDebianFile(origin, spec.sha256, options.downloads, options.signal);
  options.log?.(`fetching ${located.name} through apt (${located.uri})`);
  try {
    await downloadDebianFile(located, part, options.logFile ?? `${target}.apt.log`, options.signal);
  } catch (error) {
    rmSync(part, { force: true });
    if (error instanceof JhError) throw error;
    options.log?.(`apt could not fetch ${located.uri}: ${(error as Error).message}`);
    return false;
  }
  const actual = await sha256File(part);
  if (actual !== spec.sha256) {
    rmSync(part, { force: true });
    mismatches.push(`${located.uri}: got ${actual}`);
    return false;
  }
  renameSync(part, target);
  return true;
}

async function tryDownload(url: string, target: string, spec: TarballSpec, options: FetchOptions,
  mismatches: string[]): Promise<boolean> {
  const { downloadWithResume } = await import('./http.ts');
  const part = `${target}.part`;
  try {
    options.log?.(`downloading ${url}`);
    const actual = await downloadWithResume(url, part, { signal: options.signal, log: options.log });
    if (actual !== spec.sha256) {
      rmSync(part, { force: true });
      mismatches.push(`${url}: got ${actual}`);
      return false;
    }
    renameSync(part, target);
    return true;
  } catch (error) {
    if (error instanceof JhError) throw error;
    options.log?.(`${url}: ${(error as Error).message}`);
    return false;
  }
}
