/**
 * Planning a disk image: offsets, sizes, types and ids resolved, and every mistake refused before
 * a byte is written, each error naming the file and field that declared it. Pure: the sizes of
 * contents come from the caller (`measure`).
 */
import { JhError } from '../../errors.ts';
import { derivedId32, derivedUuid } from './ids.ts';
import type { DiskLayoutInput, DiskPlan, LayoutOrigin, PartitionContent, PartitionInput, PlannedPartition } from './types.ts';

const MiB = 0x100000;
const SECTOR = 512;
/** GPT: protective MBR + header + 128 entries of 128 bytes at the start; entries + header again at the end. */
const GPT_HEAD = 34 * SECTOR;
const GPT_TAIL = 33 * SECTOR;

const GPT_TYPES: Readonly<Record<string, string>> = {
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  linux: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
  'linux-root-x86-64': '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709',
  'linux-root-arm64': 'B921B045-1DF0-41C3-AF44-4C6F280D3FAE',
  fat32: 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7',
  'linux-swap': '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F',
};
const MBR_TYPES: Readonly<Record<string, number>> = { esp: 0xef, fat32: 0x0c, linux: 0x83, 'linux-root-x86-64': 0x83, 'linux-root-arm64': 0x83, 'linux-swap': 0x82 };

export type Measured = { readonly bytes: number } | { readonly missing: string };

/** Room a file system needs around its files: metadata, journal, slack for what tools add. */
export function fitSize(content: PartitionContent, bytes: number, align: number): number {
  const raw = 'fat' in content ? Math.max(bytes * 1.1 + 2 * MiB, 8 * MiB)
    : 'ext4' in content ? Math.max(bytes * 1.3 + 16 * MiB, 32 * MiB)
      : 'raw' in content ? bytes : align;
  return Math.ceil(raw / align) * align;
}

/** The least size a content needs in a partition of a given size (checked before writing). */
function needed(content: PartitionContent, bytes: number): number {
  if ('raw' in content) return bytes;
  if ('fat' in content) return bytes + 1 * MiB;
  if ('ext4' in content) return bytes * 1.1 + 8 * MiB;
  return 0;
}

