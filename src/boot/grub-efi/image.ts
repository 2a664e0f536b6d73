/**
 * GRUB's EFI binary with its config inside, rootless and reproducible. This is what
 * grub-mkstandalone does, minus its timestamps: the memdisk tar is made with fixed owners, order
 * and mtime, and grub-mkimage (Debian's grub-efi-amd64-bin modules) embeds it.
 */
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../../exec/index.ts';

/** Built in, so GRUB needs nothing from a disk it has not found yet. */
const MODULES = ['memdisk', 'tar', 'configfile', 'normal', 'linux', 'echo', 'serial', 'terminal', 'search', 'search_fs_uuid',
  'part_gpt', 'part_msdos', 'fat', 'ext2', 'efi_gop', 'all_video'];

export interface GrubEfiOptions {
  readonly workDir: string;
  readonly sourceDateEpoch: number;
  readonly log: string;
  readonly signal?: AbortSignal;
}

export async function buildGrubEfi(grubCfg: string, output: string, options: GrubEfiOptions): Promise<void> {
  const stage = join(options.workDir, 'grub-memdisk');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, 'boot/grub'), { recursive: true });
  writeFileSync(join(stage, 'boot/grub/grub.cfg'), grubCfg);
  utimesSync(join(stage, 'boot/grub/grub.cfg'), options.sourceDateEpoch, options.sourceDateEpoch);
  const tar = join(options.workDir, 'memdisk.tar');
  const run = (file: string, args: string[]) => runProcess(file, args, { log: options.log, signal: options.signal });
  await run('tar', ['--sort=name', `--mtime=@${options.sourceDateEpoch}`, '--owner=0', '--group=0', '--numeric-owner', '--format=ustar',
    '-cf', tar, '-C', stage, 'boot']);
  const embedded = join(options.workDir, 'embedded.cfg');
  writeFileSync(embedded, 'set root=(memdisk)\nset prefix=($root)/boot/grub\n');
  await run('grub-mkimage', ['-O', 'x86_64-efi', '-o', output, '-c', embedded, '-p', '/boot/grub', '-m', tar, ...MODULES]);
}
