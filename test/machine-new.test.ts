/**
 * `jhbuild machine new` on Linux 6.1's own board device trees (Debian's linux-source-6.1): the derived
 * root cell against upstream Jailhouse's figures and today's hand-written machines, the generated
 * machine loaded, checked and planned with cells added by needs; and the .dtb reader refusing bad blobs.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseFdt } from '../src/devicetree/fdt.ts';
import { machineFromDtb, type MachineFromDt } from '../src/machine/from-dt/index.ts';
import { loadProject } from '../src/project/load.ts';
import { loadMachine } from '../src/project/machine.ts';
import { whichSync } from '../src/exec/which.ts';
import { decodeCellFile } from '../src/cells/binary.ts';
import { CON_TYPE, MEM, PCI_TYPE } from '../src/cells/model.ts';
import type { Cell } from '../src/cells/model.ts';
import type { Machine } from '../src/machine/types.ts';
import { repoRoot, runCli } from './helpers/cli.ts';
import { tempDir } from './helpers/fixture.ts';
import { copyProject } from './helpers/project-copy.ts';
import { compileUpstream } from './helpers/upstream-cells.ts';

const TARBALL = '/usr/src/linux-source-6.1.tar.xz';
/** A siemens/jailhouse git tree (checkout or bare), as the e2e tiers take it. */
const UPSTREAM = process.env.JHBUILD_JAILHOUSE_SRC;
const RPI4_RAM = '0:0x3b400000,0x40000000:0xbc000000,0x100000000:0x100000000';
/** RAM for trees whose /memory the firmware fills in (marked * in the table): the board's usual banks. */
const RAM_GIVEN: Record<string, string> = {
  'broadcom/bcm2711-rpi-4-b': RPI4_RAM, 'freescale/fsl-ls1046a-rdb': '0x80000000:0x80000000', 'freescale/fsl-ls1088a-rdb': '0x80000000:0x80000000',
  'hisilicon/hi3660-hikey960': '0:0xc0000000', 'allwinner/sun50i-a64-pine64-plus': '0x40000000:0x40000000',
};
/** Boards of upstream Jailhouse's configs/arm64 (and a few more) that Linux 6.1 has a tree for: dts -> upstream config. */
const BOARDS: readonly [string, string | undefined][] = [
  ['broadcom/bcm2711-rpi-4-b', 'rpi4'], ['freescale/imx8mm-evk', 'imx8mm'], ['freescale/imx8mq-evk', 'imx8mq'],
  ['freescale/imx8mn-evk', 'imx8mn'], ['freescale/imx8mp-evk', 'imx8mp'], ['freescale/imx8qm-mek', 'imx8qm'],
  ['freescale/imx8dxl-evk', 'imx8dxl'], ['freescale/fsl-ls1028a-rdb', 'ls1028a-rdb'], ['freescale/fsl-ls1043a-rdb', 'ls1043a-rdb'],
  ['freescale/fsl-ls1046a-rdb', 'ls1046a-rdb'], ['freescale/fsl-ls1088a-rdb', 'ls1088a-rdb'], ['freescale/fsl-ls2088a-rdb', 'ls2088a-rdb'],
  ['xilinx/zynqmp-zcu102-rev1.0', 'zynqmp-zcu102'], ['xilinx/avnet-ultra96-rev1', 'ultra96'], ['nvidia/tegra186-p2771-0000', 'jetson-tx2'],
  ['nvidia/tegra210-p2371-2180', 'jetson-tx1'], ['hisilicon/hi6220-hikey', 'hikey'], ['hisilicon/hi3660-hikey960', undefined],
  ['renesas/r8a774a1-hihope-rzg2m', undefined], ['ti/k3-j721e-common-proc-board', 'k3-j721e-evm'], ['ti/k3-am654-base-board', 'k3-am654-idk'],
  ['ti/k3-j7200-common-proc-board', 'k3-j7200-evm'], ['marvell/armada-8040-mcbin', 'macchiatobin'], ['marvell/armada-3720-espressobin', 'espressobin'],
  ['allwinner/sun50i-a64-pine64-plus', 'pine64-plus'], ['amlogic/meson-gxl-s905x-libretech-cc', undefined], ['arm/foundation-v8-gicv3', 'foundation-v8'],
];

