/**
 * The download store: sources land in one shared folder, verified by sha256 before use.
 * Order of places: the store itself, then each --mirror (folder or URL; by name, alias or sha256),
 * then the upstream URL, then the Debian source package that ships the same bytes (through the
 * host's apt configuration). --offline tries only the store and mirror folders.
 * Several processes may share the folder: each writes its own `<file>.part-<pid>-<random>` and
 * renames it into place once its sha256 matches; a verified file's stat is recorded, so a later
 * use hashes it again only when it changed.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DebianOrigin } from './types.ts';
import { JhError } from '../errors.ts';
import { checkDownloadSync, partPath } from './download.ts';
import { forgetVerified, isRecordedVerified, recordVerified } from './verified.ts';

export interface FetchOptions {
  readonly downloads: string;
  readonly mirrors: readonly string[];
  readonly offline: boolean;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  /** Log file for the processes a fetch starts (apt, git). */
  readonly logFile?: string;
  /** The recipe whose source this is, for hints (`--src NAME=PATH`). */
  readonly recipe?: string;
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

/**
 * A partial file of a process that is not running here is removed once it has not grown for this
 * long (a downloads folder shared over NFS may hold a live one of another host); one of a running
 * process only when idle for an hour (its pid was reused).
 */
const DEAD_PART_IDLE_MS = 2 * 60_000;
const LIVE_PART_IDLE_MS = 60 * 60_000;

