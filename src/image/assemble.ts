/**
 * Image assembly: what a machine boots, in the form its boot method takes. A machine booted by
 * QEMU directly gets a folder (kernel, initramfs, cells, inmates, cmdline); a machine with a disk
 * layout (`image:` in its description) gets a partitioned, sparse disk image with its .bmap, the
 * boot partition filled by its boot method and the root partition holding the root tree.
 * Both carry manifest.json (manifest.ts).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { TaskContext } from '../engine/recipe.ts';
import { rootCmdline } from '../system/cmdline.ts';
import { INITRD_FILE } from './cpio.ts';
import { writeImageManifest, type ManifestFile } from './manifest.ts';
import { rootTreeEntries, writeRootTree } from './root-tree.ts';
import { bootMethod } from '../boot/index.ts';
import type { BootParts } from '../boot/types.ts';
import { derivedId32 } from './disk/ids.ts';
import { partitionUuid } from './disk/plan.ts';
import { writeDiskImage } from './disk/write.ts';
import type { DiskLayoutInput, PartitionContent } from './disk/types.ts';
import { JhError } from '../errors.ts';

export interface ImageParts {
  /** The initramfs recipe booted directly by QEMU. */
  readonly initrd: string;
  /** Recipes whose install trees make the root file system of a disk image, in order. */
  readonly root: readonly string[];
}

/** Every file system time in an image: equal inputs give equal bytes. */
export const SOURCE_DATE_EPOCH = 0;

/** The image recipe's deploy step. */
export function assembleImage(ctx: TaskContext, parts: ImageParts): Promise<void> {
  return ctx.machine.image ? deployDisk(ctx, parts) : deployFolder(ctx, parts);
}

function fileOf(ctx: TaskContext, recipe: string, step: 'install' | 'deploy', path: string): ManifestFile {
  const dep = ctx.deps[recipe]!;
  return { path, recipe, version: dep.version, signature: dep.signatures[step] };
}

async function deployFolder(ctx: TaskContext, parts: ImageParts): Promise<void> {
  bootMethodIsQemu(ctx);
  const out = ctx.dirs.deploy;
  const files: ManifestFile[] = [];
  const put = (from: string, path: string, recipe: string, step: 'install' | 'deploy') => {
    mkdirSync(join(out, path, '..'), { recursive: true });
    copyFileSync(from, join(out, path));
    files.push(fileOf(ctx, recipe, step, path));
  };
  const machine = ctx.machine;
  put(join(ctx.deps.linux!.deploy, machine.kernel.image), machine.kernel.image, 'linux', 'deploy');
  put(join(ctx.deps[parts.initrd]!.dest, INITRD_FILE), INITRD_FILE, parts.initrd, 'install');
  if (ctx.deps.cells) {
    // The cell configs and the device trees rendered for Linux cells (cells/dts/).
    const cells = join(ctx.deps.cells.dest, 'etc/jailhouse');
    for (const f of readdirSync(cells, { recursive: true, encoding: 'utf8' }).sort()) {
      if (statSync(join(cells, f)).isFile()) put(join(cells, f), `cells/${f}`, 'cells', 'install');
    }
  }
  for (const part of parts.root.filter((p) => ctx.deps[p])) {
    const demos = join(ctx.deps[part]!.dest, 'usr/libexec/jailhouse/demos');
    if (existsSync(demos)) for (const f of readdirSync(demos).sort()) put(join(demos, f), `inmates/${f}`, part, 'install');
  }
  writeFileSync(join(out, 'cmdline.txt'), `${rootCmdline(machine).join(' ')}\n`);
  files.push({ path: 'cmdline.txt', recipe: ctx.recipe.name, version: ctx.recipe.version, signature: null });
  await writeImageManifest(out, { machine: machine.name, image: ctx.recipe.name }, files);
}

function bootParts(ctx: TaskContext): BootParts {
  return {
    need(recipe) {
      const dep = ctx.deps[recipe];
      if (!dep) {
        throw new JhError('E_RECIPE_DEPENDS', `boot method ${ctx.machine.boot} needs recipe ${recipe}, which recipe ${ctx.recipe.name} does not depend on`, {
          file: ctx.recipe.codeFiles[0], hint: 'add ...BOOT_DEPENDS (src/boot/index.ts) to its depends' });
      }
      return dep;
    },
  };
}