function treeMissing(): string | undefined {
  if (!existsSync(TARBALL)) return `${TARBALL} is not installed (apt-get install linux-source-6.1)`;
  for (const tool of ['dtc', 'cpp', 'tar', 'xz']) if (!whichSync(tool)) return `${tool} is not installed (apt-get install device-tree-compiler cpp xz-utils)`;
  return undefined;
}
const skipReason = treeMissing();
if (skipReason) console.log(`SKIP machine new on Linux 6.1's device trees: ${skipReason}`);

let kernelDir: string | undefined;
/** The kernel's dts folders, extracted once: the vendors above, the arm dtsi the arm64 Pi tree includes, the bindings. */
function kernelTree(): string {
  if (kernelDir) return kernelDir;
  const dir = tempDir('jhbuild-dts-');
  const vendors = [...new Set(BOARDS.map(([b]) => b.split('/')[0]))];
  execFileSync('tar', ['-xJf', TARBALL, '-C', dir, '--strip-components=1', '--wildcards',
    ...vendors.map((v) => `linux-source-6.1/arch/arm64/boot/dts/${v}/*`), 'linux-source-6.1/arch/arm/boot/dts/*',
    'linux-source-6.1/include/dt-bindings/*', 'linux-source-6.1/include/uapi/linux/input-event-codes.h', 'linux-source-6.1/scripts/dtc/include-prefixes/*'], { stdio: 'ignore' });
  return (kernelDir = dir);
}

const compiled = new Map<string, string | undefined>();
/**
 * Compiles a board's dts as the kernel does (SOURCES.md), once: a CLI child of one test may be reading
 * the .dtb while another test asks for it. Undefined when cpp or dtc refuses it.
 */
function compile(board: string): string | undefined {
  if (!compiled.has(board)) compiled.set(board, compileOnce(board));
  return compiled.get(board);
}

function compileOnce(board: string): string | undefined {
  const root = kernelTree();
  const dts = join(root, 'arch/arm64/boot/dts', `${board}.dts`);
  if (!existsSync(dts)) return undefined;
  const out = join(root, 'arch/arm64/boot/dts', `${board}.dtb`);
  const inc = join(root, 'scripts/dtc/include-prefixes');
  try {
    const pre = execFileSync('cpp', ['-nostdinc', '-I', dirname(dts), '-I', inc, '-undef', '-D__DTS__', '-x', 'assembler-with-cpp', dts], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
    execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-i', dirname(dts), '-i', inc, '-o', out, '-'], { input: pre, stdio: ['pipe', 'ignore', 'ignore'] });
    return out;
  } catch {
    return undefined;
  }
}

const ramOf = (text: string) => text.split(',').map((p) => { const [b, s] = p.split(':'); return { base: Number(b), size: Number(s) }; });
/** `machine new` on a board's tree; the file names and import path as the CLI writes them when given. */
function derive(board: string, name: string, ram?: string, as: { dtbName?: string; indexImport?: string } = {}): MachineFromDt {
  const dtb = compile(board);
  if (!dtb) throw new Error(`cannot compile ${board}`);
  return machineFromDtb(readFileSync(dtb), dtb, { name, dtbName: as.dtbName ?? `${board}.dtb`, kernelDtb: `${board}.dtb`, indexImport: as.indexImport ?? '../../src/index.ts', ram: ram ? ramOf(ram) : undefined });
}

const spans = (list: readonly { start: number; end: number }[]) => {
  const sorted = [...list].sort((a, b) => a.start - b.start);
  const out: [number, number][] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.start <= last[1]) last[1] = Math.max(last[1], s.end);
    else out.push([s.start, s.end]);
  }
  return out;
};
const clip = (list: [number, number][], banks: readonly { base: number; size: number }[]) =>
  spans(list.flatMap(([s, e]) => banks.map((b) => ({ start: Math.max(s, b.base), end: Math.min(e, b.base + b.size) })).filter((r) => r.end > r.start)));

/** A machine's root RAM (not IO) with its hypervisor memory. */
const rootRamOf = (m: Machine) => [...m.system.rootCell.memory.filter((r) => !(r.flags & MEM.IO) && r.size > 0).map((r) => ({ start: r.phys, end: r.phys + r.size })),
  { start: m.system.hypervisorMemory.phys, end: m.system.hypervisorMemory.phys + m.system.hypervisorMemory.size }];

const t2 = skipReason ? test.skip : test;

