/**
 * bench/image: on a machine whose image is already built, prints
 *  - the median wall time of a no-op `jhbuild image` over the kernel's own no-op
 *    `make O=... Image modules` in the same tree (goal <= 0.05), and
 *  - the wall time from an edit of one demo cell's memory region to a new image (goal < 10 s).
 *   ./jhbuild bench image --build-dir DIR [--machine qemu-arm64|pc] [--runs 5] [-- jhbuild image options, e.g. --src linux=PATH --src jailhouse=PATH]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { copyProject } from '../test/helpers/project-copy.ts';

const { values, positionals } = parseArgs({ options: { 'build-dir': { type: 'string' }, runs: { type: 'string' }, machine: { type: 'string' } }, allowPositionals: true });
const buildDir = values['build-dir'];
if (!buildDir) { process.stderr.write('usage: ./jhbuild bench image --build-dir DIR [--runs N] [-- image options]\n'); process.exit(2); }
const runs = Number(values.runs ?? 5);
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'src/cli/main.ts');
const machine = values.machine ?? 'qemu-arm64';
/** Per machine: its kernel build, and one demo cell RAM region whose size the edit changes. */
const MACHINES: Record<string, { arch: string; cross: string; image: string; region: string; edit: (pages: number) => string }> = {
  'qemu-arm64': { arch: 'arm64', cross: 'aarch64-linux-gnu-', image: 'Image', region: 'ram(0x7fa00000, 0x00010000, { virt: 0, loadable: true })',
    edit: (pages) => `ram(0x7fa00000, ${pages * 0x1000}, { virt: 0, loadable: true })` },
  pc: { arch: 'x86', cross: 'x86_64-linux-gnu-', image: 'bzImage', region: 'ram(0x3b600000, 0x100000, { virt: 0, loadable: true })',
    edit: (pages) => `ram(0x3b600000, ${pages * 0x1000}, { virt: 0, loadable: true })` },
};
const profile = MACHINES[machine];
if (!profile) { process.stderr.write(`bench image knows ${Object.keys(MACHINES).join(', ')}\n`); process.exit(2); }
const imageArgs = ['image', '--machine', machine, '--build-dir', buildDir, '--json', ...positionals];

const time = (file: string, args: string[], cwd = root) => {
  const start = performance.now();
  const r = spawnSync(file, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - start;
  if (r.status !== 0) { process.stderr.write(`${file} ${args.join(' ')} failed:\n${r.stderr.slice(-3000)}\n`); process.exit(1); }
  return { ms, stdout: r.stdout };
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ranOf = (stdout: string) => (JSON.parse(stdout.trim().split('\n').at(-1)!) as { ran: number }).ran;

const warm = time(process.execPath, [cli, ...imageArgs]);
if (ranOf(warm.stdout) !== 0) process.stderr.write(`note: the first run built ${ranOf(warm.stdout)} tasks; timing the no-op runs after it\n`);
const noop = Array.from({ length: runs }, () => {
  const r = time(process.execPath, [cli, ...imageArgs]);
  if (ranOf(r.stdout) !== 0) { process.stderr.write('not a no-op build\n'); process.exit(1); }
  return r.ms;
});
const kernel = join(buildDir, 'work', machine, 'linux');
const make = Array.from({ length: runs }, () => time('make', ['-C', join(kernel, 'src'), `O=${join(kernel, 'build')}`, `ARCH=${profile.arch}`,
  `CROSS_COMPILE=${profile.cross}`, profile.image, 'modules', '-j2', 'KBUILD_BUILD_TIMESTAMP=1970-01-01 00:00:00 UTC', 'KBUILD_BUILD_USER=jhbuild', 'KBUILD_BUILD_HOST=jhbuild']).ms);
process.stdout.write(`no-op image: median ${median(noop).toFixed(0)} ms; kernel no-op make: median ${median(make).toFixed(0)} ms; `
  + `ratio ${(median(noop) / median(make)).toFixed(3)} (goal <= 0.05), ${runs} runs each\n`);

// One memory region of the demo cell changes: only cells, the initrd and the image may rebuild.
const copy = copyProject(root);
const file = join(copy, 'machines', machine, `${machine}.machine.ts`);
const original = readFileSync(file, 'utf8');
// A size not built before (content-addressed results would otherwise make the edit free).
const pages = 1 + Math.floor(Math.random() * 15);
const edited = original.replace(profile.region, profile.edit(pages));
if (edited === original) { process.stderr.write(`could not find ${profile.region} in ${machine}.machine.ts to edit\n`); process.exit(1); }
writeFileSync(file, edited);
const edit = time(process.execPath, [join(copy, 'src/cli/main.ts'), ...imageArgs, '--project', copy]);
const ran = edit.stdout.split('\n').filter((l) => l.includes('"task:done"') && l.includes('"cached":false')).map((l) => (JSON.parse(l) as { task: string }).task);
process.stdout.write(`cell edit to new image: ${(edit.ms / 1000).toFixed(2)} s (goal < 10 s); reran: ${ran.join(' ')}\n`);
// Put the original back into the cache's view: rebuild with the real project so later runs are no-ops again.
time(process.execPath, [cli, ...imageArgs]);
rmSync(copy, { recursive: true, force: true });
