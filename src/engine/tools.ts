/**
 * Host tool versions for signatures. A version is asked of the tool once and remembered by the
 * binary's path, size and mtime, so a no-op build starts no process.
 */
import { mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { whichSync } from '../exec/which.ts';
import { execFileSync } from 'node:child_process';


export class ToolVersions {
  private readonly file: string;
  private cache: Record<string, string> | undefined;
  private dirty = false;

  constructor(file: string) { this.file = file; }

  version(tool: string): string {
    const path = whichSync(tool);
    if (!path) return 'missing';
    const real = realpathSync(path);
    const st = statSync(real);
    const key = `${real}:${st.size}:${st.mtimeMs}`;
    this.cache ??= this.read();
    let version = this.cache[key];
    if (version === undefined) {
      try {
        const out = execFileSync(real, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
        version = out.split('\n')[0]!.trim();
      } catch {
        version = `sha-less:${st.size}:${Math.round(st.mtimeMs)}`;
      }
      this.cache[key] = version;
      this.dirty = true;
    }
    return version;
  }

  save(): void {
    if (!this.dirty || !this.cache) return;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify(this.cache, null, 1));
    this.dirty = false;
  }

  private read(): Record<string, string> {
    try { return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>; } catch { return {}; }
  }
}