t2('rpi4 from bcm2711-rpi-4-b.dtb: upstream\'s GICv2 frames, 4 CPUs, the aux UART, and today\'s machines/rpi4', async (t) => {
  const { hardware: hw, layout } = derive('broadcom/bcm2711-rpi-4-b', 'rpi4-dt', RPI4_RAM);
  t.like(hw.gic, { version: 2, d: 0xff841000, c: 0xff842000, h: 0xff844000, v: 0xff846000, maintenanceIrq: 25 });
  t.is(hw.cpus.length, 4);
  t.like(hw.console, { address: 0xfe215040, size: 0x40, alias: 'serial1', path: '/soc/serial@7e215040' });
  t.is(hw.console?.kind?.type, CON_TYPE['8250']);
  t.true(hw.findings.some((f) => /enable-method is spin-table/.test(f)), 'the Pi tree boots its CPUs by spin-table: a finding');
  t.is(layout.vpci.start, 0xff900000, 'upstream\'s MMCONFIG base: right above the ARM local peripherals');

  const rpi4 = await loadMachine(await loadProject(repoRoot), 'rpi4');
  const arm = rpi4.system.platform.arm!;
  t.deepEqual([arm.gicdBase, arm.giccBase, arm.gichBase, arm.gicvBase, arm.gicVersion, arm.maintenanceIrq], [hw.gic!.d, hw.gic!.c, hw.gic!.h, hw.gic!.v, 2, 25]);
  t.is(rpi4.cpus, hw.cpus.length);
  t.is(rpi4.system.debugConsole.address, hw.console!.address);
  t.is(rpi4.system.debugConsole.type, hw.console!.kind!.type);
  t.deepEqual(rpi4.rootConsole, ['console=ttyS1,115200']);
  // The root's RAM (with the hypervisor and IVSHMEM) covers the machine's banks in both.
  const hand = clip(spans([...rootRamOf(rpi4), ...rpi4.board!.sharedMemory.map((r) => ({ start: r.base, end: r.base + r.size }))]), rpi4.ram);
  const mine = clip(spans([...layout.rootRam, layout.hypervisor, layout.sharedMemory]), rpi4.ram);
  t.deepEqual(mine, hand);
  t.deepEqual(mine, rpi4.ram.map((b) => [b.base, b.base + b.size]));
  // Upstream's PCIe outbound window is in the root's MMIO, as in the hand-written machine.
  t.true(layout.rootMmio.some((r) => r.start === 0x600000000 && r.end === 0x604000000));
});

t2('imx8mm from imx8mm-evk.dtb: upstream\'s GICv3, 4 CPUs, UART2, and today\'s machines/imx8mm-evk', async (t) => {
  const { hardware: hw, layout } = derive('freescale/imx8mm-evk', 'imx8mm-dt');
  t.like(hw.gic, { version: 3, d: 0x38800000, r: 0x38880000, maintenanceIrq: 25 });
  t.is(hw.cpus.length, 4);
  t.deepEqual(hw.cpus.map((c) => c.enableMethod), ['psci', 'psci', 'psci', 'psci']);
  t.like(hw.console, { address: 0x30890000, size: 0x1000, alias: 'serial1' });
  t.is(hw.console?.kind?.type, CON_TYPE.IMX);

  const evk = await loadMachine(await loadProject(repoRoot), 'imx8mm-evk');
  const arm = evk.system.platform.arm!;
  t.deepEqual([arm.gicdBase, arm.gicrBase, arm.gicVersion, arm.maintenanceIrq], [hw.gic!.d, hw.gic!.r, 3, 25]);
  t.is(evk.cpus, hw.cpus.length);
  t.like(evk.system.debugConsole, { address: hw.console!.address, size: hw.console!.size, type: hw.console!.kind!.type });
  t.deepEqual(evk.ram, layout.ram.map((b) => ({ base: b.start, size: b.end - b.start })), 'RAM from /memory@40000000');
  const vpci = { start: evk.system.platform.pciMmconfigBase, end: evk.system.platform.pciMmconfigBase + 0x200000 };
  t.deepEqual(clip(spans([...layout.rootRam, layout.hypervisor, layout.sharedMemory]), evk.ram),
    clip(spans([...rootRamOf(evk), ...evk.board!.sharedMemory.map((r) => ({ start: r.base, end: r.base + r.size })), vpci]), evk.ram));
  // The devices upstream's linux-demo takes are in the board layout under their aliases.
  const uart4 = hw.devices.find((d) => d.name === 'serial3')!;
  t.like(uart4, { path: '/soc@0/bus@30800000/serial@30a60000', irqs: [61] });
  t.deepEqual(hw.devices.find((d) => d.name === 'mmc2')?.irqs, [56]);
});

