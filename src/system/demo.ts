/**
 * What `run qemu --demo` runs and expects on the console: the demo cell of a machine, the lines each
 * inmate prints when it works, a Linux guest's boot and the root's pings over the links it shares.
 */
import { bdfName } from '../cells/describe.ts';
import { PCI_TYPE, SHMEM_PROTO } from '../cells/model.ts';
import { JhError } from '../errors.ts';
import type { Machine, MachineCell } from '../machine/types.ts';
import { bootedLinuxCells } from './guest/inmate-dts.ts';
import { rootReachable } from './guest/net.ts';

/** What each demo inmate prints when it works. */
const INMATE_EXPECT: Readonly<Record<string, readonly string[]>> = {
  'gic-demo.bin': ['Timer fired'],
  'apic-demo.bin': ['Calibrated TSC frequency', 'Timer fired'],
  'freertos-demo.bin': ['FreeRTOS V', 'reporter: tick'],
  'ivshmem-demo.bin': ['IVSHMEM: initialized device'],
};

/**
 * Inmates a demo runs only when they are the cell asked for, never alongside another: upstream's
 * apic-demo locks the cell configuration while it runs (JAILHOUSE_CELL_RUNNING_LOCKED: no other cell
 * can be created or destroyed meanwhile); ivshmem-demo rings its peers every second and prints each
 * time on the console the other cells share, and its root peer runs only in its own demo.
 */
export const SOLO_INMATES: ReadonlySet<string> = new Set(['apic-demo.bin', 'ivshmem-demo.bin']);

/** How an inmate that talks to the root over a protocol-less IVSHMEM device is told to, and what shows that it did. */
interface RootPeerInmate {
  readonly cmdline: (rootDevId: number) => string;
  /** The inmate's lines while the root's peer runs. */
  readonly inmate: (rootDevId: number) => string[];
}

/**
 * Upstream's ivshmem-demo rings peer `target` (default: its own id + 1) each second, and counts the
 * rings it gets per vector: the root's tool rings with vector root id + 1.
 */
const ROOT_PEER_INMATES: Readonly<Record<string, RootPeerInmate>> = {
  'ivshmem-demo.bin': { cmdline: (root) => `target=${root}`, inmate: (root) => [`IVSHMEM: got interrupt ${root + 1} (#1)`] },
};

/** The root's end of an inmate's demo link: where uio_ivshmem shows it, and the inmate's command line. */
export interface RootPeer {
  /** The device's slot on the root's PCI bus, as sysfs names it after the domain ("01:0e.0"). */
  readonly slot: string;
  /** The root's dev_id on the device. */
  readonly rootDevId: number;
  readonly cmdline: string;
  readonly inmateExpect: string[];
}

/** An inmate cell's root peer: a protocol-less IVSHMEM device both the cell and the root have, where the inmate knows how to ring the root. */
export function rootPeerOf(machine: Machine, cell: MachineCell): RootPeer | undefined {
  const inmate = cell.inmate ? ROOT_PEER_INMATES[cell.inmate] : undefined;
  if (!inmate) return undefined;
  const demoLink = (d: MachineCell['pciDevices'][number]) => d.type === PCI_TYPE.IVSHMEM && d.shmemProtocol === SHMEM_PROTO.UNDEFINED;
  const device = cell.pciDevices.find(demoLink);
  const root = device && machine.system.rootCell.pciDevices.find((r) => demoLink(r) && r.bdf === device.bdf);
  if (!device || !root) return undefined;
  return { slot: bdfName(device.bdf), rootDevId: root.shmemDevId, cmdline: inmate.cmdline(root.shmemDevId), inmateExpect: inmate.inmate(root.shmemDevId) };
}

/** What the root's peer (upstream's tools/demos/ivshmem-demo over uio_ivshmem) printed, shown after the cell stops: its id, and a ring of the inmate's. */
const rootPeerExpect = (peer: RootPeer) => [`jhbuild-peer: ID = ${peer.rootDevId}`, 'jhbuild-peer: Interrupt #1'];

/**
 * The cell `--demo [NAME]` runs: NAME is a cell, a cell without its "-demo", or "linux" for the Linux
 * cell; none: the first inmate cell. Linux cells are demos where the image boots them (machine.guests).
 */
export function demoCell(machine: Machine, name: string | undefined): MachineCell {
  const demos = [...machine.cells.filter((c) => c.inmate), ...(machine.guests.includes('linux') ? bootedLinuxCells(machine) : [])];
  // `--demo linux` names the machine's (first) Linux cell, whatever the board calls it (linux-x86-demo).
  const cell = name === undefined ? demos[0] : demos.find((c) => c.name === name || c.name === `${name}-demo`) ?? (name === 'linux' ? demos.find((c) => c.linux) : undefined);
  if (!cell) {
    throw new JhError('E_USAGE', name === undefined ? `machine ${machine.name} has no cell to demo` : `machine ${machine.name} has no demo cell "${name}"`,
      { hint: `demos: ${demos.map((c) => c.name.replace(/-demo$/, '')).join(', ') || '(none)'}` });
  }
  return cell;
}

/** Where the root's ssh client is (Buildroot's dropbear, as dbclient) and what it asks the guest. */
export const SSH_CLIENT = '/usr/libexec/jailhouse/ssh/dbclient';
export const SSH_DEMO_COMMAND = 'grep PRETTY_NAME /etc/os-release';
/**
 * The fw_cfg item `run qemu` hands the build folder's private guest key in (never part of an image):
 * the root reads it from /sys/firmware/qemu_fw_cfg (CONFIG_FW_CFG_SYSFS).
 */
export const SSH_KEY_FW_CFG = 'opt/jhbuild/guest-ssh-key';

/** The address the root logs into a Buildroot guest at over ssh (its dropbear): the first link the root shares with it. */
export function sshTarget(machine: Machine, cell: MachineCell): string | undefined {
  if (machine.guestRootfs !== 'buildroot' || !cell.linux) return undefined;
  return rootReachable(machine, cell.name)[0]?.address;
}

/** A Linux cell: its boot, its network up, the root's three pings answered over each link the root shares, and a Buildroot guest's answer over ssh. */
function guestExpect(machine: Machine, cell: MachineCell): string[] {
  const pings = rootReachable(machine, cell.name);
  return [`jhbuild-guest: cell ${cell.name}`, ...pings.map((n) => ` ${n.address}/${n.prefix}`), 'jhbuild-guest: ready',
    ...pings.flatMap((n) => [`--- ${n.address} ping statistics ---`, '3 packets transmitted, 3 packets received']),
    ...(sshTarget(machine, cell) ? ['jhbuild-ssh: PRETTY_NAME="Buildroot '] : [])];
}

export function demoExpect(machine: Machine, cell: MachineCell): string[] {
  const peer = rootPeerOf(machine, cell);
  return ['Activating hypervisor', `Created cell "${cell.name}"`, ...(cell.inmate ? INMATE_EXPECT[cell.inmate] ?? [] : guestExpect(machine, cell)),
    ...(peer?.inmateExpect ?? []), `jhbuild-demo: ${cell.name} stopped`, ...(peer ? rootPeerExpect(peer) : []), 'The Jailhouse was closed', 'jhbuild-demo: done'];
}
