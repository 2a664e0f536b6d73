/**
 * A FAT file system in a file, rootless: mkfs.vfat with fixed volume id and --invariant, then
 * mtools. Timestamps come from SOURCE_DATE_EPOCH (clamped to FAT's 1980 epoch); folders are made
 * and files copied in sorted order, so equal inputs give equal bytes.
 */
import { copyFileSync, mkdirSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runProcess } from '../../exec/index.ts';

/** FAT cannot store dates before 1980-01-01; a day later keeps every time zone inside it. */
const FAT_EPOCH = 315532800 + 86400;

export interface FatOptions {
  readonly label?: string;
  /** 8 hex digits. */
  readonly volumeId: string;
  readonly sourceDateEpoch: number;
  readonly workDir: string;
  readonly log: string;
  readonly signal?: AbortSignal;
}

export async function writeFat(image: string, size: number, files: readonly { from: string; to: string }[], options: FatOptions): Promise<void> {
  const epoch = String(Math.max(options.sourceDateEpoch, FAT_EPOCH));
  const env = { SOURCE_DATE_EPOCH: epoch, MTOOLS_SKIP_CHECK: '1' };
  const run = (file: string, args: string[]) => runProcess(file, args, { env, log: options.log, signal: options.signal });
  await run('mkfs.vfat', ['-C', '--invariant', '-i', options.volumeId, ...(options.label ? ['-n', options.label] : []), image, String(size / 1024)]);
  const sorted = [...files].sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
  const folders = new Set<string>();
  for (const { to } of sorted) {
    const parts = to.replace(/^\/+/, '').split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  const ordered = [...folders].sort();
  if (ordered.length > 0) await run('mmd', ['-i', image, ...ordered.map((f) => `::/${f}`)]);
  // mcopy -m keeps the source's mtime: copies stamped with the source date keep the image's bytes equal.
  const staging = join(options.workDir, 'fat-staging');
  for (const [i, { from, to }] of sorted.entries()) {
    const staged = join(staging, String(i), to.split('/').pop()!);
    mkdirSync(dirname(staged), { recursive: true });
    copyFileSync(from, staged);
    utimesSync(staged, Number(epoch), Number(epoch));
    await run('mcopy', ['-m', '-i', image, staged, `::/${to.replace(/^\/+/, '')}`]);
  }
}