/** The Linux release the generated/ folders of rpi4 and imx8mm-evk were made from: another may move a node, and then they are made again. */
const GENERATED_FROM = '6.1.192';
/** The installed linux-source-6.1's upstream release (6.1.192-3 -> 6.1.192), from dpkg. */
function installedRelease(): string | undefined {
  try { return /^(\d+\.\d+\.\d+)/.exec(execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'linux-source-6.1'], { encoding: 'utf8' }))?.[1]; } catch { return undefined; }
}
const release = skipReason ? undefined : installedRelease();
const regenReason = skipReason ?? (release === GENERATED_FROM ? undefined
  : `machines/*/generated/ were made from Linux ${GENERATED_FROM}, this host's linux-source-6.1 is ${release ?? 'unknown'}; regenerate in the kernel tree: `
    + `jhbuild machine new rpi4 --dtb arch/arm64/boot/dts/broadcom/bcm2711-rpi-4-b.dtb --ram ${RPI4_RAM} -o machines/rpi4/generated --force (and imx8mm-evk alike)`);
if (regenReason && !skipReason) console.log(`SKIP generated machines against the trees: ${regenReason}`);

(regenReason ? test.skip : test)('rpi4 and imx8mm-evk start from their trees: machines/*/generated/ is what `machine new` writes from Linux 6.1\'s dts', (t) => {
  for (const [board, name, ram] of [['broadcom/bcm2711-rpi-4-b', 'rpi4', RPI4_RAM], ['freescale/imx8mm-evk', 'imx8mm-evk', undefined]] as const) {
    const made = derive(board, name, ram, { dtbName: `${board.split('/')[1]}.dtb`, indexImport: '../../../src/index.ts' });
    for (const [file, text] of made.files) {
      t.is(readFileSync(join(repoRoot, 'machines', name, 'generated', file), 'utf8'), text, `machines/${name}/generated/${file} is the generator's output; regenerate it if the generator changed`);
    }
  }
});

t2('the generated machines load, pass `cells check`, plan, and place a linux-demo and an inmate by needs', async (t) => {
  const copy = copyProject(repoRoot);
  const rpi = compile('broadcom/bcm2711-rpi-4-b')!;
  const imx = compile('freescale/imx8mm-evk')!;
  for (const [name, dtb, extra] of [['rpi4-dt', rpi, ['--ram', RPI4_RAM]], ['imx8mm-dt', imx, []]] as const) {
    const made = await runCli(['machine', 'new', name, '--dtb', dtb, ...extra, '--project', copy]);
    t.is(made.code, 0, made.stderr);
    t.regex(made.stdout, new RegExp(`wrote .*machines/${name}/${name}\\.machine\\.ts`));
    const file = join(copy, 'machines', name, `${name}.machine.ts`);
    const text = readFileSync(file, 'utf8');
    t.regex(text, /\/\/ FINDING: virtual PCI host at/);
    const again = await runCli(['machine', 'new', name, '--dtb', dtb, ...extra, '--project', copy]);
    t.is(again.code, 2);
    t.regex(again.stderr, /E_MACHINE_EXISTS/);
    // Deterministic: the same tree gives the same bytes.
    const forced = await runCli(['machine', 'new', name, '--dtb', dtb, ...extra, '--project', copy, '--force']);
    t.is(forced.code, 0, forced.stderr);
    t.is(readFileSync(file, 'utf8'), text);

    for (const args of [['cells', 'check'], ['cells', 'plan']]) {
      const r = await runCli([...args, '--machine', name, '--project', copy]);
      t.is(r.code, 0, `${args.join(' ')} ${name}: ${r.stdout}${r.stderr}`);
    }
    const console = 'serial1';
    writeFileSync(file, text.replace('  cells: [],', [
      "  links: [{ name: 'demo', kind: 'shmem', peers: ['root', 'inmate-demo', 'linux-demo'] }, { name: 'net', kind: 'net', peers: ['root', 'linux-demo'] }],",
      '  cells: [',
      `    { name: 'inmate-demo', ram: { size: 0x10000 }, cpus: 1, console: '${console}', inmate: 'gic-demo.bin' },`,
      `    { name: 'linux-demo', ram: { size: 128 * MiB }, cpus: 2, console: '${console}', linux: { cmdline: 'console=ttyS0,115200' } },`,
      '  ],',
    ].join('\n')));
    const check = await runCli(['cells', 'check', '--machine', name, '--project', copy]);
    t.is(check.code, 0, `${name} with cells: ${check.stdout}${check.stderr}`);
    const svg = join(copy, `${name}.svg`);
    const plan = await runCli(['cells', 'plan', '--machine', name, '--project', copy, '--svg', svg]);
    t.is(plan.code, 0, plan.stderr);
    t.regex(plan.stdout, /inmate-demo\s+placed/);
    // The tree's devices on the map: the console by its alias, the GIC frames, the virtual PCI host, the root's MMIO by node.
    const picture = readFileSync(svg, 'utf8');
    for (const label of ['root: device serial1 (shared with inmate-demo, linux-demo)', 'hypervisor: GIC /', 'hypervisor: virtual PCI host', 'root: /soc']) {
      t.true(picture.includes(label) && plan.stdout.includes(label), `${name}: the device map shows "${label}"`);
    }
    t.regex(plan.stdout, /linux-demo\s+placed/);
    const machine = await loadMachine(await loadProject(copy), name);
    t.deepEqual(machine.placed, ['inmate-demo', 'linux-demo']);
    const board = machine.board!;
    const linux = machine.cells.find((c) => c.name === 'linux-demo')!;
    const ram = linux.memory.filter((m) => m.flags & MEM.LOADABLE);
    t.true(ram.every((m) => board.cellRam.some((r) => m.phys >= r.base && m.phys + m.size <= r.base + r.size)), 'linux-demo lies in board.cellRam');
  }
});

