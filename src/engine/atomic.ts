/** Writing a file so that a reader sees the old text or the new one, never half of it. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** `mode` applies from the first byte (a private key is never readable by others, not even briefly). */
export function writeAtomic(file: string, text: string | Uint8Array, mode?: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, text, mode === undefined ? {} : { mode });
  renameSync(temp, file);
}
