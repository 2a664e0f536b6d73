/**
 * bench/noop: a synthetic graph of 200 recipes x 7 steps, built once, then timed as a fully cached
 * no-op `jhbuild build` (the real CLI in a fresh process each run). Prints the median wall time.
 *   ./jhbuild bench noop [runs=7]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 7);
const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const index = new URL('../src/index.ts', import.meta.url).href;
const root = mkdtempSync(join(tmpdir(), 'jhbuild-bench-'));
const RECIPES = 200;

mkdirSync(join(root, 'machines'), { recursive: true });
writeFileSync(join(root, 'machines/bench.machine.ts'), `import { defineMachine } from ${JSON.stringify(index)};
const con = { address: 0x09000000, size: 0x1000, type: 3, flags: 3, divider: 0, gateNr: 0, clockReg: 0 };
const cell = { name: 'root', id: 0, flags: 0, cpuSetSize: 8, memory: [], cacheRegions: [], irqchips: [], pio: [], pciDevices: [],
  pciCaps: [], streamIds: [], vpciIrqBase: 0, cpuResetAddress: 0, msgReplyTimeout: 0, console: con };
export default defineMachine({ name: 'bench', summary: 'bench', arch: 'arm64', crossCompile: 'aarch64-linux-gnu-',
  cpus: 2, ram: [{ base: 0x40000000, size: 0x40000000 }], reservation: 'mem',
  rootConsole: [], system: { arch: 'arm64', flags: 0, hypervisorMemory: { phys: 0x7fc00000, virt: 0, size: 0x400000, flags: 0 },
  debugConsole: con, platform: { pciMmconfigBase: 0, pciMmconfigEndBus: 0, pciIsVirtual: 0, pciDomain: 0, iommuUnits: [] },
  rootCell: cell }, cells: [], kernel: { base: 'allnoconfig', fragments: [], image: 'Image', dtbs: [] }, boot: 'qemu' });
`);
// Each recipe depends on up to three earlier ones, has a patch and a file, and reads one machine value.
for (let i = 0; i < RECIPES; i++) {
  const name = `r${i}`;
  const dir = join(root, 'recipes', name);
  mkdirSync(join(dir, 'patches'), { recursive: true });
  writeFileSync(join(dir, 'patches/0001.patch'), `--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+${i}\n`);
  writeFileSync(join(dir, 'defaults.conf'), `value=${i}\n`);
  const deps = [i - 1, i - 7, i - 31].filter((d) => d >= 0).map((d) => `r${d}`);
  const step = (s: string) => `    ${s}: (ctx) => ctx.exec('true', []),`;
  writeFileSync(join(dir, `${name}.recipe.ts`), `import { defineRecipe } from ${JSON.stringify(index)};
export default defineRecipe({
  name: '${name}', version: '1.${i}', license: 'MIT', depends: ${JSON.stringify(deps)},
  patches: ['patches/0001.patch'], files: ['defaults.conf'], machineKeys: ['arch'],
  tasks: {
${['fetch', 'unpack', 'patch', 'configure', 'compile', 'install', 'deploy'].map(step).join('\n')}
  },
});
`);
}
const top = Array.from({ length: RECIPES }, (_, i) => `r${i}`);
const build = () => spawnSync(process.execPath, [cli, 'build', ...top, '--project', root, '--machine', 'bench', '--json'], { encoding: 'utf8' });
const first = build();
if (first.status !== 0) { process.stderr.write(first.stderr); process.exit(1); }
const times: number[] = [];
for (let r = 0; r < runs; r++) {
  const start = performance.now();
  const result = build();
  times.push(performance.now() - start);
  const done = result.stdout.trim().split('\n').at(-1)!;
  if (!done.includes('"ran":0')) { process.stderr.write(`not a no-op: ${done}\n`); process.exit(1); }
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
process.stdout.write(`noop build, ${RECIPES} recipes x 7 steps (${RECIPES * 7} tasks), ${runs} runs: median ${median.toFixed(0)} ms `
  + `(min ${times[0]!.toFixed(0)}, max ${times.at(-1)!.toFixed(0)}); goal < 300 ms\n`);
rmSync(root, { recursive: true, force: true });
