/** decode(encode(x)) = x on generated random-but-valid configs, and bad bytes get clear errors. */
import test from 'ava';
import { decodeCellFile, encodeCell, encodeSystem } from '../src/cells/binary.ts';
import type { Cell, CellConfig, SystemConfig } from '../src/cells/model.ts';
import { inspectText } from '../src/cells/inspect.ts';
import { encodeMachineCells } from '../src/system/cells.ts';
import { machine } from './helpers/machines.ts';
import { runCli, tempDir } from './helpers/index.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A small deterministic PRNG so a failure names a seed that reproduces it. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => { s = (s + 0x6d2b79f5) >>> 0; let x = s; x = Math.imul(x ^ (x >>> 15), x | 1); x ^= x + Math.imul(x ^ (x >>> 7), x | 61); return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32; };
  const int = (max: number) => Math.floor(next() * max);
  const u = (bits: number) => (bits <= 32 ? int(2 ** bits) : int(2 ** 21) * 2 ** 32 + int(2 ** 32));
  return { int, u, list: <T>(max: number, make: () => T) => Array.from({ length: int(max + 1) }, make) };
}

function randomCell(r: ReturnType<typeof rng>, name: string): Cell {
  const cpuSetSize = [8, 8, 16, 1, 4][r.int(5)]!;
  const cpus = [...new Set(Array.from({ length: r.int(6) }, () => r.int(cpuSetSize * 8)))].sort((a, b) => a - b);
  const con = { address: r.u(48), size: r.u(32), type: r.u(16), flags: r.u(16), divider: r.u(32), gateNr: r.u(32), clockReg: r.u(48) };
  return {
    name, id: r.u(32), flags: r.u(32), cpuSetSize, cpus, vpciIrqBase: r.u(32), cpuResetAddress: r.u(48), msgReplyTimeout: r.u(48), console: con,
    memory: r.list(6, () => ({ phys: r.u(48), virt: r.u(48), size: r.u(40), flags: r.u(32) })),
    cacheRegions: r.list(2, () => ({ start: r.u(32), size: r.u(32), type: r.u(8), flags: r.u(16) })),
    irqchips: r.list(2, () => ({ address: r.u(48), id: r.u(32), pinBase: r.u(32), pinBitmap: [r.u(32), r.u(32), r.u(32), r.u(32)] as const })),
    pio: r.list(3, () => ({ base: r.u(16), length: r.u(16) })),
    pciDevices: r.list(3, () => ({ type: r.u(8), iommu: r.u(8), domain: r.u(16), bdf: r.u(16), barMask: [r.u(32), r.u(32), r.u(32), r.u(32), r.u(32), r.u(32)],
      capsStart: r.u(16), numCaps: r.u(16), numMsiVectors: r.u(8), msi64Bits: r.int(2) === 1, msiMaskable: r.int(2) === 1, numMsixVectors: r.u(16),
      msixRegionSize: r.u(16), msixAddress: r.u(48), shmemRegionsStart: r.u(32), shmemDevId: r.u(8), shmemPeers: r.u(8), shmemProtocol: r.u(16) })),
    pciCaps: r.list(3, () => ({ id: r.u(16), start: r.u(16), len: r.u(16), flags: r.u(16) })),
    streamIds: r.list(3, () => r.u(32)),
  };
}

function randomSystem(r: ReturnType<typeof rng>): SystemConfig {
  const arch = (['x86', 'arm', 'arm64'] as const)[r.int(3)]!;
  const con = { address: r.u(48), size: r.u(32), type: r.u(16), flags: r.u(16), divider: r.u(32), gateNr: r.u(32), clockReg: r.u(48) };
  return {
    arch, flags: r.u(32), hypervisorMemory: { phys: r.u(48), virt: r.u(48), size: r.u(40), flags: r.u(32) }, debugConsole: con,
    platform: {
      pciMmconfigBase: r.u(48), pciMmconfigEndBus: r.u(8), pciIsVirtual: r.u(8), pciDomain: r.u(16),
      iommuUnits: r.list(8, () => ({ type: 1 + r.int(5), base: r.u(48), size: r.u(32), extra: Array.from({ length: 12 }, () => r.u(8)) })),
      ...(arch === 'x86' ? { x86: { pmTimerAddress: r.u(16), apicMode: r.u(8), vtdInterruptLimit: r.u(32), tscKhz: r.u(32), apicKhz: r.u(32) } }
        : { arm: { maintenanceIrq: r.u(8), gicVersion: r.u(8), gicdBase: r.u(48), giccBase: r.u(48), gichBase: r.u(48), gicvBase: r.u(48), gicrBase: r.u(48) } }),
    },
    rootCell: randomCell(r, `root-${r.int(1000)}`),
  };
}

