/** What a boot method is asked for, and what it answers: the files of the boot partition. */
import type { DepOutputs } from '../engine/recipe.ts';
import type { Machine } from '../machine/types.ts';

/** The outputs of the recipes the image depends on; `need` names a missing one in its error. */
export interface BootParts {
  need(recipe: string): DepOutputs;
}

export interface BootRequest {
  readonly machine: Machine;
  /** The root kernel image. */
  readonly kernel: string;
  /** The root cmdline, argv form (each method quotes it for its own config). */
  readonly cmdline: readonly string[];
  /** The boot partition's FAT volume id (8 hex digits): how a loader finds it. */
  readonly bootVolumeId: string;
  readonly render: (template: string, data: unknown) => string;
  readonly workDir: string;
  /** Firmware, boot loaders and the kernel's dtbs come from the image's dependencies. */
  readonly deps: BootParts;
  readonly sourceDateEpoch: number;
  readonly log: string;
  readonly signal?: AbortSignal;
}

export interface BootPartition {
  readonly files: readonly { readonly from: string; readonly to: string }[];
  /** The loader's configuration as written (deployed beside the image for reading). */
  readonly config: { readonly name: string; readonly text: string };
  /** Boot loaders written raw outside the partitions (i.MX flash.bin at 33 KiB). */
  readonly blobs?: readonly { readonly name: string; readonly file: string; readonly offset: number }[];
  /** Why the image cannot boot (a missing vendor blob), said in the manifest and the summary. */
  readonly notBootable?: string;
}