function bootMethodIsQemu(ctx: TaskContext): void {
  if (ctx.machine.boot !== 'qemu') bootMethod(ctx.machine);
}

async function deployDisk(ctx: TaskContext, parts: ImageParts): Promise<void> {
  const machine = ctx.machine;
  const layout = machine.image!;
  const method = bootMethod(machine);
  const out = ctx.dirs.deploy;
  const work = join(ctx.dirs.work, 'image');
  rmSync(work, { recursive: true, force: true });
  const log = join(ctx.dirs.work, 'log', 'image.log');
  // Disk and file system ids follow what went in (the bytes of every part), never the clock nor which
  // earlier build a cached part came from.
  const inputs = ctx.recipe.depends.filter((d) => d.task === 'install' || d.task === 'deploy')
    .map((d) => `${d.recipe}:${d.task}:${ctx.deps[d.recipe]!.outputHash(d.task as 'install' | 'deploy')}`).sort();
  const seed = createHash('sha256').update(JSON.stringify([machine.name, ctx.recipe.name, ...inputs])).digest('hex');
  const rootIndex = layout.partitions.findIndex((p) => p.content === 'root');
  const bootIndex = layout.partitions.findIndex((p) => p.content === 'boot');
  const rootArgs = rootIndex < 0 ? [] : [`root=PARTUUID=${partitionUuid(layout.table, seed, layout.partitions[rootIndex]!.name, rootIndex + 1)}`, 'rootwait', 'rw', 'init=/init'];
  const cmdline = [...rootCmdline(machine), ...rootArgs];
  const kernel = join(ctx.deps.linux!.deploy, machine.kernel.image);
  const bootName = bootIndex < 0 ? '' : layout.partitions[bootIndex]!.name;
  const boot = await method.bootPartition({
    machine, kernel, cmdline, bootVolumeId: derivedId32(seed, `fat:${bootName}`), render: ctx.render,
    workDir: join(work, 'boot'), sourceDateEpoch: SOURCE_DATE_EPOCH, log, signal: ctx.signal, deps: bootParts(ctx),
  });
  const rootDir = join(work, 'rootfs');
  writeRootTree(rootTreeEntries(ctx, parts.root), rootDir, SOURCE_DATE_EPOCH);
  const content = (what: string, name: string): PartitionContent => (what === 'boot' ? { fat: { files: boot.files, label: name.toUpperCase().slice(0, 11) } }
    : what === 'root' ? { ext4: { dir: rootDir, label: name.slice(0, 16) } } : { empty: true });
  const input: DiskLayoutInput = { ...layout, partitions: layout.partitions.map((p) => ({ ...p, content: content(p.content, p.name) })), blobs: boot.blobs ?? [] };
  const imageName = `${machine.name}.img`;
  const disk = await writeDiskImage(input, { file: machine.file, field: 'image' }, join(out, imageName),
    { seed, sourceDateEpoch: SOURCE_DATE_EPOCH, workDir: join(work, 'disk'), log, signal: ctx.signal });
  copyFileSync(kernel, join(out, machine.kernel.image));
  writeFileSync(join(out, boot.config.name), boot.config.text);
  writeFileSync(join(out, 'cmdline.txt'), `${cmdline.join(' ')}\n`);
  const own = (path: string): ManifestFile => ({ path, recipe: ctx.recipe.name, version: ctx.recipe.version, signature: null });
  await writeImageManifest(out, {
    machine: machine.name, image: ctx.recipe.name, disk: imageName, table: disk.table, diskId: disk.diskId,
    bootable: !boot.notBootable, ...(boot.notBootable ? { notBootable: boot.notBootable } : {}),
    partitions: disk.partitions.map((p) => ({ name: p.name, offset: p.offset, size: p.size, type: p.type, uuid: p.uuid })),
  }, [own(imageName), own(`${imageName}.bmap`), own(boot.config.name), own('cmdline.txt'), fileOf(ctx, 'linux', 'deploy', machine.kernel.image)]);
}

