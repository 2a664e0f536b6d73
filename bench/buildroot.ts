/**
 * bench/buildroot: the Buildroot guest from Debian's sources, cold in a fresh build folder (the
 * toolchain SDK and the guest each timed by their compile step), then a no-op rebuild, then a second
 * fresh folder fed from the first one's results (a folder remote cache). Prints the figures and the
 * initrd's size.
 *   ./jhbuild bench buildroot [--machine qemu-arm64] [--downloads DIR] -- --src buildroot=PATH
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ options: { machine: { type: 'string' }, downloads: { type: 'string' } }, allowPositionals: true });
const machine = values.machine ?? 'qemu-arm64';
const cli = join(fileURLToPath(new URL('..', import.meta.url)), 'src/cli/main.ts');
const work = mkdtempSync(join(tmpdir(), 'jhbuild-bench-buildroot-'));
const cache = join(work, 'remote');
// One download folder for every run: the figures are build times, not download times.
const downloads = values.downloads ?? join(work, 'downloads');

type Event = { event: string; task?: string; ms?: number; cached?: boolean };
function build(buildDir: string, mode: string) {
  const args = [cli, 'build', 'buildroot', '--machine', machine, '--build-dir', buildDir, '--downloads', downloads, '--cache', cache, '--cache-mode', mode, '--json', ...positionals];
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - start;
  if (r.status !== 0) { process.stderr.write(`jhbuild ${args.slice(1).join(' ')} failed:\n${r.stderr.slice(-3000)}\n`); process.exit(1); }
  const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
  const stepMs = (task: string) => events.find((e) => e.event === 'task:done' && e.task === task && !e.cached)?.ms;
  return { ms, events, stepMs, ran: events.filter((e) => e.event === 'task:start').length };
}
const s = (ms: number | undefined) => (ms === undefined ? 'not run' : `${(ms / 1000).toFixed(1)} s`);

const cold = build(join(work, 'A'), 'readwrite');
const noop = build(join(work, 'A'), 'read');
const fed = build(join(work, 'B'), 'read');
const rootfs = statSync(join(work, 'A', 'deploy', machine, 'buildroot', 'rootfs.cpio.gz')).size;
process.stdout.write(`machine ${machine}, work ${work}\n`);
process.stdout.write(`cold, fresh folder:              ${s(cold.ms)} (toolchain SDK compile ${s(cold.stepMs('buildroot-toolchain:compile'))}, guest compile ${s(cold.stepMs('buildroot:compile'))}), ${cold.ran} tasks ran\n`);
process.stdout.write(`no-op in the same folder:        ${s(noop.ms)}, ${noop.ran} tasks ran\n`);
process.stdout.write(`fresh folder fed from the cache: ${s(fed.ms)}, ${fed.ran} tasks ran, ${fed.events.filter((e) => e.event === 'cache:restore').length} results restored\n`);
process.stdout.write(`rootfs.cpio.gz: ${rootfs} bytes\n`);
