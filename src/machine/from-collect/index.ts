/**
 * A PC machine from the PC itself: upstream's `jailhouse config collect` archive, upstream's
 * `config create` run on it here (upstream.ts), the root .cell it makes, and around it what the
 * archive says of the PC: its RAM (/proc/iomem), the root kernel's console (/proc/cmdline), its
 * serial ports (/sys/class/tty), the inmate memory config create reserved, and free PCI slots. The
 * result is a machine folder whose cells are declared by needs.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JhError } from '../../errors.ts';
import { decodeCellFile, encodeSystem } from '../../cells/binary.ts';
import { rootConsolePorts } from '../../cells/check/index.ts';
import type { SystemConfig } from '../../cells/model.ts';
import { extractCollect } from './archive.ts';
import { compileCell, configCreate, type ConfigCreateOptions } from './upstream.ts';
import { renderPcMachine, type PcFacts } from './render.ts';

export interface ImportOptions extends ConfigCreateOptions {
  readonly name: string;
  /** The siemens/jailhouse tree whose config create runs. */
  readonly tree: string;
  /** Drop the IOMMU units config create found (QEMU's amd-iommu, which the hypervisor refuses). */
  readonly withoutIommu: boolean;
  /** The machine file's import of jhbuild's public API, relative to the machine's folder. */
  readonly indexImport: string;
}

export interface ImportedMachine {
  readonly files: ReadonlyMap<string, string | Uint8Array>;
  readonly facts: PcFacts;
  readonly notes: readonly string[];
}

const LEGACY_UARTS: Readonly<Record<number, { name: string; irq: number }>> = {
  0x3f8: { name: 'com1', irq: 4 }, 0x2f8: { name: 'com2', irq: 3 }, 0x3e8: { name: 'com3', irq: 4 }, 0x2e8: { name: 'com4', irq: 3 },
};

const PAGE = 0x1000;

/** Top-level "System RAM" lines of /proc/iomem, whole pages: the machine's RAM banks. */
function systemRam(iomem: string): { base: number; size: number }[] {
  return iomem.split('\n').flatMap((line) => {
    const m = /^([0-9a-f]+)-([0-9a-f]+) : System RAM$/i.exec(line);
    if (!m) return [];
    const base = Math.ceil(parseInt(m[1]!, 16) / PAGE) * PAGE;
    const end = Math.floor((parseInt(m[2]!, 16) + 1) / PAGE) * PAGE;
    return end > base ? [{ base, size: end - base }] : [];
  });
}

/** Port-I/O UARTs the target's kernel registered (io_type 0, a non-zero port). */
function serialPorts(root: string): { tty: string; port: number }[] {
  const dir = join(root, 'sys/class/tty');
  let ttys: string[] = [];
  try { ttys = readdirSync(dir).filter((t) => /^ttyS\d+$/.test(t)).sort(); } catch { return []; }
  return ttys.flatMap((tty) => {
    const read = (f: string) => { try { return readFileSync(join(dir, tty, f), 'utf8').trim(); } catch { return ''; } };
    const port = Number(read('port'));
    return read('io_type') === '0' && port > 0 ? [{ tty, port }] : [];
  });
}

export async function machineFromCollect(archive: string, options: ImportOptions): Promise<ImportedMachine> {
  const work = mkdtempSync(join(tmpdir(), 'jhbuild-import-'));
  try {
    const root = join(work, 'root');
    await extractCollect(archive, root);
    const source = await configCreate(options.tree, root, join(work, 'create'), options);
    const compiled = await compileCell(options.tree, source, join(work, 'create'));
    const decoded = decodeCellFile(compiled, 'config create output');
    if (decoded.kind !== 'system' || decoded.system.arch !== 'x86') {
      throw new JhError('E_CONFIG_CREATE', 'config create did not write an x86 system config', { file: archive, hint: 'report this with the archive' });
    }
    if (Buffer.compare(Buffer.from(encodeSystem(decoded.system)), Buffer.from(compiled)) !== 0) {
      throw new JhError('E_CELL_ENCODER_MISMATCH', 'jhbuild\'s encoder does not give back the bytes config create compiled to', { hint: 'report this with the archive' });
    }
    const notes: string[] = [];
    let system: SystemConfig = decoded.system;
    const units = system.platform.iommuUnits;
    if (options.withoutIommu && units.length) {
      system = { ...system, platform: { ...system.platform, iommuUnits: [] } };
      notes.push(`dropped ${units.length} IOMMU unit(s) at ${units.map((u) => `0x${u.base.toString(16)}`).join(', ')}: DMA of the root's devices is not confined`);
    }
    const memmap = /"memmap=(0x[0-9a-f]+)\$(0x[0-9a-f]+)"/i.exec(source);
    if (!memmap) throw new JhError('E_CONFIG_CREATE', 'config create\'s output names no memmap= reservation', { hint: 'report this with the archive' });
    const reserved = { base: Number(memmap[2]), size: Number(memmap[1]) };
    const hv = system.hypervisorMemory;
    const cmdline = readFileSync(join(root, 'proc/cmdline'), 'utf8').trim().split(/\s+/);
    const rootConsole = cmdline.filter((a) => /^console=ttyS\d+/.test(a));
    const rootPorts = new Set(rootConsolePorts(rootConsole).map((c) => c.port));
    const uarts = serialPorts(root).filter((u) => !rootPorts.has(u.port))
      .map((u) => ({ ...u, name: LEGACY_UARTS[u.port]?.name ?? u.tty.toLowerCase(), irq: LEGACY_UARTS[u.port]?.irq }));
    const busZero = new Set(system.rootCell.pciDevices.filter((d) => d.bdf >> 8 === 0).map((d) => (d.bdf >> 3) & 0x1f));
    let first = 0x0c;
    while (first + 4 <= 32 && [0, 1, 2, 3].some((k) => busZero.has(first + k))) first++;
    if (first + 4 > 32) notes.push('no four free device slots on bus 0: IVSHMEM links need pciSlots set by hand');
    const facts: PcFacts = {
      name: options.name, cpus: system.rootCell.cpus.length, ram: systemRam(readFileSync(join(root, 'proc/iomem'), 'utf8')),
      rootConsole, uarts, cellRam: { base: hv.phys + hv.size, size: reserved.base + reserved.size - hv.phys - hv.size },
      pciSlot: first + 4 <= 32 ? first : undefined, iommu: system.platform.iommuUnits.length > 0,
      vendor: /AuthenticAMD/.test(readFileSync(join(root, 'proc/cpuinfo'), 'utf8')) ? 'AMD' : 'Intel',
    };
    const rootFile = `${options.name}-root.cell`;
    const { machine, board } = renderPcMachine(facts, { rootCellFile: rootFile, indexImport: options.indexImport, notes, options });
    return { files: new Map<string, string | Uint8Array>([[`${options.name}.machine.ts`, machine], ['board.ts', board],
      [rootFile, encodeSystem(system)], [`${options.name}-root.c`, source]]), facts, notes };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
