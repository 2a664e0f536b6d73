/**
 * The root file system's tree, one definition for every way it is shipped: as an initramfs (cpio)
 * or as the ext4 root partition of a disk image. The staging trees of some recipes, the base
 * folders and the /init rendered from templates/initrd/init.hbs.
 */
import { chmodSync, lutimesSync, mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskContext } from '../engine/recipe.ts';
import { mergeEntries, treeEntries, type CpioEntry } from './cpio.ts';
import { cellFileName } from '../system/cells.ts';
import { bootedLinuxCells } from '../system/guest/inmate-dts.ts';
import { netEnds, rootReachable } from '../system/guest/net.ts';
import { rootPeerOf, SOLO_INMATES, SSH_CLIENT, SSH_DEMO_COMMAND, SSH_KEY_FW_CFG, sshTarget } from '../system/demo.ts';

/** Where the linux-guest recipe puts each Linux cell's kernel, initrd, device tree and boot.sh. */
export const GUEST_DIR = 'usr/libexec/jailhouse/linux';

/** How long the demo lets its cells run before it stops them (FreeRTOS prints a report each second). */
const DEMO_SECONDS = 5;

/** `parts` are recipes whose install trees go in, in order (later ones win on equal paths); parts the machine does not build are skipped. */
export function rootTreeEntries(ctx: TaskContext, parts: readonly string[]): CpioEntry[] {
  const machine = ctx.machine;
  const present = parts.filter((p) => ctx.deps[p]);
  const cells = present.includes('cells') ? machine.cells : [];
  const guests = present.includes('linux-guest') ? bootedLinuxCells(machine) : [];
  const rootNets = present.includes('ivshmem-net') ? netEnds(machine, machine.system.rootCell.name) : [];
  // Inmates always run in a demo (solo ones only when asked for); a Linux cell when it is the one asked
  // for, and then the root pings it. An inmate with a root peer is told to ring the root, whose peer
  // runs while the cell does (uio_ivshmem comes with the ivshmem-net recipe).
  const withPeer = present.includes('ivshmem-net');
  const demos = [
    ...cells.filter((c) => c.inmate).map((c) => {
      const rootPeer = withPeer ? rootPeerOf(machine, c) : undefined;
      return { name: c.name, always: !SOLO_INMATES.has(c.inmate!), pings: [], rootPeer, ssh: undefined,
        start: `start_cell ${c.name} ${cellFileName(machine, c.name)}.cell ${c.inmate}${rootPeer ? ` '${rootPeer.cmdline}'` : ''}` };
    }),
    ...guests.map((c) => {
      const pings = rootNets.length ? rootReachable(machine, c.name).map((n) => n.address) : [];
      return { name: c.name, always: false, rootPeer: undefined, start: `/${GUEST_DIR}/${c.name}/boot.sh`, pings, ssh: sshTarget(machine, c) };
    }),
  ];
  const init = ctx.render('initrd/init.hbs', {
    machine: machine.name,
    jailhouse: present.includes('jailhouse'),
    systemCell: `${machine.name}.cell`,
    demos,
    rootNets,
    rootPeers: demos.some((d) => d.rootPeer),
    ssh: demos.some((d) => d.ssh) ? { key: `/sys/firmware/qemu_fw_cfg/by_name/${SSH_KEY_FW_CFG}/raw`, client: SSH_CLIENT, command: SSH_DEMO_COMMAND } : undefined,
    demoSeconds: DEMO_SECONDS,
  });
  const base: CpioEntry[] = ['dev', 'proc', 'sys', 'tmp', 'root'].map((path) => ({ path, type: 'dir' as const }));
  const extra: CpioEntry[] = [
    { path: 'dev/console', type: 'char', major: 5, minor: 1 },
    { path: 'init', type: 'file', data: Buffer.from(init), mode: 0o755 },
  ];
  return mergeEntries(base, ...present.map((p) => treeEntries(ctx.deps[p]!.dest)), extra);
}

/**
 * Writes entries as a folder (for `mke2fs -d`), every mtime set to `mtime`. Device nodes are left
 * out: making them needs root, and a disk root gets /dev from devtmpfs.
 */
export function writeRootTree(entries: readonly CpioEntry[], dir: string, mtime: number): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const dirs: string[] = [dir];
  for (const e of entries) {
    const path = join(dir, e.path);
    if (e.type === 'dir') { mkdirSync(path, { recursive: true, mode: e.mode ?? 0o755 }); dirs.push(path); }
    else if (e.type === 'file') { writeFileSync(path, e.data); chmodSync(path, e.mode ?? 0o644); utimesSync(path, mtime, mtime); }
    else if (e.type === 'symlink') { symlinkSync(e.target, path); lutimesSync(path, mtime, mtime); }
  }
  // Parents last: writing into a folder changes its mtime.
  for (const d of dirs.reverse()) utimesSync(d, mtime, mtime);
}
