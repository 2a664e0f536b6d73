/**
 * The archive of upstream's `jailhouse config collect`: copies of /proc and /sys files from the
 * target. Read back before use: only plain files and folders under proc/ and sys/, no path that
 * leaves the folder, bounded in size, and the files config create cannot do without present.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, normalize } from 'node:path';
import * as tar from 'tar';
import { JhError } from '../../errors.ts';

/** A collect archive is a few hundred KiB; anything far larger is not one. */
const MAX_BYTES = 64 * 1024 * 1024;
const REQUIRED = ['proc/iomem', 'proc/cpuinfo', 'proc/cmdline', 'proc/ioports'];

export async function extractCollect(file: string, dir: string): Promise<void> {
  const bad = (what: string) => new JhError('E_COLLECT_ARCHIVE', what, { file, hint: 'give the FILE.tar `jailhouse config collect FILE.tar` wrote on the target (as root)' });
  if (!existsSync(file)) throw bad('no such file');
  let total = 0;
  const problems: string[] = [];
  try {
    await tar.t({ file, strict: true, onReadEntry: (entry) => {
      const path = normalize(entry.path).replace(/\/$/, '');
      total += entry.size ?? 0;
      if (path.startsWith('/') || path.split('/').includes('..')) problems.push(`${entry.path}: a path outside the archive's folder`);
      else if (entry.type !== 'File' && entry.type !== 'Directory') problems.push(`${entry.path}: a ${entry.type}, not a file or folder`);
      else if (path !== '.' && !/^(proc|sys)(\/|$)/.test(path)) problems.push(`${entry.path}: not a /proc or /sys file`);
    } });
  } catch (error) {
    throw bad(`not a tar archive (${(error as Error).message})`);
  }
  if (problems.length) throw bad(`${problems.length} entr${problems.length === 1 ? 'y' : 'ies'} refused: ${problems.slice(0, 3).join('; ')}`);
  if (total > MAX_BYTES) throw bad(`${total} bytes unpacked, more than a collect archive's ${MAX_BYTES}`);
  mkdirSync(dir, { recursive: true });
  await tar.x({ file, cwd: dir, strict: true, preserveOwner: false });
  const missing = REQUIRED.filter((f) => !existsSync(join(dir, f)));
  if (missing.length) throw bad(`${missing.join(', ')} missing: the collector did not finish`);
}
