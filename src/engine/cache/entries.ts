/**
 * Task results moved between the local cache and a remote one. An entry (manifest.json + out/)
 * travels as a gzip tar in cas/ named by its sha256; ac/<signature> records which. On the way in,
 * everything is checked before the entry appears: the record names its own signature, the content
 * has the sha256 the record names, and the manifest inside hashes to the signature. A restored
 * entry gets its own record of its files, as a built one does, so later builds can check it.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tar from 'tar';
import { signManifest, type InputManifest } from '../hash.ts';
import { writeEntryRecord } from '../entry-check.ts';
import type { BuildLayout } from '../layout.ts';
import { acPath, casPath, type EntryRecord, type RemoteBackend } from './backend.ts';

export type RestoreResult = { kind: 'hit'; bytes: number } | { kind: 'miss' } | { kind: 'corrupt'; why: string };

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class EntryStore {
  private readonly backend: RemoteBackend;
  private readonly layout: BuildLayout;

  constructor(backend: RemoteBackend, layout: BuildLayout) {
    this.backend = backend;
    this.layout = layout;
  }

  private temp(signature: string, suffix: string): string {
    mkdirSync(this.layout.cache, { recursive: true });
    // The .tmp- prefix is what a later build sweeps away if this one is killed.
    return join(this.layout.cache, `.tmp-${signature}-${process.pid}${suffix}`);
  }

  has(signature: string): Promise<boolean> {
    return this.backend.exists(acPath(signature));
  }

  async restore(signature: string): Promise<RestoreResult> {
    const recordBytes = await this.backend.get(acPath(signature));
    if (!recordBytes) return { kind: 'miss' };
    let record: EntryRecord;
    try { record = JSON.parse(recordBytes.toString('utf8')) as EntryRecord; } catch { return { kind: 'corrupt', why: 'its record is not JSON' }; }
    if (record.format !== 'jhbuild-entry-v1' || record.signature !== signature || !/^[0-9a-f]{64}$/.test(record.content)) {
      return { kind: 'corrupt', why: 'its record is not a jhbuild entry record for this signature' };
    }
    const archive = this.temp(signature, '.tar.gz');
    const dir = this.temp(signature, '');
    try {
      if (!await this.backend.download(casPath(record.content), archive)) return { kind: 'corrupt', why: `its content ${record.content.slice(0, 12)} is missing` };
      const actual = await sha256File(archive);
      if (actual !== record.content) return { kind: 'corrupt', why: `its content has sha256 ${actual.slice(0, 12)}, the record says ${record.content.slice(0, 12)}` };
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      await tar.x({ file: archive, cwd: dir, strict: true });
      const manifestFile = join(dir, 'manifest.json');
      if (!existsSync(manifestFile)) return { kind: 'corrupt', why: 'its content holds no manifest.json' };
      let inside: string;
      try { inside = signManifest(JSON.parse(readFileSync(manifestFile, 'utf8')) as InputManifest); } catch { return { kind: 'corrupt', why: 'its manifest.json is not JSON' }; }
      if (inside !== signature) return { kind: 'corrupt', why: `its manifest hashes to ${inside.slice(0, 12)}, not to the signature` };
      writeEntryRecord(dir, signature);
      const entry = this.layout.entry(signature);
      mkdirSync(dirname(entry), { recursive: true });
      rmSync(entry, { recursive: true, force: true });
      renameSync(dir, entry);
      return { kind: 'hit', bytes: record.size };
    } finally {
      rmSync(archive, { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Uploads a local entry: content first, then the record that makes it visible. */
  async store(signature: string): Promise<{ uploaded: boolean; bytes: number }> {
    const entry = this.layout.entry(signature);
    if (await this.has(signature)) return { uploaded: false, bytes: 0 };
    const archive = this.temp(signature, '.tar.gz');
    try {
      const names = ['manifest.json', ...(existsSync(join(entry, 'out')) ? ['out'] : [])];
      await tar.c({ gzip: { level: 1 }, file: archive, cwd: entry, portable: true }, names);
      const content = await sha256File(archive);
      const size = statSync(archive).size;
      if (!await this.backend.exists(casPath(content))) await this.backend.upload(casPath(content), archive);
      const record: EntryRecord = { format: 'jhbuild-entry-v1', signature, content, size };
      await this.backend.put(acPath(signature), Buffer.from(`${JSON.stringify(record)}\n`));
      return { uploaded: true, bytes: size };
    } finally {
      rmSync(archive, { force: true });
    }
  }
}
