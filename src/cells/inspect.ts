/** Readable text of a decoded .cell of any origin: flag names, hex addresses, sizes in MiB. */
import type { DecodedCellFile } from './binary.ts';
import type { Cell, Console, SystemConfig } from './model.ts';
import { apicModeName, bdfName, cellFlagNames, conFlagNames, conTypeName, hex, iommuTypeName, memFlagNames, mib, pciTypeName, shmemProtoName, sysFlagNames } from './describe.ts';

const names = (list: string[]) => (list.length ? list.join(' | ') : 'none');

export function cpuList(cpus: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cpus.length; i++) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j]! + 1) j++;
    parts.push(i === j ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`);
    i = j;
  }
  return parts.join(',') || 'none';
}

const consoleText = (c: Console) => (c.type === 0 ? 'none'
  : `${conTypeName(c.type)} at ${hex(c.address)}${c.size ? `, size ${hex(c.size)}` : ''}, ${names(conFlagNames(c.flags)) === 'none' ? 'PIO' : names(conFlagNames(c.flags))}`);

function cellLines(cell: Cell): string[] {
  const out = [`cell "${cell.name}" (id ${cell.id}): CPUs ${cpuList(cell.cpus)} (set size ${cell.cpuSetSize} bytes), flags ${names(cellFlagNames(cell.flags))}`,
    `  console: ${consoleText(cell.console)}`, `  vpci_irq_base ${cell.vpciIrqBase}, cpu_reset_address ${hex(cell.cpuResetAddress)}, msg_reply_timeout ${cell.msgReplyTimeout}`,
    `  memory regions (${cell.memory.length}):`];
  cell.memory.forEach((m, i) => {
    out.push(m.size === 0 && m.flags === 0 ? `    ${String(i).padStart(2)}  (empty placeholder)`
      : `    ${String(i).padStart(2)}  phys ${hex(m.phys).padEnd(12)} virt ${hex(m.virt).padEnd(12)} size ${hex(m.size).padEnd(10)} (${mib(m.size)})  ${names(memFlagNames(m.flags))}`);
  });
  if (cell.cacheRegions.length) out.push(`  cache regions: ${cell.cacheRegions.map((c) => `${c.start}+${c.size} type ${c.type}`).join(', ')}`);
  for (const chip of cell.irqchips) out.push(`  irqchip at ${hex(chip.address)} id ${chip.id}, pins from ${chip.pinBase}: ${chip.pinBitmap.map((w) => hex(w)).join(' ')}`);
  if (cell.pio.length) out.push(`  PIO: ${cell.pio.map((p) => `${hex(p.base)}+${hex(p.length)}`).join(', ')}`);
  cell.pciDevices.forEach((d, i) => {
    const shmem = d.type === 3 ? `, shmem regions from ${d.shmemRegionsStart}, dev_id ${d.shmemDevId} of ${d.shmemPeers} peers, protocol ${shmemProtoName(d.shmemProtocol)}` : '';
    out.push(`  PCI ${i}: ${pciTypeName(d.type)} ${d.domain.toString(16).padStart(4, '0')}:${bdfName(d.bdf)}, caps ${d.capsStart}+${d.numCaps}, MSI ${d.numMsiVectors}, MSI-X ${d.numMsixVectors}${shmem}`);
  });
  if (cell.pciCaps.length) out.push(`  PCI caps (${cell.pciCaps.length}): ${cell.pciCaps.map((c) => `${hex(c.id)}@${hex(c.start)}+${c.len}`).join(', ')}`);
  if (cell.streamIds.length) out.push(`  stream ids: ${cell.streamIds.map(hex).join(', ')}`);
  return out;
}

function systemLines(s: SystemConfig): string[] {
  const pf = s.platform;
  const hv = s.hypervisorMemory;
  const out = [`system config, ${s.arch}, revision 14, flags ${names(sysFlagNames(s.flags))}`,
    `hypervisor memory: ${hv.size > 0 ? `${hex(hv.phys)}-${hex(hv.phys + hv.size - 1)} (${mib(hv.size)})` : `none (size 0 at ${hex(hv.phys)})`}`,
    `debug console: ${consoleText(s.debugConsole)}`,
    `PCI: MMCONFIG ${hex(pf.pciMmconfigBase)}, end bus ${pf.pciMmconfigEndBus}, ${pf.pciIsVirtual ? 'virtual' : 'physical'}, domain ${pf.pciDomain}`];
  pf.iommuUnits.forEach((u, i) => out.push(`IOMMU ${i}: ${iommuTypeName(u.type)} at ${hex(u.base)}, size ${hex(u.size)}`));
  if (pf.arm) {
    const g = pf.arm;
    out.push(g.gicVersion === 3 ? `GICv3: distributor ${hex(g.gicdBase)}, redistributors ${hex(g.gicrBase)}, maintenance irq ${g.maintenanceIrq}`
      : `GICv${g.gicVersion}: distributor ${hex(g.gicdBase)}, cpu ${hex(g.giccBase)}, hyp ${hex(g.gichBase)}, virt ${hex(g.gicvBase)}, maintenance irq ${g.maintenanceIrq}`);
  }
  if (pf.x86) out.push(`x86: PM timer ${hex(pf.x86.pmTimerAddress)}, APIC mode ${apicModeName(pf.x86.apicMode)}, VT-d interrupt limit ${pf.x86.vtdInterruptLimit}, TSC ${pf.x86.tscKhz} kHz, APIC ${pf.x86.apicKhz} kHz`);
  return [...out, 'root ' + cellLines(s.rootCell)[0], ...cellLines(s.rootCell).slice(1)];
}

export function inspectText(decoded: DecodedCellFile, file: string, bytes: number): string {
  const head = `${file}: ${bytes} bytes, ${decoded.kind === 'system' ? 'JHSYS' : 'JHCLL'}`;
  const body = decoded.kind === 'system' ? systemLines(decoded.system) : [`non-root cell config, ${decoded.config.arch}, revision 14`, ...cellLines(decoded.config.cell)];
  return [head, ...body].join('\n');
}
