/** Reading .cell files from disk. */
import { readFileSync } from 'node:fs';
import { JhError } from '../errors.ts';
import { decodeCellFile, type DecodedCellFile } from './binary.ts';
import type { SystemConfig } from './model.ts';

export function readCellFile(path: string): DecodedCellFile {
  let bytes: Uint8Array;
  try { bytes = readFileSync(path); } catch (error) {
    throw new JhError('E_CELL_FILE', `cannot read: ${(error as Error).message}`, { file: path, hint: 'check the path' });
  }
  return decodeCellFile(bytes, path);
}

export function readSystemCellFile(path: string): SystemConfig {
  const decoded = readCellFile(path);
  if (decoded.kind !== 'system') {
    throw new JhError('E_CELL_KIND', 'expected a root (system) config, this is a non-root cell config', { file: path,
      hint: 'give the file `jailhouse config create` wrote (its signature is JHSYS)' });
  }
  return decoded.system;
}
