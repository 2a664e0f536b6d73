/** Reading .cell files from disk: regular files of at most CONFIG_MAX_BYTES, never read past that. */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { isJhError, JhError } from '../errors.ts';
import { decodeCellFile, type DecodedCellFile } from './binary.ts';
import { CONFIG_MAX_BYTES } from './check/index.ts';
import type { SystemConfig } from './model.ts';

const HINT = 'give a .cell file built by Jailhouse or by `jhbuild cells encode`';

function kindOf(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  return st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a character device'
    : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a regular file';
}

function refuse(path: string, st: Stats): void {
  const kind = kindOf(st);
  if (kind) throw new JhError('E_CELL_FILE', `this is ${kind}, not a .cell file`, { file: path, hint: HINT });
  if (st.size > CONFIG_MAX_BYTES) throw tooLarge(path, `${st.size} bytes`);
}

const tooLarge = (path: string, size: string) => new JhError('E_CELL_CONFIG_SIZE',
  `the file is ${size}; a Jailhouse config is at most ${CONFIG_MAX_BYTES} bytes (16 pages: cell_create maps no more and answers -E2BIG)`,
  { file: path, hint: `${HINT}; this one is too large to be one` });

/** The bytes of a .cell: refuses devices, FIFOs and folders before opening, and reads at most one byte past the limit. */
export function readCellBytes(path: string): Uint8Array {
  try {
    refuse(path, statSync(path));
    // O_NONBLOCK: a FIFO swapped in after the stat must not block the open.
    const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      refuse(path, fstatSync(fd));
      const buffer = Buffer.alloc(CONFIG_MAX_BYTES + 1);
      let length = 0;
      while (length < buffer.length) {
        const n = readSync(fd, buffer, length, buffer.length - length, null);
        if (n === 0) break;
        length += n;
      }
      if (length > CONFIG_MAX_BYTES) throw tooLarge(path, `more than ${CONFIG_MAX_BYTES} bytes`);
      return buffer.subarray(0, length);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (isJhError(error)) throw error;
    throw new JhError('E_CELL_FILE', `cannot read: ${(error as Error).message}`, { file: path, hint: 'check the path' });
  }
}

export function readCellFile(path: string): DecodedCellFile {
  return decodeCellFile(readCellBytes(path), path);
}

export function readSystemCellFile(path: string): SystemConfig {
  const decoded = readCellFile(path);
  if (decoded.kind !== 'system') {
    throw new JhError('E_CELL_KIND', 'expected a root (system) config, this is a non-root cell config', { file: path,
      hint: 'give the file `jailhouse config create` wrote (its signature is JHSYS)' });
  }
  return decoded.system;
}
