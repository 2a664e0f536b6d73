/** Cell configs of the five machines: render, encode, decode, check, and the derived cmdlines. */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCellFile, encodeCell, encodeSystem, SIZES } from '../src/cells/binary.ts';
import { checkMachine, encodeMachineCells, nonRootConfigs, renderMachineCells } from '../src/system/cells.ts';
import { quoteCmdline, rootCmdline } from '../src/system/cmdline.ts';
import { renderTemplateFile } from '../src/render/index.ts';
import { whichSync } from '../src/exec/which.ts';
import { machine, MACHINES } from './helpers/machines.ts';
import { repoRoot, runCli } from './helpers/cli.ts';
import { compileUpstream as compiled } from './helpers/upstream-cells.ts';

/** An upstream config every tree of siemens/jailhouse master has. */
const compileUpstream = (src: string, config: string, arch: 'x86' | 'arm64') => compiled(src, config, arch)!;

const render = (t: string, d: unknown) => renderTemplateFile(join(repoRoot, 'templates', t), d);

for (const name of MACHINES) {
  test(`${name}: render, encode, decode and check pass`, async (t) => {
    const m = await machine(name);
    t.deepEqual(checkMachine(m), []);
    const encoded = encodeMachineCells(m);
    t.is(encoded.size, 1 + m.cells.length);
    const system = decodeCellFile(encoded.get(`${name}.cell`)!);
    t.is(system.kind, 'system');
    t.deepEqual(system.kind === 'system' && system.system, stripComments(m.system));
    for (const config of nonRootConfigs(m)) {
      const decoded = decodeCellFile(encoded.get(`${name}-${config.cell.name}.cell`)!);
      t.deepEqual(decoded.kind === 'cell' && decoded.config, stripComments(config));
    }
    const sources = renderMachineCells(m, render);
    t.is(sources.size, encoded.size);
    t.regex(sources.get(`${name}.c`)!, /struct jailhouse_system header;/);
    t.true([...sources.values()].every((c) => c.includes('JAILHOUSE_CONFIG_REVISION')));
  });
}

/** The model's comments are for rendered C only: the binary does not carry them. */
function stripComments<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (k, v) => (k === 'comment' ? undefined : v)));
}

test('root cmdlines: qemu-x86-vtd memmap+intel_iommu, qemu-x86 (AMD) memmap only, qemu-arm64 mem= up to its lowest placed cell, pc from its root .cell', async (t) => {
  t.is(rootCmdline(await machine('qemu-x86-vtd')).join(' '), 'intel_iommu=off memmap=82M$0x3a000000 console=ttyS1,115200');
  t.is(rootCmdline(await machine('qemu-x86')).join(' '), 'memmap=82M$0x3a000000 console=ttyS1,115200', 'no VT-d to keep from the root');
  t.deepEqual(rootCmdline(await machine('qemu-arm64')), ['mem=887M', 'console=ttyAMA0'], 'linux-demo is placed below inmate-demo and freertos-demo: its loader starts at 0x777f0000');
  const pc = rootCmdline(await machine('pc'));
  t.true(pc.includes('intel_iommu=off'));
  t.true(pc.includes('memmap=66M$0x3b000000'), `0x4200000 bytes = 66M: ${pc.join(' ')}`);
  t.false(pc.some((a) => a.startsWith('console=ttyS0')), 'the root console does not collide with the hypervisor\'s ttyS0');
});

