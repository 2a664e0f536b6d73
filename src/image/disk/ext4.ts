/**
 * An ext4 file system made from a folder, rootless: `mke2fs -d`. Its UUID and hash seed come
 * from the caller, its own times from E2FSPROGS_FAKE_TIME. mke2fs copies each file's owner and
 * atime/ctime from the folder, and those say who built it and when: one debugfs pass then sets
 * every inode's owner to root and its times to the source date, so equal inputs give equal bytes
 * and a root file system never belongs to the builder.
 */
import { lstatSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../../exec/index.ts';

export interface Ext4Options {
  readonly label?: string;
  readonly uuid: string;
  readonly sourceDateEpoch: number;
  readonly workDir: string;
  readonly log: string;
  readonly signal?: AbortSignal;
}

export async function writeExt4(image: string, size: number, dir: string, options: Ext4Options): Promise<void> {
  // e2fsprogs reads a fake time of 0 as "not set": the epoch's first second stands in for it.
  const env = { E2FSPROGS_FAKE_TIME: String(Math.max(options.sourceDateEpoch, 1)) };
  await runProcess('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '4096', '-d', dir, '-U', options.uuid,
    '-E', `hash_seed=${options.uuid},root_owner=0:0`, ...(options.label ? ['-L', options.label] : []), image, `${size / 1024}k`],
  { env, log: options.log, signal: options.signal });
  const time = `@${options.sourceDateEpoch}`;
  const commands = ['/', ...treePaths(dir)].flatMap((path) => ['uid 0', 'gid 0', `atime ${time}`, `ctime ${time}`, `mtime ${time}`]
    .map((field) => `sif "${path}" ${field}`));
  const script = join(options.workDir, 'normalize.debugfs');
  writeFileSync(script, `${commands.join('\n')}\n`);
  await runProcess('debugfs', ['-w', '-f', script, image], { env, log: options.log, signal: options.signal });
}

function treePaths(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = `${prefix}/${name}`;
    out.push(path);
    if (lstatSync(join(dir, name)).isDirectory()) out.push(...treePaths(join(dir, name), path));
  }
  return out;
}
