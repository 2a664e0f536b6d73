/** QEMU's argv from the machine's qemu profile and the deployed image. Pure. */
import { JhError } from '../errors.ts';
import type { Machine } from '../machine/types.ts';

export interface BootFiles {
  readonly kernel: string;
  readonly initrd: string;
  readonly cmdline: readonly string[];
}

/** Without `boot`, the machine alone: what `jhbuild doctor` starts to prove QEMU and its files are there. */
export function qemuArgv(machine: Pick<Machine, 'name' | 'qemu' | 'cpus' | 'ram' | 'file'>, boot: BootFiles | undefined, extra: readonly string[] = []): string[] {
  const profile = machine.qemu;
  if (!profile) {
    throw new JhError('E_QEMU_PROFILE', `machine ${machine.name} has no qemu profile`, { file: machine.file, hint: 'add qemu: { binary, machine, cpu } to the machine, or boot it on hardware' });
  }
  const memoryMiB = machine.ram.reduce((sum, bank) => sum + bank.size, 0) / 0x100000;
  return [
    profile.binary,
    '-machine', profile.machine,
    '-cpu', profile.cpu,
    '-smp', String(machine.cpus),
    '-m', `${memoryMiB}M`,
    // Headless: the serial console (and QEMU's monitor, Ctrl-a c) on stdio, no graphical or vc devices.
    '-nographic',
    '-no-reboot',
    // Only what the machine declares: QEMU's implicit NIC would need a boot ROM (ipxe-qemu) nobody asked for.
    ...(profile.network ?? ['-nic', 'none']),
    ...(boot ? ['-kernel', boot.kernel, '-initrd', boot.initrd, '-append', boot.cmdline.join(' ')] : []),
    ...(profile.args ?? []),
    ...extra,
  ];
}