export function planDisk(layout: DiskLayoutInput, origin: LayoutOrigin, seed: string, measure: (content: PartitionContent) => Measured): DiskPlan {
  const fail = (code: string, field: string, message: string, hint: string): never => {
    throw new JhError(code, `${origin.field}.${field}: ${message}`, { file: origin.file, hint });
  };
  const align = layout.align ?? MiB;
  if (!(align > 0) || align % SECTOR !== 0) fail('E_DISK_ALIGN', 'align', `${align} is not a positive multiple of ${SECTOR}`, 'use 1 MiB (1048576)');
  if (layout.table === 'mbr' && layout.partitions.length > 4) {
    fail('E_DISK_MBR_PARTITIONS', 'partitions', `${layout.partitions.length} partitions; an MBR holds 4`, "use table: 'gpt', or merge partitions");
  }
  const head = layout.table === 'gpt' ? GPT_HEAD : SECTOR;
  const tail = layout.table === 'gpt' ? GPT_TAIL : 0;
  const names = new Set<string>();
  let next = Math.ceil(Math.max(head, align) / align) * align;
  const partitions: PlannedPartition[] = layout.partitions.map((p: PartitionInput, i) => {
    const field = `partitions[${i}]`;
    if (names.has(p.name)) fail('E_DISK_PARTITION_NAME', `${field}.name`, `"${p.name}" is used twice`, 'give each partition its own name');
    names.add(p.name);
    const measured = measure(p.content);
    if ('missing' in measured) fail('E_DISK_MISSING_FILE', `${field}.content`, `${measured.missing} does not exist`, 'build what makes it first, or fix the path');
    const bytes = (measured as { bytes: number }).bytes;
    const offset = p.offset ?? next;
    if (offset % SECTOR !== 0) fail('E_DISK_ALIGN', `${field}.offset`, `${offset} is not a multiple of ${SECTOR}`, 'align partitions to 1 MiB');
    if (offset < head) fail('E_DISK_OVERLAP', `${field}.offset`, `${hexBytes(offset)} overlaps the partition table (first ${head} bytes)`, `start at ${hexBytes(align)} or later`);
    const size = p.size === 'fit' ? fitSize(p.content, bytes, align) : p.size;
    if (size % SECTOR !== 0 || size <= 0) fail('E_DISK_SIZE', `${field}.size`, `${size} is not a positive multiple of ${SECTOR}`, 'give bytes in whole MiB');
    const need = needed(p.content, bytes);
    if (need > size) fail('E_DISK_TOO_SMALL', `${field}.size`, `"${p.name}" holds ${hexBytes(bytes)} of content, needs about ${hexBytes(Math.ceil(need))} but has ${hexBytes(size)}`, "make it larger, or use size: 'fit'");
    next = Math.ceil((offset + size) / align) * align;
    return { index: i + 1, name: p.name, type: typeCode(layout.table, p.type, `${field}.type`, fail), offset, size, bootable: p.bootable ?? false, uuid: '', content: p.content };
  });
  const sorted = [...partitions].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1]!, sorted[i]!];
    if (b.offset < a.offset + a.size) {
      fail('E_DISK_OVERLAP', `partitions[${b.index - 1}]`, `"${b.name}" at ${hexBytes(b.offset)} overlaps "${a.name}" (${hexBytes(a.offset)}..${hexBytes(a.offset + a.size)})`, 'move it past the other, or drop its offset to place it automatically');
    }
  }
  const blobs = (layout.blobs ?? []).map((blob, i) => {
    const field = `blobs[${i}]`;
    const measured = measure({ raw: { file: blob.file } });
    if ('missing' in measured) fail('E_DISK_MISSING_FILE', `${field}.file`, `${measured.missing} does not exist`, 'build what makes it first, or fix the path');
    const size = (measured as { bytes: number }).bytes;
    const end = blob.offset + size;
    if (blob.offset < head) fail('E_DISK_BLOB_OVERLAP', field, `"${blob.name}" at ${hexBytes(blob.offset)} overlaps the partition table (first ${head} bytes)`, layout.table === 'gpt' ? 'GPT needs 17 KiB at the start: use an MBR for boot ROMs that read at 32/33 KiB' : 'place it after the first sector');
    for (const p of partitions) {
      if (blob.offset < p.offset + p.size && p.offset < end) fail('E_DISK_BLOB_OVERLAP', field, `"${blob.name}" (${hexBytes(blob.offset)}..${hexBytes(end)}) overlaps partition "${p.name}" at ${hexBytes(p.offset)}`, 'start the partition after the blob (e.g. at 8 MiB)');
    }
    return { ...blob, size };
  });
  for (let i = 0; i < blobs.length; i++) {
    for (let j = i + 1; j < blobs.length; j++) {
      const [a, b] = [blobs[i]!, blobs[j]!];
      if (a.offset < b.offset + b.size && b.offset < a.offset + a.size) fail('E_DISK_BLOB_OVERLAP', `blobs[${j}]`, `"${b.name}" overlaps "${a.name}"`, 'move one of them');
    }
  }
  const contentEnd = Math.max(next, ...blobs.map((b) => b.offset + b.size));
  const size = layout.size === undefined || layout.size === 'fit' ? Math.ceil((contentEnd + tail) / align) * align : layout.size;
  const lastEnd = Math.max(...partitions.map((p) => p.offset + p.size), ...blobs.map((b) => b.offset + b.size));
  if (lastEnd + tail > size) fail('E_DISK_BEYOND_END', 'size', `the content ends at ${hexBytes(lastEnd + tail)} (with the table's copy), past the disk's ${hexBytes(size)}`, "make the disk larger, or use size: 'fit'");
  const diskId = layout.table === 'gpt' ? derivedUuid(seed, 'disk') : `0x${derivedId32(seed, 'disk')}`;
  return {
    table: layout.table, size, diskId, blobs,
    partitions: partitions.map((p) => ({ ...p, uuid: partitionUuid(layout.table, seed, p.name, p.index) })),
  };
}

/** The PARTUUID Linux sees: the GPT partition's UUID, or DISKSIGNATURE-NN on an MBR disk. */
export function partitionUuid(table: 'gpt' | 'mbr', seed: string, name: string, index: number): string {
  return table === 'gpt' ? derivedUuid(seed, `partition:${name}`) : `${derivedId32(seed, 'disk')}-${String(index).padStart(2, '0')}`;
}

function typeCode(table: 'gpt' | 'mbr', type: string | number, field: string, fail: (code: string, field: string, message: string, hint: string) => never): string {
  if (table === 'gpt') {
    if (typeof type === 'string' && GPT_TYPES[type]) return GPT_TYPES[type];
    if (typeof type === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(type)) return type.toUpperCase();
    return fail('E_DISK_TYPE', field, `${String(type)} is not a GPT partition type`, `use one of ${Object.keys(GPT_TYPES).join(', ')} or a type GUID`);
  }
  const byte = typeof type === 'number' ? type : MBR_TYPES[type];
  if (byte === undefined || !Number.isInteger(byte) || byte < 1 || byte > 0xff) {
    return fail('E_DISK_TYPE', field, `${String(type)} is not an MBR partition type`, `use one of ${Object.keys(MBR_TYPES).join(', ')} or a type byte like 0x0c`);
  }
  return byte.toString(16);
}

export function hexBytes(n: number): string {
  return `0x${n.toString(16)}`;
}
