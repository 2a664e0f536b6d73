/** A non-root cell as a machine writes it with addresses: the cells' own vocabulary, which machines reuse. */
import type { Cell } from './model.ts';

export interface LinuxCellGuest {
  /** Guest kernel cmdline (console per machine). */
  readonly cmdline: string;
  /** Device tree of the guest (arm64), built by Jailhouse: configs/arm64/dts/<dtb>. */
  readonly dtb?: string;
}

/** A non-root cell as a machine declares it: CPUs as a count (allocated) or explicit list. */
export interface CellInput extends Omit<Cell, 'cpus'> {
  readonly cpus: number | readonly number[];
  /** Inmate binary loaded by the demo (e.g. gic-demo.bin) or a Linux guest. */
  readonly inmate?: string;
  readonly linux?: LinuxCellGuest;
}