type Range = { start: number; end: number };
const bytes = (list: readonly Range[]) => spans(list).reduce((n, [a, b]) => n + (b - a), 0);
const intersect = (a: readonly Range[], b: readonly Range[]) => spans(a).flatMap(([s1, e1]) => spans(b)
  .map(([s2, e2]) => ({ start: Math.max(s1, s2), end: Math.min(e1, e2) })).filter((r) => r.end > r.start));
const overlaps = (a: Range, list: readonly Range[]) => list.some((b) => a.start < b.end && b.start < a.end);
const pct = (part: number, whole: number) => (whole ? `${((100 * part) / whole).toFixed(1)}%` : '-');

/** An upstream root cell's MMIO and RAM (its regions but IVSHMEM's, which are the links' memory). */
function upstreamRegions(root: Cell): { mmio: Range[]; ram: Range[] } {
  const shmem = new Set(root.pciDevices.filter((d) => d.type === PCI_TYPE.IVSHMEM)
    .flatMap((d) => Array.from({ length: 2 + d.shmemPeers }, (_, i) => d.shmemRegionsStart + i)));
  const regions = root.memory.map((m, i) => ({ ...m, i })).filter((m) => m.size > 0 && !shmem.has(m.i) && !(m.flags & MEM.COMM_REGION));
  const range = (m: { phys: number; size: number }) => ({ start: m.phys, end: m.phys + m.size });
  return { mmio: regions.filter((m) => m.flags & MEM.IO).map(range), ram: regions.filter((m) => !(m.flags & MEM.IO)).map(range) };
}

/**
 * The derived root cell against upstream's: how many of upstream's MMIO regions a derived one touches
 * (hit), how much of the derived MMIO upstream maps too (precision; the rest is listed with its nodes),
 * how much of upstream's root RAM the derived machine has as RAM (the root's, the hypervisor's, IVSHMEM).
 */
function compareRegions(layout: MachineFromDt['layout'], root: Cell) {
  const up = upstreamRegions(root);
  const mmio = layout.rootMmio.map((r) => ({ start: r.start, end: r.end }));
  const hit = up.mmio.filter((u) => overlaps(u, mmio)).length;
  const inside = bytes(intersect(mmio, up.mmio));
  const outside = layout.rootMmio.filter((r) => bytes(intersect([r], up.mmio)) < r.end - r.start);
  const ram = [...layout.rootRam, layout.hypervisor, layout.sharedMemory];
  const kept = bytes(intersect(up.ram, ram));
  const precision = `${mmio.length - outside.length}/${mmio.length} inside, ${pct(inside, bytes(mmio))} of bytes`;
  // Upstream's RAM the derived machine lacks.
  const lost = spans(up.ram).flatMap(([s, e]) => {
    const gaps: [number, number][] = [];
    let at = s;
    for (const [a, b] of spans(intersect([{ start: s, end: e }], ram))) { if (a > at) gaps.push([at, a]); at = b; }
    return at < e ? [...gaps, [at, e] as [number, number]] : gaps;
  });
  return { hit, of: up.mmio.length, precision, outside, ramKept: pct(kept, bytes(up.ram)), lost };
}

