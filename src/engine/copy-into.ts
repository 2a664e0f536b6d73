/** The `install -D` of recipe steps: copies a file into a folder, making the folder first. */
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

export function copyInto(from: string, toDir: string, name = basename(from)): void {
  mkdirSync(toDir, { recursive: true });
  copyFileSync(from, join(toDir, name));
}
