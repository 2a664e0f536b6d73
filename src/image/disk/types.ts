/** A disk image as a machine declares it (input) and as planned (offsets, sizes and ids resolved). */

export type PartitionContent =
  /** A FAT file system holding these files (`to` is the path inside it). */
  | { readonly fat: { readonly files: readonly { readonly from: string; readonly to: string }[]; readonly label?: string } }
  /** An ext4 file system made from a folder. */
  | { readonly ext4: { readonly dir: string; readonly label?: string } }
  /** The bytes of a file, as they are. */
  | { readonly raw: { readonly file: string } }
  | { readonly empty: true };

export interface PartitionInput {
  /** GPT partition name; also the key of the derived partition UUID. */
  readonly name: string;
  /** 'esp', 'linux', 'linux-root-x86-64', 'linux-root-arm64', 'fat32', 'linux-swap', a GPT type GUID or an MBR type byte. */
  readonly type: string | number;
  /** Byte offset; default: after the previous partition, aligned. */
  readonly offset?: number;
  /** Bytes, or 'fit' (the content and some room, aligned). */
  readonly size: number | 'fit';
  /** MBR active flag / GPT legacy BIOS bootable attribute. */
  readonly bootable?: boolean;
  readonly content: PartitionContent;
}

/** Bytes written at a fixed offset outside every partition (e.g. i.MX flash.bin at 33 KiB). */
export interface BlobInput {
  readonly name: string;
  readonly file: string;
  readonly offset: number;
}

export interface DiskLayoutInput {
  readonly table: 'gpt' | 'mbr';
  /** Bytes, or 'fit' (default). */
  readonly size?: number | 'fit';
  /** Partition alignment in bytes (default 1 MiB). */
  readonly align?: number;
  readonly partitions: readonly PartitionInput[];
  readonly blobs?: readonly BlobInput[];
}

/** Where a layout was declared, so that errors name the file and the field. */
export interface LayoutOrigin {
  readonly file: string;
  /** The field path of the layout in that file, e.g. "image". */
  readonly field: string;
}

export interface PlannedPartition {
  readonly index: number;
  readonly name: string;
  /** sfdisk's type: a GUID (gpt) or a hex byte (mbr). */
  readonly type: string;
  readonly offset: number;
  readonly size: number;
  readonly bootable: boolean;
  /** GPT partition UUID (for root=PARTUUID=); on MBR, the kernel's PARTUUID form DISKID-NN. */
  readonly uuid: string;
  readonly content: PartitionContent;
}

export interface DiskPlan {
  readonly table: 'gpt' | 'mbr';
  readonly size: number;
  /** GPT disk GUID, or the MBR disk signature as 0xXXXXXXXX. */
  readonly diskId: string;
  readonly partitions: readonly PlannedPartition[];
  readonly blobs: readonly (BlobInput & { readonly size: number })[];
}
