/**
 * What the root needs to boot each Linux cell of the machine, under /usr/libexec/jailhouse/linux/:
 * the guest kernel, per cell an initramfs, its device tree with /memory and /chosen (ARM) or its
 * zero page and setup data (x86, params.bin), and boot.sh with the `jailhouse cell` commands. The initramfs is Buildroot's rootfs.cpio.gz followed by the
 * cell's own part (ivshmem-net, /etc/jhbuild/net; the kernel unpacks concatenated archives in
 * order), or with guestRootfs: 'busybox' busybox and an /init rendered for the cell. The addresses
 * are computed here as `jailhouse cell linux` would compute them on the target
 * (src/cells/linux-boot.ts): the root's initramfs has no Python to run that script.
 */
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bootedLinuxCells, cellFileName, defineRecipe, GUEST_DIR, gzipReproducible, imageTextOffset, INMATE_DTS_TEMPLATE,
  inmateDtsData, JhError, linuxBootCommands, linuxBootLayout, mergeEntries, netEnds, renderedDtCells,
  SSH_CLIENT, treeEntries, writeCpio, x86BootCommands, x86BootLayout
} from '../../src/index.ts';
import type { CpioEntry, LinuxBootLayout, MachineCell, TaskContext } from '../../src/index.ts';
import { ROOT_SSH, ROOTFS } from '../buildroot/buildroot.recipe.ts';

const LOADER = '/usr/libexec/jailhouse/linux-loader.bin';

const archive = (entries: CpioEntry[]) => gzipReproducible(writeCpio(entries, 0));

function guestInitrd(ctx: TaskContext, cell: MachineCell): Buffer {
  const machine = ctx.machine;
  const module = readFileSync(join(ctx.deps['ivshmem-net']!.deploy, 'guest', 'ivshmem-net.ko'));
  if (machine.guestRootfs === 'buildroot') {
    const nets = netEnds(machine, cell.name).map((n) => `${n.slot} ${n.address}/${n.prefix}\n`).join('');
    const own = archive(mergeEntries(['lib/modules', 'etc/jhbuild'].map((path) => ({ path, type: 'dir' as const })), [
      { path: 'lib/modules/ivshmem-net.ko', type: 'file', data: module, mode: 0o644 },
      { path: 'etc/jhbuild/net', type: 'file', data: Buffer.from(nets), mode: 0o644 },
      { path: 'etc/jhbuild/cell', type: 'file', data: Buffer.from(`${cell.name} on ${machine.name}\n`), mode: 0o644 },
      // dropbear lets root in with the build folder's key, whose private half only `run qemu` hands the root.
      { path: 'root/.ssh', type: 'dir', mode: 0o700 },
      { path: 'root/.ssh/authorized_keys', type: 'file', data: Buffer.from(`${ctx.buildPublicKey('guest-ssh')}\n`), mode: 0o600 }]));
    return Buffer.concat([readFileSync(join(ctx.deps.buildroot!.deploy, ROOTFS)), own]);
  }
  const shared = Object.values(machine.board?.devices ?? {}).some((d) => d.shared && d.console && d.mmio?.some((w) => w.phys === cell.console.address));
  const init = ctx.render('initrd/guest-init.hbs', { machine: machine.name, cell: cell.name, nets: netEnds(machine, cell.name), sharedConsole: shared });
  return archive(mergeEntries(
    ['dev', 'proc', 'sys', 'tmp', 'root', 'lib/modules'].map((path) => ({ path, type: 'dir' as const })),
    treeEntries(ctx.deps.busybox!.dest),
    [{ path: 'lib/modules/ivshmem-net.ko', type: 'file', data: module, mode: 0o644 },
      { path: 'dev/console', type: 'char', major: 5, minor: 1 },
      { path: 'init', type: 'file', data: Buffer.from(init), mode: 0o755 }]));
}

/** The root's ssh client into Buildroot guests (Buildroot's dropbear as dbclient, with its musl loader). */
function installSshClient(ctx: TaskContext): void {
  const from = join(ctx.deps.buildroot!.deploy, ROOT_SSH);
  for (const file of readdirSync(from)) {
    const into = file === 'dbclient' ? join(ctx.dirs.dest, SSH_CLIENT) : join(ctx.dirs.dest, 'lib', file);
    mkdirSync(join(into, '..'), { recursive: true });
    copyFileSync(join(from, file), into);
    chmodSync(into, 0o755);
  }
}

async function deviceTree(ctx: TaskContext, cell: MachineCell, layout: LinuxBootLayout, out: string): Promise<number> {
  writeFileSync(`${out}.dts`, ctx.render(INMATE_DTS_TEMPLATE, inmateDtsData(ctx.machine, cell, { layout, bootargs: cell.linux!.cmdline })));
  await ctx.exec('dtc', ['-I', 'dts', '-O', 'dtb', '-o', out, `${out}.dts`]);
  return statSync(out).size;
}