test('the $ of memmap is quoted for each boot context', async (t) => {
  const args = rootCmdline(await machine('qemu-x86-vtd'));
  t.is(quoteCmdline(args, 'argv'), 'intel_iommu=off memmap=82M$0x3a000000 console=ttyS1,115200');
  t.is(quoteCmdline(args, 'grub'), 'intel_iommu=off memmap=82M\\$0x3a000000 console=ttyS1,115200');
  t.is(quoteCmdline(args, 'shell'), "'intel_iommu=off memmap=82M$0x3a000000 console=ttyS1,115200'");
  t.is(quoteCmdline(args, 'uboot'), "setenv bootargs 'intel_iommu=off memmap=82M$0x3a000000 console=ttyS1,115200'");
  const viaShell = execFileSync('sh', ['-c', `printf %s ${quoteCmdline(args, 'shell')}`], { encoding: 'utf8' });
  t.is(viaShell, args.join(' '), 'the shell form survives a real shell');
});

test('cmdline CLI: Linux cell command and device-tree reservation', async (t) => {
  const cell = await runCli(['cmdline', '--machine', 'qemu-arm64', '--cell', 'linux-demo']);
  t.is(cell.code, 0, cell.stderr);
  t.regex(cell.stdout, /^console=ttyAMA0/);
  t.regex(cell.stdout, /jailhouse cell linux \/etc\/jailhouse\/qemu-arm64-linux-demo\.cell \/boot\/Image -d \/etc\/jailhouse\/dts\/qemu-arm64-linux-demo\.dtb -i \S+ -c console=ttyAMA0$/m);
  const dtso = await runCli(['cmdline', '--machine', 'rpi4', '--dtso']);
  t.is(dtso.code, 0, dtso.stderr);
  t.regex(dtso.stdout, /jailhouse@1fc00000 \{\s+reg = <0x0 0x1fc00000 0x0 0x400000>;\s+no-map;/);
  if (!whichSync('dtc')) return t.log('dtc not installed: overlay not compiled (apt-get install device-tree-compiler)');
  const dir = mkdtempSync(join(tmpdir(), 'jh-dtso-'));
  writeFileSync(join(dir, 'r.dtso'), dtso.stdout);
  execFileSync('dtc', ['-q', '-@', '-I', 'dts', '-O', 'dtb', '-o', join(dir, 'r.dtbo'), join(dir, 'r.dtso')]);
  t.true(readFileSync(join(dir, 'r.dtbo')).length > 100);
});

test('field offsets and sizes agree with the format table', async (t) => {
  const m = await machine('qemu-arm64');
  const sys = encodeSystem(m.system);
  const view = new DataView(sys.buffer, sys.byteOffset);
  t.is(Buffer.from(sys.subarray(0, 5)).toString(), 'JHSYS');
  t.is(sys[5], 2, 'arm64');
  t.is(view.getUint16(6, true), 14);
  t.is(view.getUint32(8, true), 1, 'VIRTUAL_DEBUG_CONSOLE');
  t.is(Number(view.getBigUint64(12, true)), 0x7fc00000, 'hypervisor_memory.phys_start @12');
  t.is(Number(view.getBigUint64(12 + 16, true)), 0x400000, 'hypervisor_memory.size @28');
  t.is(Number(view.getBigUint64(44, true)), 0x09000000, 'debug_console.address @44');
  t.is(view.getUint16(44 + 12, true), 3, 'debug_console.type PL011');
  t.is(Number(view.getBigUint64(76, true)), 0x0b000000, 'pci_mmconfig_base @76: moved out of the GIC redistributor window');
  t.is(sys[313], 3, 'gic_version @313');
  t.is(Number(view.getBigUint64(316, true)), 0x08000000, 'gicd_base @316');
  t.is(Number(view.getBigUint64(348, true)), 0x080a0000, 'gicr_base @348');
  const root = SIZES.systemHeader;
  t.is(Buffer.from(sys.subarray(root + 8, root + 18)).toString(), 'qemu-arm64');
  t.deepEqual([...sys.subarray(root, root + 8)], [0, 0, 0, 0, 0, 0, 0, 0], 'root cell signature and revision stay zero');
  t.is(view.getUint32(root + 48, true), 8, 'cpu_set_size');
  t.is(view.getUint32(root + 52, true), 13, 'num_memory_regions: upstream\'s 12, the permissive MMIO split around the virtual PCI host');
  t.is(sys[root + SIZES.cellDesc], 0x1f, 'CPU bitmap: 5 CPUs (upstream 4; one more for FreeRTOS)');
  t.is(sys.length, 1024 + 32, 'upstream qemu-arm64.cell is 1024 bytes, one region more here; the CPU count does not change the size');
  const inmate = encodeCell(nonRootConfigs(m)[0]!);
  t.is(inmate.length, 484, 'upstream qemu-arm64-inmate-demo.cell is 484 bytes');
  t.is(Buffer.from(inmate.subarray(0, 5)).toString(), 'JHCLL');
  t.is(encodeSystem((await machine('qemu-x86-vtd')).system).length, 2372, 'upstream qemu-x86.cell is 2372 bytes');
  t.is(encodeSystem((await machine('qemu-x86')).system).length, 2372, 'the AMD variant has the same layout (the IOMMU units are a fixed array)');
});

const jailhouseSrc = process.env.JHBUILD_JAILHOUSE_SRC;
const haveJailhouse = Boolean(jailhouseSrc && existsSync(join(jailhouseSrc, 'include/jailhouse/cell-config.h')));
if (!haveJailhouse) console.log('SKIP rendered C vs encoder: set JHBUILD_JAILHOUSE_SRC to a Jailhouse source tree (siemens/jailhouse master)');

(haveJailhouse ? test : test.skip)('rendered C compiles with Jailhouse\'s headers to the encoder\'s bytes', async (t) => {
  const src = jailhouseSrc!;
  for (const name of MACHINES) {
    const m = await machine(name);
    const cc = m.arch === 'x86' ? 'gcc' : `${m.crossCompile}gcc`;
    if (!whichSync(cc)) { t.log(`${name}: ${cc} missing, not compiled`); continue; }
    const dir = mkdtempSync(join(tmpdir(), `jh-c-${name}-`));
    const encoded = encodeMachineCells(m);
    for (const [file, code] of renderMachineCells(m, render)) {
      const base = join(dir, file.replace(/\.c$/, ''));
      writeFileSync(`${base}.c`, code);
      execFileSync(cc, ['-c', '-Werror', '-Wall', '-Wextra', '-D__LINUX_COMPILER_TYPES_H', `-I${src}/hypervisor/arch/${m.arch}/include`,
        `-I${src}/hypervisor/include`, `-I${src}/include`, '-o', `${base}.o`, `${base}.c`]);
      execFileSync(cc.replace(/gcc$/, 'objcopy'), ['-O', 'binary', '--remove-section=.note.gnu.property', `${base}.o`, `${base}.cell`]);
      t.deepEqual(readFileSync(`${base}.cell`), Buffer.from(encoded.get(file.replace(/\.c$/, '.cell'))!), `${file}`);
    }
  }
});

/** Upstream's own config compiled the way Jailhouse's build does (gcc -c, objcopy -O binary). */
(haveJailhouse ? test : test.skip)('the upstream boards pinned to upstream configs encode byte-identically to them', async (t) => {
  const src = jailhouseSrc!;
  const vtd = encodeMachineCells(await machine('qemu-x86-vtd'));
  const x86 = encodeMachineCells(await machine('qemu-x86'));
  const arm64 = encodeMachineCells(await machine('qemu-arm64'));
  t.deepEqual(Buffer.from(vtd.get('qemu-x86-vtd.cell')!), compileUpstream(src, 'qemu-x86', 'x86'));
  // The AMD machine: upstream's system but its VT-d unit (the hypervisor refuses an Intel unit on AMD).
  const amd = decodeCellFile(x86.get('qemu-x86.cell')!);
  const upstreamSystem = decodeCellFile(compileUpstream(src, 'qemu-x86', 'x86'));
  if (amd.kind !== 'system' || upstreamSystem.kind !== 'system') return t.fail('expected system configs');
  t.deepEqual(amd.system.platform.iommuUnits, []);
  t.is(upstreamSystem.system.platform.iommuUnits.length, 1);
  t.deepEqual({ ...amd.system, platform: { ...amd.system.platform, iommuUnits: [] } }, { ...upstreamSystem.system, platform: { ...upstreamSystem.system.platform, iommuUnits: [] } });
  // COM2 is the root's console here (upstream's root has none on a serial port): the demos keep their hands off it.
  const withoutCom2 = (pio: readonly { base: number }[]) => pio.filter((p) => p.base !== 0x2f8);
  const apic = decodeCellFile(x86.get('qemu-x86-apic-demo.cell')!);
  const upstreamApic = decodeCellFile(compileUpstream(src, 'apic-demo', 'x86'));
  if (apic.kind !== 'cell' || upstreamApic.kind !== 'cell') return t.fail('expected cell configs');
  t.deepEqual(apic.config.cell, { ...upstreamApic.config.cell, pio: withoutCom2(upstreamApic.config.cell.pio) });
  // ivshmem-demo is declared by needs (RAM pinned, the demo link placed): upstream's cell but COM2.
  const ivshmem = decodeCellFile(x86.get('qemu-x86-ivshmem-demo.cell')!);
  const upstreamIvshmem = decodeCellFile(compileUpstream(src, 'ivshmem-demo', 'x86'));
  if (ivshmem.kind !== 'cell' || upstreamIvshmem.kind !== 'cell') return t.fail('expected cell configs');
  t.deepEqual(ivshmem.config.cell, { ...upstreamIvshmem.config.cell, pio: withoutCom2(upstreamIvshmem.config.cell.pio) });
  t.deepEqual(Buffer.from(arm64.get('qemu-arm64-inmate-demo.cell')!), compileUpstream(src, 'qemu-arm64-inmate-demo', 'arm64'));
  // The boards that start from their device trees (machines/*/generated/) pin upstream's root cell on top.
  t.deepEqual(Buffer.from(encodeMachineCells(await machine('rpi4')).get('rpi4.cell')!), compileUpstream(src, 'rpi4', 'arm64'));
  t.deepEqual(Buffer.from(encodeMachineCells(await machine('imx8mm-evk')).get('imx8mm-evk.cell')!), compileUpstream(src, 'imx8mm', 'arm64'));
  // linux-x86-demo is declared by needs: jhbuild places its RAM, and its links reproduce upstream's
  // virtio and networking devices and regions; the interrupts and port I/O are the same.
  const ours = decodeCellFile(x86.get('qemu-x86-linux-x86-demo.cell')!);
  const theirs = decodeCellFile(compileUpstream(src, 'linux-x86-demo', 'x86'));
  if (ours.kind !== 'cell' || theirs.kind !== 'cell') return t.fail('expected cell configs');
  const [mine, up] = [ours.config.cell, theirs.config.cell];
  const key = (m: { phys: number; size: number; flags: number }) => `${m.phys.toString(16)}+${m.size.toString(16)}:${m.flags.toString(16)}`;
  const linkRegions = (cell: typeof mine) => cell.pciDevices.filter((d) => d.shmemPeers === 2)
    .map((d) => ({ bdf: d.bdf, protocol: d.shmemProtocol, msix: d.numMsixVectors, regions: cell.memory.slice(d.shmemRegionsStart, d.shmemRegionsStart + 4).map(key) }));
  t.deepEqual(linkRegions(mine), linkRegions(up));
  t.deepEqual(mine.pio, withoutCom2(up.pio));
  // ... and its interrupt (IRQ 3).
  t.deepEqual(mine.irqchips, up.irqchips.map((chip) => ({ ...chip, pinBitmap: chip.pinBitmap.map((bits, k) => (k === 0 ? bits & ~(1 << 3) : bits)) })));
  t.is(mine.flags, up.flags);
});
