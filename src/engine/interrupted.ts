/**
 * A reused build folder after an interrupted build (kill -9, a power cut, the OOM killer): a compiler
 * stopped mid-write leaves an object with a fresh mtime that make takes for up to date, and the next
 * link fails ("member mm/vmstat.o in archive is not an object"). A marker written as the build starts
 * and removed when it ends tells the next run that the last one did not finish; every file written
 * since the marker is then suspect and goes, so make makes exactly those again.
 */
import { existsSync, lstatSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MARKER = '.jhbuild-building';

/** Files under `dir` written at or after the marker's time, but those in `keep` (relative paths); symlinks are left alone. */
function newerThan(dir: string, since: number, keep: ReadonlySet<string>, rel = ''): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...newerThan(dir, since, keep, path));
    else if (entry.isFile() && path !== MARKER && !keep.has(path) && lstatSync(join(dir, path)).mtimeMs >= since) found.push(path);
  }
  return found;
}

/**
 * Runs `build` in `dir` under the marker. When the marker of an earlier run is still there, the files
 * that run wrote are removed first (their count is returned through `onCleaned`). A build that ends,
 * even in an error, removes its marker: make finishes or deletes each target it was writing. Only one
 * cut short (killed, or aborted through `signal`) leaves it.
 */
export async function buildResumably(dir: string, keep: readonly string[], build: () => Promise<void>, onCleaned: (files: number) => void, signal?: AbortSignal): Promise<void> {
  const marker = join(dir, MARKER);
  if (existsSync(marker)) {
    const stale = newerThan(dir, statSync(marker).mtimeMs, new Set(keep));
    for (const file of stale) rmSync(join(dir, file), { force: true });
    onCleaned(stale.length);
  }
  writeFileSync(marker, `${process.pid}\n`);
  try {
    await build();
  } catch (error) {
    if (!signal?.aborted) rmSync(marker, { force: true });
    throw error;
  }
  rmSync(marker, { force: true });
}
