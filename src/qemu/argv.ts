/** QEMU's argv from the machine's qemu profile and the deployed image. Pure. */
import { JhError } from '../errors.ts';
import type { Machine } from '../machine/types.ts';

/** A kernel + initramfs booted directly, or a disk image booted by the machine's firmware. */
export type BootMedia =
  | { readonly kernel: string; readonly initrd: string; readonly cmdline: readonly string[] }
  | { readonly disk: string; readonly writable?: boolean };

export interface RunFiles {
  /** This run's private copy of the firmware's variable store (profile.firmware.vars). */
  readonly firmwareVars?: string;
  /** The accelerator chosen for this host (chooseAccel); without it a kvmWhenHost machine runs under TCG. */
  readonly accel?: AccelChoice;
}

type ArgvMachine = Pick<Machine, 'name' | 'qemu' | 'cpus' | 'ram' | 'file'>;

/** Without `boot`, the machine alone: what `jhbuild doctor` starts to prove QEMU and its files are there. */
export function qemuArgv(machine: ArgvMachine, boot: BootMedia | undefined, extra: readonly string[] = [], files: RunFiles = {}): string[] {
  const profile = machine.qemu;
  if (!profile) {
    throw new JhError('E_QEMU_PROFILE', `machine ${machine.name} has no qemu profile`, { file: machine.file, hint: 'add qemu: { binary, machine, cpu } to the machine, or boot it on hardware' });
  }
  const memoryMiB = machine.ram.reduce((sum, bank) => sum + bank.size, 0) / 0x100000;
  const firmware = profile.firmware ? [
    '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${profile.firmware.code}`,
    '-drive', `if=pflash,format=raw,unit=1,file=${files.firmwareVars ?? profile.firmware.vars}`,
  ] : [];
  const media = !boot ? []
    // A booted root file system writes to its disk (journal, mtimes): unless a writable copy was asked
    // for, writes go to a throwaway overlay so the deployed image stays the artifact the build made.
    : 'disk' in boot ? ['-drive', `file=${boot.disk},format=raw,if=${profile.diskInterface ?? 'virtio'}${boot.writable ? '' : ',snapshot=on'}`]
      : ['-kernel', boot.kernel, '-initrd', boot.initrd, '-append', boot.cmdline.join(' ')];
  const kvmPath = profile.kvmWhenHost && files.accel?.accel === 'kvm' ? profile.kvmWhenHost : undefined;
  return [
    profile.binary,
    '-machine', profile.machine,
    ...(profile.kvmWhenHost ? ['-accel', kvmPath ? 'kvm' : 'tcg'] : []),
    '-cpu', kvmPath ? kvmPath.cpu : profile.cpu,
    '-smp', String(machine.cpus),
    '-m', `${memoryMiB}M`,
    // Headless: the serial console (and QEMU's monitor, Ctrl-a c) on stdio, no graphical or vc devices.
    '-nographic',
    '-no-reboot',
    // Only what the machine declares: QEMU's implicit NIC would need a boot ROM (ipxe-qemu) nobody asked for.
    ...(profile.network ?? ['-nic', 'none']),
    ...firmware,
    ...media,
    ...(profile.args ?? []),
    ...extra,
  ];
}

/** What the host offers for KVM: the device, and the CPU's virtualization extension as the guest would need it. */
export interface KvmHost { readonly device: boolean; readonly vmx: boolean; readonly svm: boolean }

export type Accel = 'kvm' | 'tcg';
export interface AccelChoice { readonly accel: Accel; readonly why: string }

/**
 * Which accelerator this host gives the machine, and why (doctor prints it): KVM where the machine
 * needs it (checkKvm refuses a host without it) or has a kvmWhenHost path the host can take, TCG
 * otherwise or when asked for. Pure.
 */
export function chooseAccel(machine: ArgvMachine, host: KvmHost, request?: Accel): AccelChoice {
  const profile = machine.qemu;
  if (profile?.kvm) return { accel: 'kvm', why: 'the machine needs KVM' };
  const path = profile?.kvmWhenHost;
  if (!path) {
    if (request === 'kvm') throw new JhError('E_USAGE', `--accel kvm: machine ${machine.name} has no KVM path (qemu.kvmWhenHost)`, { file: machine.file, hint: 'leave --accel out' });
    return { accel: 'tcg', why: 'QEMU emulates the machine (TCG)' };
  }
  if (request === 'tcg') return { accel: 'tcg', why: `TCG, as asked (emulated ${profile.cpu})` };
  if (host.device && host[path.hostFlag]) return { accel: 'kvm', why: `KVM: /dev/kvm and the host CPU's ${path.hostFlag} (cpu ${path.cpu})` };
  const missing = !host.device ? '/dev/kvm does not exist' : `the host CPU shows no ${path.hostFlag}`;
  if (request === 'kvm') {
    throw new JhError('E_QEMU_KVM', `--accel kvm: ${missing}`, { file: machine.file, hint: 'leave --accel out: the machine then runs under TCG, slower but the same guest' });
  }
  return { accel: 'tcg', why: `TCG, emulated ${profile.cpu} (${missing})` };
}

/** A machine that needs KVM is refused before QEMU starts when the host cannot give it. Pure. */
export function checkKvm(machine: ArgvMachine, host: KvmHost): void {
  if (!machine.qemu?.kvm) return;
  if (host.device && (host.vmx || host.svm)) return;
  const why = !host.device ? '/dev/kvm does not exist' : 'the host CPU shows neither vmx nor svm (no hardware virtualization reaches this machine)';
  throw new JhError('E_QEMU_KVM', `machine ${machine.name} needs KVM, and ${why}`, {
    file: machine.file,
    hint: 'Jailhouse on x86 needs VT-x with EPT and VT-d inside the guest, which QEMU gives only through KVM with nested virtualization (kvm_intel nested=1 on an Intel host). Run it there, use qemu-x86 (the same system with an AMD CPU, which QEMU emulates without KVM), or boot the pc machine\'s image on real hardware',
  });
}