/** boot.sh of a cell: the `jailhouse cell` commands jhbuild computed, as `jailhouse cell linux` would run them. */
function writeBootScript(cellDir: string, cell: MachineCell, commands: string[]): void {
  writeFileSync(join(cellDir, 'boot.sh'), ['#!/bin/sh',
    `# Starts Linux in cell ${cell.name}: what \`jailhouse cell linux\` does, with addresses jhbuild computed from the cell.`,
    'set -e', ...commands, ''].join('\n'), { mode: 0o755 });
}

/** x86: the bzImage, and per cell its initramfs and the zero page, setup data and command line the loader hands the kernel. */
function installX86(ctx: TaskContext, kernel: Buffer, dir: string): void {
  const machine = ctx.machine;
  const at = `/${GUEST_DIR}`;
  for (const cell of bootedLinuxCells(machine)) {
    const cellDir = join(dir, cell.name);
    mkdirSync(cellDir, { recursive: true });
    const initrd = guestInitrd(ctx, cell);
    writeFileSync(join(cellDir, 'initrd.cpio.gz'), initrd);
    const layout = x86BootLayout(cell, kernel, cell.linux!.cmdline ?? '', initrd.length);
    writeFileSync(join(cellDir, 'params.bin'), layout.paramsFile);
    writeBootScript(cellDir, cell, x86BootCommands(cell.name, `/etc/jailhouse/${cellFileName(machine, cell.name)}.cell`, layout,
      { loader: LOADER, kernel: `${at}/bzImage`, initrd: `${at}/${cell.name}/initrd.cpio.gz`, params: `${at}/${cell.name}/params.bin` }));
  }
}

async function install(ctx: TaskContext): Promise<void> {
  const machine = ctx.machine;
  const image = join(ctx.deps.linux!.deploy, 'guest', machine.guestKernel!.image);
  const kernel = readFileSync(image);
  const dir = join(ctx.dirs.dest, GUEST_DIR);
  mkdirSync(dir, { recursive: true });
  copyFileSync(image, join(dir, machine.arch === 'x86' ? 'bzImage' : 'Image'));
  if (machine.guestRootfs === 'buildroot') installSshClient(ctx);
  if (machine.arch === 'x86') return installX86(ctx, kernel, dir);
  for (const cell of renderedDtCells(machine)) {
    const cellDir = join(dir, cell.name);
    mkdirSync(cellDir, { recursive: true });
    const initrd = guestInitrd(ctx, cell);
    writeFileSync(join(cellDir, 'initrd.cpio.gz'), initrd);
    const sizes = { kernel: kernel.length, textOffset: imageTextOffset(kernel), initrd: initrd.length };
    // The tree holds addresses that depend on its own size: a first pass measures it (every value has a fixed width).
    const dtb = join(ctx.dirs.build, `${cell.name}.dtb`);
    mkdirSync(ctx.dirs.build, { recursive: true });
    const size = await deviceTree(ctx, cell, linuxBootLayout(cell, { ...sizes, dtb: 0 }), dtb);
    const layout = linuxBootLayout(cell, { ...sizes, dtb: size });
    if (await deviceTree(ctx, cell, layout, dtb) !== size) {
      throw new JhError('E_INTERNAL', `the device tree of cell ${cell.name} changed size with its addresses`, { hint: 'report this' });
    }
    copyFileSync(dtb, join(cellDir, `${cell.name}.dtb`));
    const at = `/${GUEST_DIR}`;
    const commands = linuxBootCommands(cell.name, `/etc/jailhouse/${cellFileName(machine, cell.name)}.cell`, layout,
      { loader: LOADER, kernel: `${at}/Image`, initrd: `${at}/${cell.name}/initrd.cpio.gz`, dtb: `${at}/${cell.name}/${cell.name}.dtb` });
    writeBootScript(cellDir, cell, commands);
  }
}

export default defineRecipe({
  name: 'linux-guest',
  version: '1',
  license: 'GPL-2.0-only',
  summary: 'Linux guest kernel, initramfs, device tree and boot commands for each Linux cell',
  depends: [{ recipe: 'linux', task: 'deploy', for: 'install' }, { recipe: 'ivshmem-net', task: 'deploy', for: 'install' },
    { recipe: 'busybox', task: 'install', for: 'install', when: { guestRootfs: ['busybox'] } },
    { recipe: 'buildroot', task: 'deploy', for: 'install', when: { guestRootfs: ['buildroot'] } }],
  templates: [INMATE_DTS_TEMPLATE, 'initrd/guest-init.hbs'],
  buildKeys: ['guest-ssh'],
  tools: ['dtc'],
  // The Linux cells whole; of the others only what their network ends are made of (not their memory).
  machineKeys: ['name', 'arch', 'system', 'cells[linux]', 'cells[*].name', 'cells[*].linux', 'cells[*].pciDevices', 'board', 'guestKernel', 'guestRootfs', 'cpus'],
  tasks: { install },
});