const haveUpstream = Boolean(UPSTREAM && existsSync(UPSTREAM));
if (!haveUpstream) console.log('SKIP region-by-region comparison with upstream: set JHBUILD_JAILHOUSE_SRC to a siemens/jailhouse tree');
(skipReason || !haveUpstream ? test.skip : test)('rpi4 and imx8mm-evk region by region: every upstream MMIO region touched, the rest of the derived MMIO named by its nodes, upstream\'s root RAM kept', (t) => {
  const upstream = UPSTREAM!;
  for (const [board, config, ram] of [['broadcom/bcm2711-rpi-4-b', 'rpi4', RPI4_RAM], ['freescale/imx8mm-evk', 'imx8mm', undefined]] as const) {
    const { layout } = derive(board, config, ram);
    const cell = decodeCellFile(compileUpstream(upstream, config, 'arm64')!);
    if (cell.kind !== 'system') return t.fail(`${config}.c is not a root config`);
    const c = compareRegions(layout, cell.system.rootCell);
    t.is(c.hit, c.of, `${config}: every upstream MMIO region is touched by a derived one`);
    t.log(`${config}: ${c.hit}/${c.of} upstream MMIO regions hit, precision ${c.precision}, upstream root RAM kept ${c.ramKept}`);
    for (const r of c.outside) t.log(`  derived MMIO upstream does not map: 0x${r.start.toString(16)}+0x${(r.end - r.start).toString(16)} from ${r.from.join(', ')}`);
    for (const r of c.outside) t.true(r.from.length > 0, 'each is justified by a node of the tree');
    for (const [a, b] of c.lost) t.log(`  upstream root RAM the derived machine does not have as RAM: 0x${a.toString(16)}-0x${b.toString(16)} (${(b - a) / 0x100000} MiB)`);
    // The one gap on the Pi is the VideoCore's memory: the firmware leaves it out of /memory (--ram here), upstream's root maps it anyway.
    t.deepEqual(c.lost, config === 'rpi4' ? [[0x3b400000, 0x40000000]] : [], `${config}: upstream's root RAM is kept`);
  }
});