test('decode(encode(x)) = x for 500 random systems and cells', (t) => {
  for (let seed = 1; seed <= 500; seed++) {
    const r = rng(seed);
    const system = randomSystem(r);
    t.deepEqual(decodeCellFile(encodeSystem(system)), { kind: 'system', system }, `system seed ${seed}`);
    const config: CellConfig = { arch: system.arch, cell: randomCell(r, 'c'.repeat(1 + r.int(31))) };
    const bytes = encodeCell(config);
    t.deepEqual(decodeCellFile(bytes), { kind: 'cell', config }, `cell seed ${seed}`);
    t.deepEqual(encodeCell((decodeCellFile(bytes) as { config: CellConfig }).config), bytes, `re-encode seed ${seed}`);
  }
});

test('every machine round-trips through the binary format', async (t) => {
  for (const name of ['qemu-arm64', 'qemu-x86', 'rpi4', 'imx8mm-evk', 'pc']) {
    for (const [file, bytes] of encodeMachineCells(await machine(name))) {
      const decoded = decodeCellFile(bytes, file);
      t.deepEqual(decoded.kind === 'system' ? encodeSystem(decoded.system) : encodeCell(decoded.config), bytes, file);
    }
  }
});

test('truncated, foreign and old-revision files get errors that say what is wrong', async (t) => {
  const bytes = encodeMachineCells(await machine('qemu-arm64')).get('qemu-arm64.cell')!;
  t.throws(() => decodeCellFile(bytes.subarray(0, 700), 'cut.cell'), { message: /ends at byte 1056 but the file has 700/ });
  t.throws(() => decodeCellFile(Buffer.from('ELF\0\0\0\0\0\0\0'), 'x.cell'), { message: /not a Jailhouse config/ });
  const old = Buffer.from(bytes); old.write('JHSYST', 0);
  t.throws(() => decodeCellFile(old, 'old.cell'), { message: /v0\.12 \(revision 12\)/ });
  const rev = Buffer.from(bytes); rev.writeUInt16LE(13, 6);
  t.throws(() => decodeCellFile(rev, 'rev.cell'), { message: /config revision 13, expected 14/ });
  t.throws(() => decodeCellFile(Buffer.concat([bytes, Buffer.alloc(4)]), 'long.cell'), { message: /4 bytes after the config's end/ });
});

test('cells inspect shows the hypervisor region, the PL011 console and the GICv3 addresses; --json parses', async (t) => {
  const m = await machine('qemu-arm64');
  const text = inspectText(decodeCellFile(encodeSystem(m.system)), 'qemu-arm64.cell', 1024);
  t.regex(text, /hypervisor memory: 0x7fc00000-0x7fffffff \(4 MiB\)/);
  t.regex(text, /debug console: PL011 at 0x9000000, size 0x1000, MMIO \| REGDIST_4/);
  t.regex(text, /GICv3: distributor 0x8000000, redistributors 0x80a0000, maintenance irq 25/);
  t.regex(text, /phys 0x40000000 +virt 0x40000000 +size 0x3fa10000 \(1018\.06 MiB\) +READ \| WRITE \| EXECUTE/);
  const dir = tempDir();
  const out = await runCli(['cells', 'encode', '--machine', 'qemu-arm64', '--out', dir]);
  t.is(out.code, 0, out.stderr);
  const cli = await runCli(['cells', 'inspect', join(dir, 'qemu-arm64.cell')]);
  t.regex(cli.stdout, /GICv3/);
  const json = await runCli(['cells', 'inspect', join(dir, 'qemu-arm64-inmate-demo.cell'), '--json']);
  const parsed = JSON.parse(json.stdout) as { kind: string; config: { cell: { name: string; cpus: number[] } } };
  t.is(parsed.kind, 'cell');
  t.is(parsed.config.cell.name, 'inmate-demo');
  t.deepEqual(parsed.config.cell.cpus, [1]);
  writeFileSync(join(dir, 'junk.cell'), 'not a cell');
  const bad = await runCli(['cells', 'inspect', join(dir, 'junk.cell')]);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /E_CELL_TRUNCATED|E_CELL_SIGNATURE/);
});
