/**
 * bench/remote-cache: a cold image build that fills a remote cache (nginx WebDAV on 127.0.0.1, or
 * --cache URL|DIR), then the same image in a fresh build folder from that cache. Prints both wall
 * times, the ratio (goal <= 0.05), what was restored and how many tasks ran.
 *   ./jhbuild bench remote-cache [--machine qemu-arm64] [--cache URL|DIR] [-- image options, e.g. --image image-base --src linux=PATH]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startWebDav } from '../test/helpers/nginx.ts';

const { values, positionals } = parseArgs({ options: { machine: { type: 'string' }, cache: { type: 'string' } }, allowPositionals: true });
const machine = values.machine ?? 'qemu-arm64';
const cli = join(fileURLToPath(new URL('..', import.meta.url)), 'src/cli/main.ts');
const server = values.cache ? undefined : await startWebDav();
const cache = values.cache ?? server!.url;
const work = mkdtempSync(join(tmpdir(), 'jhbuild-bench-cache-'));

function image(buildDir: string, mode: string) {
  const args = [cli, 'image', '--machine', machine, '--build-dir', buildDir, '--downloads', join(buildDir, 'downloads'), '--cache', cache, '--cache-mode', mode, '--json', ...positionals];
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - start;
  if (r.status !== 0) { process.stderr.write(`jhbuild ${args.slice(1).join(' ')} failed:\n${r.stderr.slice(-3000)}\n`); process.exit(1); }
  const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event: string; task?: string; bytes?: number });
  return { ms, events };
}

try {
  const cold = image(join(work, 'A'), 'readwrite');
  const warm = image(join(work, 'B'), 'read');
  const restored = warm.events.filter((e) => e.event === 'cache:restore');
  const bytes = restored.reduce((n, e) => n + (e.bytes ?? 0), 0);
  process.stdout.write(`machine ${machine}, cache ${cache}\n`);
  process.stdout.write(`cold build (fills the cache):   ${(cold.ms / 1000).toFixed(1)} s, ${cold.events.filter((e) => e.event === 'task:start').length} tasks ran, ${cold.events.filter((e) => e.event === 'cache:store').length} results shared\n`);
  process.stdout.write(`fresh folder from the cache:    ${(warm.ms / 1000).toFixed(1)} s, ${warm.events.filter((e) => e.event === 'task:start').length} tasks ran, ${restored.length} restored (${(bytes / 1048576).toFixed(1)} MiB: ${restored.map((e) => e.task).join(', ')})\n`);
  process.stdout.write(`ratio: ${(warm.ms / cold.ms).toFixed(4)} (goal <= 0.05)\n`);
} finally {
  await server?.stop();
}