t2('more boards of upstream Jailhouse\'s arm64 list: the derived figures beside upstream\'s hand-written configs', (t) => {
  const upstream = UPSTREAM && existsSync(UPSTREAM) ? UPSTREAM : undefined;
  if (!upstream) console.log('upstream comparison skipped: set JHBUILD_JAILHOUSE_SRC to a siemens/jailhouse git tree');
  const rows: string[][] = [['board (Linux 6.1 dts)', 'GIC', 'gicd', 'gicc/gicr', 'CPUs', 'regions', 'console', 'upstream config', 'upstream gicd', 'gicc/gicr', 'CPUs', 'console', 'same',
    'MMIO hit', 'precision', 'RAM kept']];
  let compiled = 0;
  for (const [board, config] of BOARDS) {
    if (!compile(board)) { rows.push([board, '(does not compile here)']); continue; }
    compiled++;
    let m: MachineFromDt;
    try {
      m = derive(board, board.split('/')[1]!.slice(0, 31), RAM_GIVEN[board]);
    } catch (error) {
      rows.push([board, `(${(error as Error).message.split('\n')[0]!.slice(0, 70)})`]);
      continue;
    }
    const { hardware: hw, layout } = m;
    const g = hw.gic!;
    const h = (n?: number) => (n ? `0x${n.toString(16)}` : '-');
    const mine = [`${board}${RAM_GIVEN[board] ? '*' : ''}`, `v${g.version}`, h(g.d), g.version === 2 ? h(g.c) : h(g.r), String(hw.cpus.length), String(layout.rootRam.length + layout.rootMmio.length),
      hw.console ? `${h(hw.console.address)} ${hw.console.kind?.typeName ?? 'NONE'}` : '-'];
    const up = config && upstream ? upstreamFigures(upstream, config) : undefined;
    const upC = g.version === 2 ? up?.gicc : up?.gicr;
    const theirs = up ? [config!, h(up.gicd), h(upC), String(up.cpus), h(up.console)] : [config ?? '-', '', '', '', ''];
    const same = up ? [up.gicd === g.d, upC === (g.version === 2 ? g.c : g.r), up.cpus === hw.cpus.length, up.console === hw.console?.address]
      .map((ok, i) => (ok ? '' : ['gicd', 'gicc/r', 'cpus', 'console'][i])).filter(Boolean).join(' ') || 'yes' : '';
    const cellBytes = config && upstream ? compileUpstream(upstream, config, 'arm64') : undefined;
    const decoded = cellBytes && decodeCellFile(cellBytes);
    const regions = decoded && decoded.kind === 'system' ? compareRegions(layout, decoded.system.rootCell) : undefined;
    rows.push([...mine, ...theirs, same ? (same === 'yes' ? 'yes' : `differ: ${same}`) : '',
      ...(regions ? [`${regions.hit}/${regions.of}`, regions.precision, regions.ramKept] : ['', '', ''])]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  console.log(`${rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')).join('\n')}\n* RAM given with --ram: the tree's /memory is filled in by the firmware`);
  t.true(compiled >= 2);
});

/** gicd/gicc/gicr, the CPU count and the console address of an upstream configs/arm64/X.c (read with git, never copied). */
function upstreamFigures(repo: string, config: string): { gicd: number; gicc: number; gicr: number; cpus: number; console: number } | undefined {
  let text: string;
  try {
    text = execFileSync('git', ['-C', repo, 'show', `HEAD:configs/arm64/${config}.c`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  const cpus = num(/\.cpus\s*=\s*\{\s*(0x[0-9a-f]+|0b[01]+|\d+)/i);
  return { gicd: num(/gicd_base\s*=\s*(0x[0-9a-f]+)/i), gicc: num(/gicc_base\s*=\s*(0x[0-9a-f]+)/i), gicr: num(/gicr_base\s*=\s*(0x[0-9a-f]+)/i),
    cpus: cpus.toString(2).split('').filter((b) => b === '1').length, console: num(/debug_console\s*=\s*\{[^}]*?\.address\s*=\s*(0x[0-9a-f]+)/is) };
}

const dtcReason = whichSync('dtc') ? undefined : 'dtc is not installed (apt-get install device-tree-compiler)';
if (dtcReason) console.log(`SKIP the .dtb reader's refusals: ${dtcReason}`);
(dtcReason ? test.skip : test)('the .dtb reader checks what it reads: magic, sizes, offsets, tokens, a size cap', (t) => {
  const dir = tempDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'x.dts'), '/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>; model = "x"; soc { #address-cells = <1>; #size-cells = <1>; ranges = <0x0 0x40000000 0x1000000>; uart@1000 { reg = <0x1000 0x100>; }; }; };\n');
  execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', join(dir, 'x.dtb'), join(dir, 'x.dts')]);
  const good = new Uint8Array(readFileSync(join(dir, 'x.dtb')));
  const fdt = parseFdt(good, 'x.dtb');
  t.is(fdt.root.children[0]!.children[0]!.path, '/soc/uart@1000');
  const bad = (mutate: (b: Uint8Array, v: DataView) => Uint8Array | void, message: RegExp) => {
    const copy = good.slice();
    const out = mutate(copy, new DataView(copy.buffer)) ?? copy;
    t.throws(() => parseFdt(out, 'x.dtb'), { message, instanceOf: Error }, String(message));
  };
  bad((_, v) => v.setUint32(0, 0xdeadbeef), /magic 0xdeadbeef/);
  bad((b) => b.subarray(0, 100), /header says \d+ bytes, the file has 100/);
  bad((_, v) => v.setUint32(8, 0xfffffff0), /structure block .* outside/);
  bad((_, v) => v.setUint32(12, good.length - 2), /strings block .* outside/);
  bad((_, v) => v.setUint32(v.getUint32(8) + 0, 7), /starts with token 7/);
  bad(() => new Uint8Array(17 * 1024 * 1024), /cap/);
  bad(() => new Uint8Array(8), /shorter than the 40-byte header/);
  // A property length past the block: find the first FDT_PROP token and break its length.
  bad((b, v) => { for (let at = v.getUint32(8); at < b.length; at += 4) if (v.getUint32(at) === 3) { v.setUint32(at + 4, 0x7fffffff); return; } }, /past the structure block/);
});
