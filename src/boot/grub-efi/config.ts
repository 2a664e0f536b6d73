/** grub.cfg for the root kernel: data for templates/boot/grub.cfg.hbs. Pure. */
import { quoteCmdline } from '../../system/cmdline.ts';

export interface GrubConfigInput {
  readonly machine: string;
  readonly kernel: string;
  readonly cmdline: readonly string[];
  /** FAT volume serial of the ESP, as GRUB prints it: XXXX-XXXX. */
  readonly espVolume: string;
  /** The root kernel's console= arguments: GRUB talks on the same UART. */
  readonly consoles: readonly string[];
}

/** ttyS1,115200 -> GRUB's serial unit 1 at 115200; without a ttyS console, unit 0. */
export function grubSerial(consoles: readonly string[]): { unit: number; speed: number } {
  const serial = consoles.map((c) => /^console=ttyS(\d+)(?:,(\d+))?/.exec(c)).find(Boolean);
  return { unit: serial ? Number(serial[1]) : 0, speed: serial?.[2] ? Number(serial[2]) : 115200 };
}

export function grubConfigData(input: GrubConfigInput) {
  return {
    machine: input.machine,
    kernel: input.kernel,
    // GRUB expands $ and splits on blanks in words: memmap=66M$0x3b000000 must reach Linux as written.
    cmdline: quoteCmdline(input.cmdline, 'grub'),
    espVolume: input.espVolume,
    serial: grubSerial(input.consoles),
    timeout: 1,
  };
}
