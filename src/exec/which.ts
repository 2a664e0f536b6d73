/** A command's path on PATH, as the shell would find it (no process started). */
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';

export function whichSync(name: string, pathVar = process.env.PATH ?? ''): string | undefined {
  if (name.includes('/')) return name;
  for (const dir of pathVar.split(':')) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch { /* not here */ }
  }
  return undefined;
}
