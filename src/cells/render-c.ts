/** Cell configs as C sources that Jailhouse's own build turns into .cell files (configs/<arch>/). */
import { CELL_FLAGS, CON_FLAGS, MEM, SYS_FLAGS, type Cell, type Console, type SystemConfig } from './model.ts';
import { cFlags, hex } from './describe.ts';

const CON_TYPE_MACRO: Record<number, string> = {
  0: 'JAILHOUSE_CON_TYPE_NONE', 1: 'JAILHOUSE_CON_TYPE_EFIFB', 2: 'JAILHOUSE_CON_TYPE_8250', 3: 'JAILHOUSE_CON_TYPE_PL011',
  4: 'JAILHOUSE_CON_TYPE_XUARTPS', 5: 'JAILHOUSE_CON_TYPE_MVEBU', 6: 'JAILHOUSE_CON_TYPE_HSCIF', 7: 'JAILHOUSE_CON_TYPE_SCIFA',
  8: 'JAILHOUSE_CON_TYPE_IMX', 9: 'JAILHOUSE_CON_TYPE_IMX_LPUART', 10: 'JAILHOUSE_CON_TYPE_SCIF',
};
const CON_FLAG_MACROS = { ACCESS_MMIO: CON_FLAGS.MMIO, REGDIST_4: CON_FLAGS.REGDIST_4, FB_1920x1080: CON_FLAGS.FB_1920x1080,
  INVERTED_GATE: CON_FLAGS.INVERTED_GATE, MDR_QUIRK: CON_FLAGS.MDR_QUIRK };
const ARCH_MACRO = { x86: 'JAILHOUSE_X86', arm: 'JAILHOUSE_ARM', arm64: 'JAILHOUSE_ARM64' } as const;

const consoleData = (c: Console) => ({
  address: hex(c.address), size: hex(c.size), type: CON_TYPE_MACRO[c.type] ?? String(c.type),
  flags: cFlags(c.flags, 'JAILHOUSE_CON_', CON_FLAG_MACROS),
  divider: hex(c.divider), gateNr: c.gateNr, clockReg: hex(c.clockReg),
});

/** Everything the templates print, already formatted (handlebars only places text). */
export function cellTemplateData(cell: Cell) {
  const words = cell.cpuSetSize / 8;
  const useU64 = Number.isInteger(words);
  const cpuWords = Array.from({ length: useU64 ? words : cell.cpuSetSize }, (_, w) => {
    const width = useU64 ? 64 : 8;
    let v = 0n;
    for (const cpu of cell.cpus) if (Math.floor(cpu / width) === w) v |= 1n << BigInt(cpu % width);
    return `0x${v.toString(16)}`;
  });
  return {
    name: cell.name, id: cell.id, flags: cFlags(cell.flags, 'JAILHOUSE_CELL_', CELL_FLAGS),
    cpuType: useU64 ? '__u64' : '__u8', cpuWords, cpuCount: cpuWords.length,
    vpciIrqBase: cell.vpciIrqBase, cpuResetAddress: hex(cell.cpuResetAddress), msgReplyTimeout: cell.msgReplyTimeout,
    console: consoleData(cell.console),
    memory: cell.memory.map((m) => ({ comment: m.comment ?? '', phys: hex(m.phys), virt: hex(m.virt), size: hex(m.size), flags: cFlags(m.flags, 'JAILHOUSE_MEM_', MEM) })),
    cacheRegions: cell.cacheRegions.map((c) => ({ start: c.start, size: c.size, type: c.type, flags: hex(c.flags) })),
    irqchips: cell.irqchips.map((i) => ({ address: hex(i.address), id: hex(i.id), pinBase: i.pinBase, pinBitmap: i.pinBitmap.map(hex).join(', ') })),
    pio: cell.pio.map((p) => ({ base: hex(p.base), length: hex(p.length) })),
    pciDevices: cell.pciDevices.map((d) => ({
      ...d, comment: d.comment ?? '', bdf: hex(d.bdf), barMask: d.barMask.map(hex).join(', '), msixAddress: hex(d.msixAddress),
      msi64Bits: d.msi64Bits ? 1 : 0, msiMaskable: d.msiMaskable ? 1 : 0, shmemProtocol: hex(d.shmemProtocol),
    })),
    pciCaps: cell.pciCaps.map((c) => ({ id: hex(c.id), start: hex(c.start), len: c.len, flags: hex(c.flags) })),
    streamIds: cell.streamIds.map(hex),
  };
}

export function systemTemplateData(system: SystemConfig) {
  const pf = system.platform;
  return {
    arch: ARCH_MACRO[system.arch], flags: cFlags(system.flags, 'JAILHOUSE_SYS_', SYS_FLAGS),
    hypervisor: { phys: hex(system.hypervisorMemory.phys), size: hex(system.hypervisorMemory.size) },
    debugConsole: consoleData(system.debugConsole),
    platform: {
      pciMmconfigBase: hex(pf.pciMmconfigBase), pciMmconfigEndBus: pf.pciMmconfigEndBus, pciIsVirtual: pf.pciIsVirtual, pciDomain: pf.pciDomain,
      iommuUnits: pf.iommuUnits.map((u) => {
        const b = (i: number) => u.extra[i] ?? 0;
        const le = (from: number, n: number) => Array.from({ length: n }, (_, i) => b(from + i) * 2 ** (8 * i)).reduce((x, y) => x + y, 0);
        const tipvu = le(8, 4) !== 0;
        return { type: u.type, base: hex(u.base), size: hex(u.size), tipvu: tipvu ? { tlbBase: hex(le(0, 8)), tlbSize: hex(le(8, 4)) } : undefined,
          amd: tipvu ? undefined : { bdf: hex(le(0, 2)), baseCap: hex(b(2)), msiCap: hex(b(3)), features: hex(le(4, 4)) } };
      }),
      x86: pf.x86 && { ...pf.x86, pmTimerAddress: hex(pf.x86.pmTimerAddress) },
      arm: pf.arm && { ...pf.arm, gicdBase: hex(pf.arm.gicdBase), giccBase: hex(pf.arm.giccBase), gichBase: hex(pf.arm.gichBase), gicvBase: hex(pf.arm.gicvBase), gicrBase: hex(pf.arm.gicrBase) },
    },
    root: cellTemplateData(system.rootCell),
  };
}

export function nonRootTemplateData(arch: SystemConfig['arch'], cell: Cell) {
  return { arch: ARCH_MACRO[arch], cell: cellTemplateData(cell) };
}
