/**
 * Writes a planned disk image: a sparse file, the partition table, each partition's file system
 * built on its own and copied in at its offset with holes kept, the raw blobs, and a .bmap for
 * `bmaptool copy`. Rootless and deterministic (ids from the seed, times from the source date).
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, rmSync, statSync, writeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../../exec/index.ts';
import { writeExt4 } from './ext4.ts';
import { writeFat } from './fat.ts';
import { derivedId32, derivedUuid } from './ids.ts';
import { planDisk, type Measured } from './plan.ts';
import { writePartitionTable } from './table.ts';
import type { DiskLayoutInput, DiskPlan, LayoutOrigin, PartitionContent } from './types.ts';
import { treeBytes } from './measure.ts';

export interface WriteDiskOptions {
  /** Ids derive from it: the task's signature, so equal inputs give equal disks. */
  readonly seed: string;
  readonly sourceDateEpoch: number;
  readonly workDir: string;
  readonly log: string;
  readonly signal?: AbortSignal;
}

export interface WrittenDisk extends DiskPlan {
  readonly image: string;
  readonly bmap: string;
}

const BLOCK = 4096;

export function measureContent(content: PartitionContent): Measured {
  const size = (path: string): Measured => { try { return { bytes: treeBytes(path) }; } catch { return { missing: path }; } };
  if ('fat' in content) {
    let bytes = 0;
    for (const f of content.fat.files) {
      const m = size(f.from);
      if ('missing' in m) return m;
      bytes += Math.ceil(m.bytes / BLOCK) * BLOCK;
    }
    return { bytes };
  }
  if ('ext4' in content) return size(content.ext4.dir);
  if ('raw' in content) return size(content.raw.file);
  return { bytes: 0 };
}

export async function writeDiskImage(layout: DiskLayoutInput, origin: LayoutOrigin, image: string, options: WriteDiskOptions): Promise<WrittenDisk> {
  const plan = planDisk(layout, origin, options.seed, measureContent);
  mkdirSync(options.workDir, { recursive: true });
  rmSync(image, { force: true });
  const fd = openSync(image, 'w');
  try { ftruncateSync(fd, plan.size); } finally { closeSync(fd); }
  await writePartitionTable(image, plan, options.log, options.signal);
  for (const p of plan.partitions) {
    const part = join(options.workDir, `partition-${p.index}.img`);
    rmSync(part, { force: true });
    const common = { sourceDateEpoch: options.sourceDateEpoch, workDir: options.workDir, log: options.log, signal: options.signal };
    if ('fat' in p.content) await writeFat(part, p.size, p.content.fat.files, { ...common, label: p.content.fat.label, volumeId: derivedId32(options.seed, `fat:${p.name}`) });
    else if ('ext4' in p.content) await writeExt4(part, p.size, p.content.ext4.dir, { ...common, label: p.content.ext4.label, uuid: derivedUuid(options.seed, `ext4:${p.name}`) });
    else if ('raw' in p.content) { copySparse(p.content.raw.file, image, p.offset); continue; } else continue;
    copySparse(part, image, p.offset);
    rmSync(part, { force: true });
  }
  for (const blob of plan.blobs) copySparse(blob.file, image, blob.offset);
  const bmap = `${image}.bmap`;
  await runProcess('bmaptool', ['create', '-o', bmap, image], { log: options.log, signal: options.signal });
  return { ...plan, image, bmap };
}

/** Copies `from` into `to` at `offset`, skipping all-zero blocks so the output stays sparse. */
function copySparse(from: string, to: string, offset: number): void {
  const input = openSync(from, 'r');
  const output = openSync(to, 'r+');
  try {
    const size = fstatSync(input).size;
    if (offset + size > statSync(to).size) throw new Error(`${from} (${size} bytes) does not fit at ${offset} in ${to}`);
    const buffer = Buffer.alloc(1024 * 1024);
    for (let at = 0; at < size;) {
      const n = readSync(input, buffer, 0, Math.min(buffer.length, size - at), at);
      for (let b = 0; b < n; b += BLOCK) {
        const block = buffer.subarray(b, Math.min(b + BLOCK, n));
        if (block.some((byte) => byte !== 0)) writeSync(output, block, 0, block.length, offset + at + b);
      }
      at += n;
    }
  } finally {
    closeSync(input);
    closeSync(output);
  }
}