function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (error) { return (error as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** When a partial file, or a partial git repo (whose packs grow inside), was last written. */
function lastWrite(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let latest = st.mtimeMs;
  for (const dir of [path, join(path, 'objects', 'pack')]) {
    try { for (const e of readdirSync(dir)) latest = Math.max(latest, statSync(join(dir, e)).mtimeMs); } catch { /* not there */ }
  }
  return latest;
}

/**
 * Removes `<name>.part-<pid>-<random>` files (or git repos) that no running process writes, and
 * the `<name>.part` / `<name>.tmp-<pid>` of older jhbuild versions.
 */
export function removeStaleParts(dir: string, name: string, log?: (line: string) => void): void {
  let entries: string[];
  try { entries = readdirSync(dir); } catch { return; }
  for (const entry of entries) {
    const m = entry.startsWith(name) ? /^\.(?:part(?:-(\d+)-[0-9a-f]+)?|tmp-(\d+))$/.exec(entry.slice(name.length)) : null;
    if (!m) continue;
    const owner = m[1] ?? m[2];
    const pid = owner === undefined ? undefined : Number(owner);
    if (pid === process.pid) continue;
    const full = join(dir, entry);
    try {
      const idle = Date.now() - lastWrite(full);
      if (idle < (pid !== undefined && processAlive(pid) ? LIVE_PART_IDLE_MS : DEAD_PART_IDLE_MS)) continue;
      rmSync(full, { recursive: true, force: true });
      log?.(`removed ${entry}: a partial download no running process writes`);
    } catch { /* gone meanwhile */ }
  }
}

/** Moves a file whose sha256 matched into place and records it as verified. */
function place(part: string, target: string, sha256hex: string): void {
  renameSync(part, target);
  recordVerified(target, sha256hex);
}

/** Whether the store already holds the pinned file: by its record (a stat), else by hashing it. */
async function storeHolds(target: string, sha256hex: string): Promise<{ ok: boolean; actual?: string }> {
  if (!existsSync(target)) return { ok: false };
  if (isRecordedVerified(target, sha256hex)) return { ok: true };
  const actual = await sha256File(target);
  if (actual === sha256hex) { recordVerified(target, actual); return { ok: true }; }
  return { ok: false, actual };
}

/**
 * Checks a download when a task consumes it: trusted by its record when unchanged since it was
 * verified, hashed in full otherwise. A file that is not the pinned one is removed and refused.
 */
export async function verifyDownload(file: string, sha256hex: string, recipe?: string): Promise<void> {
  const held = await storeHolds(file, sha256hex);
  if (held.ok) return;
  const fetch = `jhbuild fetch${recipe ? ` ${recipe}` : ''}`;
  if (held.actual === undefined) {
    throw new JhError('E_FETCH_MISSING', `${file} is gone`, { hint: `run \`${fetch}\` (or the build again: its fetch step downloads it)` });
  }
  rmSync(file, { force: true });
  forgetVerified(file);
  throw new JhError('E_FETCH_CHECKSUM', `${file} is not the file the recipe pins (changed since it was fetched); removed`, {
    details: [`expected ${sha256hex}`, `actual   ${held.actual}`],
    hint: `run \`${fetch}\` or the build again: its fetch step fetches the pinned file (offline: put it in a --mirror folder)` });
}

/** The file names a mirror may hold the file under. */
function mirrorNames(spec: TarballSpec): string[] {
  return [...new Set([spec.filename, ...(spec.debian ? [spec.debian.file] : []), spec.sha256])];
}

export async function fetchTarball(spec: TarballSpec, options: FetchOptions): Promise<string> {
  const target = downloadPath(options.downloads, spec);
  mkdirSync(options.downloads, { recursive: true });
  removeStaleParts(options.downloads, spec.filename, options.log);
  const looked: string[] = [];
  const mismatches: string[] = [];
  const accept = async (candidate: string, where: string): Promise<boolean> => {
    const actual = await sha256File(candidate);
    if (actual === spec.sha256) return true;
    mismatches.push(`${where}: got ${actual}`);
    return false;
  };

  const held = await storeHolds(target, spec.sha256);
  if (held.ok) return target;
  if (held.actual !== undefined) {
    // Replaced or damaged since it was fetched: never used, fetched again.
    options.log?.(`${target} has sha256 ${held.actual}, not the pinned ${spec.sha256}: removed, fetching it again`);
    rmSync(target, { force: true });
    forgetVerified(target);
    mismatches.push(`${target}: got ${held.actual} (removed)`);
  }
  looked.push(target);
  for (const mirror of options.mirrors) {
    for (const name of mirrorNames(spec)) {
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
          const part = partPath(target);
          copyFileSync(candidate, part);
          place(part, target, spec.sha256);
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
      details: [`expected ${spec.sha256}`, ...mismatches.map((m) => `actual   ${m}`), ...(options.offline ? looked.map((p) => `looked in ${p}`) : [])],
      hint: options.offline ? `offline, no copy with the pinned sha256 is at hand: ${await missingTarballFix(spec)}, or drop --offline`
        : 'the file differs from the one the recipe pins; fix the sha256 only if you verified the new file' });
  }
  throw new JhError('E_FETCH_MISSING', `${spec.filename} is not available${options.offline ? ' offline' : ''}`, {
    details: looked.map((where) => `looked in ${where}`),
    hint: options.offline ? `${await missingTarballFix(spec)}, or drop --offline` : `check the URL or give a --mirror that holds the file${await byApt(spec)}` });
}

async function byApt(spec: TarballSpec): Promise<string> {
  return spec.debian ? ` (in that folder: ${(await import('./debian.ts')).aptSourceCommand(spec.debian)})` : '';
}

/** How to make a missing file available offline. */
export async function missingTarballFix(spec: TarballSpec): Promise<string> {
  return `put ${spec.filename} (or a file named ${spec.sha256}) in a --mirror DIR folder${await byApt(spec)}`;
}

/** Offline: whether the store or a mirror folder holds the file (mirror files are hashed by the fetch), else every place looked in. */
export function locateTarballOffline(spec: TarballSpec, options: Pick<FetchOptions, 'downloads' | 'mirrors'>): { found: boolean; looked: string[] } {
  const target = downloadPath(options.downloads, spec);
  const held = checkDownloadSync(target, spec.sha256);
  if (held.ok) return { found: true, looked: [] };
  const looked = [held.actual ? `${target}: sha256 ${held.actual}, not the pinned file (changed since it was fetched)` : target];
  for (const mirror of options.mirrors) {
    if (isUrl(mirror)) continue;
    for (const name of mirrorNames(spec)) {
      const candidate = join(mirror, name);
      if (existsSync(candidate)) return { found: true, looked: [] };
      looked.push(candidate);
    }
  }
  return { found: false, looked };
}

async function tryDebian(spec: TarballSpec, origin: DebianOrigin, target: string, options: FetchOptions, mismatches: string[]): Promise<boolean> {
  const { downloadDebianFile, locateDebianFile } = await import('./debian.ts');
  const part = partPath(target);
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
  place(part, target, actual);
  return true;
}

async function tryDownload(url: string, target: string, spec: TarballSpec, options: FetchOptions,
  mismatches: string[]): Promise<boolean> {
  const { downloadWithResume } = await import('./http.ts');
  const part = partPath(target);
  try {
    options.log?.(`downloading ${url}`);
    const actual = await downloadWithResume(url, part, { signal: options.signal, log: options.log });
    if (actual !== spec.sha256) {
      rmSync(part, { force: true });
      mismatches.push(`${url}: got ${actual}`);
      return false;
    }
    place(part, target, actual);
    return true;
  } catch (error) {
    rmSync(part, { force: true });
    if (error instanceof JhError) throw error;
    options.log?.(`${url}: ${(error as Error).message}`);
    return false;
  }
}
