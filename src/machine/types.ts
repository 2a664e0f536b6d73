/** A machine: one description from which cell configs, cmdlines and QEMU argv are derived. */
import type { Arch, Cell, SystemConfig } from '../cells/model.ts';
import type { BoardLayout, CellNeeds, LinkNeeds } from '../cells/place/needs.ts';
import type { CellInput, LinuxCellGuest } from '../cells/input.ts';

export type { CellInput, LinuxCellGuest } from '../cells/input.ts';

export interface RamBank { readonly base: number; readonly size: number }

/** How the root kernel is told to leave the hypervisor's and cells' memory alone. */
export type Reservation = 'mem' | 'memmap' | 'devicetree';

export interface QemuProfile {
  readonly binary: string;
  readonly machine: string;
  readonly cpu: string;
  /** QEMU -nic arguments when the machine has a network (its boot ROM then belongs in doctor); none by default. */
  readonly network?: readonly string[];
  /** UEFI firmware for machines that boot a disk image: read-only code, and the variable store the runner copies per run. */
  readonly firmware?: { readonly code: string; readonly vars: string };
  /** How the disk image is attached (QEMU's -drive if=): virtio, ide (AHCI on q35), ... */
  readonly diskInterface?: string;
  /** The machine needs KVM (e.g. Jailhouse on x86 needs VT-x in the guest): the runner refuses without it. */
  readonly kvm?: boolean;
  /**
   * The faster path where the host gives it: KVM with this CPU when /dev/kvm exists and the host CPU
   * shows `hostFlag`; otherwise (or with --accel tcg) QEMU emulates `cpu` under TCG. The guest sees the
   * same kind of CPU either way, so one image and one root cell serve both.
   */
  readonly kvmWhenHost?: { readonly hostFlag: 'svm' | 'vmx'; readonly cpu: string };
  /** Extra arguments always passed (argv elements). */
  readonly args?: readonly string[];
}

/** What fills a partition of the machine's disk image: the boot method's files, the root tree, or nothing. */
export type MachinePartitionContent = 'boot' | 'root' | 'empty';

export interface MachinePartition {
  readonly name: string;
  /** 'esp', 'linux', 'linux-root-x86-64', 'linux-root-arm64', 'fat32', a GPT type GUID or an MBR type byte. */
  readonly type: string | number;
  readonly size: number | 'fit';
  readonly offset?: number;
  readonly bootable?: boolean;
  readonly content: MachinePartitionContent;
}

/** The machine's disk or SD-card image (the role of a wic .wks or a genimage .cfg). */
export interface MachineDiskImage {
  readonly table: 'gpt' | 'mbr';
  readonly size?: number | 'fit';
  readonly align?: number;
  readonly partitions: readonly MachinePartition[];
}

export interface KernelConfig {
  /** Base config target: "defconfig", "allnoconfig", ... */
  readonly base: string;
  /** Fragment files of the linux recipe (recipes/linux/...), merged in order. */
  readonly fragments: readonly string[];
  /** Image target and file (arch/<arch>/boot/<image>). */
  readonly image: string;
  readonly dtbs: readonly string[];
}

/** Boot firmware built for the board (recipes tf-a, u-boot). */
export interface BootFirmware {
  /** TF-A's PLAT= for BL31, e.g. rpi4, imx8mm. */
  readonly tfaPlatform?: string;
  /** U-Boot's defconfig, e.g. imx8mm_evk_defconfig. */
  readonly ubootDefconfig?: string;
  /** Byte offset on the card where the SoC's boot ROM looks for the boot loader (i.MX8MM: 33 KiB). */
  readonly loaderOffset?: number;
}

/** A property the root's device-tree overlay sets beside the reservations, e.g. linux,pci-domain. */
export interface DtProperty {
  /** Full node path in the board dtb, e.g. /scb/pcie@7d500000. */
  readonly path: string;
  readonly name: string;
  /** dts value syntax, e.g. <0> or "okay". */
  readonly value: string;
}

export interface MachineInput {
  readonly name: string;
  readonly summary: string;
  readonly arch: Arch;
  /** CROSS_COMPILE prefix, e.g. aarch64-linux-gnu- */
  readonly crossCompile: string;
  /** The number of CPUs: the root cell's set, the cells' sets and QEMU -smp follow from it. */
  readonly cpus: number;
  readonly ram: readonly RamBank[];
  readonly reservation: Reservation;
  /** The root kernel's console argument(s), e.g. ["console=ttyAMA0"]. */
  readonly rootConsole: readonly string[];
  /** Extra root cmdline arguments. */
  readonly rootCmdline?: readonly string[];
  readonly intelIommuOff?: boolean;
  /** The system config with the root cell (CPUs derived); absent when rootCellFile is given. */
  readonly system?: Omit<SystemConfig, 'rootCell'> & { readonly rootCell: Omit<Cell, 'cpus'> };
  /** A root .cell from `jailhouse config create` (pc), relative to the machine file. */
  readonly rootCellFile?: string;
  /** Non-root cells: written with addresses, or declared by what they need (placed in board's layout). */
  readonly cells: readonly (CellInput | CellNeeds)[];
  /** Where cells declared by needs may go and which devices they can name. */
  readonly board?: BoardLayout;
  /** IVSHMEM devices between cells ("root" is the root cell). */
  readonly links?: readonly LinkNeeds[];
  readonly kernel: KernelConfig;
  /** A second kernel configuration for Linux guests in non-root cells, from the same source. */
  readonly guestKernel?: KernelConfig;
  /**
   * The Linux guests' userland: Buildroot (the default: busybox, dropbear, iproute2, its own
   * toolchain) or the busybox initramfs, the fallback for hosts that cannot reach Buildroot's downloads.
   */
  readonly guestRootfs?: 'buildroot' | 'busybox';
  readonly qemu?: QemuProfile;
  /** A disk image to assemble; absent for machines booted from a kernel + initramfs (QEMU direct boot). */
  readonly image?: MachineDiskImage;
  readonly boot: 'qemu' | 'grub-efi' | 'rpi-firmware' | 'uboot-imx';
  readonly bootFirmware?: BootFirmware;
  /** Vendor licences accepted for this machine's builds (also --accept-license), e.g. imx-firmware. */
  readonly licensesAccepted?: readonly string[];
  /** Properties the root device-tree overlay sets (device-tree reservation machines). */
  readonly rootDtProperties?: readonly DtProperty[];
}

export interface MachineCell extends Cell {
  readonly inmate?: string;
  readonly linux?: LinuxCellGuest;
}

/** A machine resolved: CPU sets derived, root config decoded. */
export interface Machine extends Omit<MachineInput, 'system' | 'cells'> {
  readonly system: SystemConfig;
  readonly cells: readonly MachineCell[];
  /** The cells jhbuild placed from their needs. */
  readonly placed: readonly string[];
  /** The inmate binaries the cells load: a recipe that builds one depends on it with `when: { inmates: [...] }`. */
  readonly inmates: readonly string[];
  /** 'linux' when jhbuild boots the machine's Linux cells itself (a guest kernel, ARM): `when: { guests: ['linux'] }`. */
  readonly guests: readonly string[];
  /** Link kinds the root cell is a peer of (e.g. 'net': its kernel needs ivshmem-net): `when: { rootLinks: ['net'] }`. */
  readonly rootLinks: readonly string[];
  /** The file it was loaded from (core or a layer). */
  readonly file: string;
}
