/** Small fixture projects in a temp folder: recipes whose steps append "recipe:step" to a log. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { indexUrl } from './cli.ts';

export function tempDir(prefix = 'jhbuild-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function write(root: string, rel: string, text: string): string {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** A machine with the least a machine must have. */
export function writeTestMachine(root: string, name = 'test'): void {
  write(root, `machines/${name}.machine.ts`, `import { defineMachine } from ${JSON.stringify(indexUrl)};
const con = { address: 0x09000000, size: 0x1000, type: 3, flags: 3, divider: 0, gateNr: 0, clockReg: 0 };
export default defineMachine({
  name: ${JSON.stringify(name)}, summary: 'engine test machine', arch: 'arm64', crossCompile: 'aarch64-linux-gnu-',
  cpus: 2, ram: [{ base: 0x40000000, size: 0x40000000 }], reservation: 'mem',
  rootConsole: ['console=ttyAMA0'],
  system: {
    arch: 'arm64', flags: 0, hypervisorMemory: { phys: 0x7fc00000, virt: 0, size: 0x400000, flags: 0 }, debugConsole: con,
    platform: { pciMmconfigBase: 0, pciMmconfigEndBus: 0, pciIsVirtual: 0, pciDomain: 0, iommuUnits: [],
      arm: { maintenanceIrq: 25, gicVersion: 3, gicdBase: 0x08000000, giccBase: 0, gichBase: 0, gicvBase: 0, gicrBase: 0x080a0000 } },
    rootCell: { name: 'root', id: 0, flags: 0, cpuSetSize: 8, memory: [{ phys: 0x40000000, virt: 0x40000000, size: 0x3fc00000, flags: 7 }],
      cacheRegions: [], irqchips: [], pio: [], pciDevices: [], pciCaps: [], streamIds: [], vpciIrqBase: 0, cpuResetAddress: 0,
      msgReplyTimeout: 0, console: con },
  },
  cells: [],
  kernel: { base: 'allnoconfig', fragments: [], image: 'Image', dtbs: [] },
  boot: 'qemu',
});
`);
}

/** Writes a recipe whose every step appends "name:step" to `log` and does `extra[step]` first. */
export function writeLoggingRecipe(root: string, name: string, log: string, options: {
  depends?: string[]; patches?: string[]; source?: string; extra?: Record<string, string>; version?: string; files?: string[];
  templates?: string[]; layerDir?: string;
} = {}): void {
  const steps = ['fetch', 'unpack', 'patch', 'configure', 'compile', 'install', 'deploy'];
  const tasks = steps.map((step) => `    ${step}: async (ctx) => { ${options.extra?.[step] ?? ''} await ctx.exec('sh', ['-c', 'echo ${name}:${step} >> ' + LOG]); },`).join('\n');
  const base = options.layerDir ?? root;
  write(base, `recipes/${name}/${name}.recipe.ts`, `import { defineRecipe, local } from ${JSON.stringify(indexUrl)};
const LOG = ${JSON.stringify(log)};
export default defineRecipe({
  name: ${JSON.stringify(name)},
  version: ${JSON.stringify(options.version ?? '1.0')},
  license: 'MIT',
  ${options.source ? `source: ${options.source},` : ''}
  depends: ${JSON.stringify(options.depends ?? [])},
  patches: ${JSON.stringify(options.patches ?? [])},
  files: ${JSON.stringify(options.files ?? [])},
  templates: ${JSON.stringify(options.templates ?? [])},
  tasks: {
${tasks}
  },
});
`);
}
