/**
 * The device tree a Linux guest boots with, rendered from its cell (templates/dts/inmate.dts.hbs):
 * its CPUs, the GIC, the timer, its devices (a PL011 is described from the cell; other devices
 * bring their node in board.devices[].dts) and the virtual PCI host at the system's MMCONFIG with
 * INTx lines at the cell's vpci_irq_base. /memory and /chosen come from the boot layout when jhbuild
 * boots the cell (linux-boot.ts); `jailhouse cell linux` adds them itself otherwise. One source of
 * truth: move a cell and its device tree follows.
 */
import { hex } from '../../cells/describe.ts';
import type { LinuxBootLayout } from './linux-boot.ts';
import { CON_TYPE, PCI_TYPE } from '../../cells/model.ts';
import type { Machine, MachineCell } from '../../machine/types.ts';

export const INMATE_DTS_TEMPLATE = 'dts/inmate.dts.hbs';
export const inmateDtbName = (machine: Machine, cell: MachineCell) => cell.linux?.dtb ?? `${machine.name}-${cell.name}.dtb`;

/** Cells that get a rendered device tree: Linux guests on ARM without a dtb of their own. */
export const renderedDtCells = (machine: Machine) => (machine.arch === 'x86' ? [] : machine.cells.filter((c) => c.linux && !c.linux.dtb));

/** The Linux cells jhbuild boots itself (linux-guest): on x86 every one (a zero page, no tree), on ARM those with a rendered tree. */
export const bootedLinuxCells = (machine: Machine) => (machine.arch === 'x86' ? machine.cells.filter((c) => c.linux) : renderedDtCells(machine));

const cellPair = (n: number) => `${hex(Math.floor(n / 2 ** 32))} ${hex(n % 2 ** 32)}`;
const GIC_SPI = 0;
const IRQ_LEVEL_HIGH = 4;
const IRQ_EDGE_RISING = 1;

/** What the boot layout puts in the tree: the guest's RAM, its command line and where its initrd lies. */
function bootNodes(layout: LinuxBootLayout, bootargs: string) {
  return {
    unit: layout.memory[0]!.start.toString(16),
    memory: layout.memory.map((m) => `<${cellPair(m.start)} ${cellPair(m.size)}>`).join(', '),
    bootargs: bootargs.replace(/[\\"]/g, (c) => `\\${c}`),
    initrd: layout.initrd ? { start: cellPair(layout.initrd.start), end: cellPair(layout.initrd.end) } : undefined,
  };
}

export function inmateDtsData(machine: Machine, cell: MachineCell, boot?: { layout: LinuxBootLayout; bootargs: string }): Record<string, unknown> {
  const arm = machine.system.platform.arm!;
  const v3 = arm.gicVersion === 3;
  const gic = v3
    ? [[arm.gicdBase, 0x10000], [arm.gicrBase, 0x20000 * machine.cpus]]
    : [[arm.gicdBase, 0x1000], [arm.giccBase, 0x2000]];
  const board = machine.board?.devices ?? {};
  const devices = Object.entries(board).filter(([, d]) => (d.mmio ?? []).some((w) => cell.memory.some((m) => m.phys === w.phys)));
  const nodes = devices.flatMap(([name, d]) => {
    if (d.dts) return [d.dts];
    const w = d.mmio![0]!;
    if (d.console?.type !== CON_TYPE.PL011) return [];
    const irq = d.irqs?.[0];
    return [`${name}: serial@${w.phys.toString(16)} {
		compatible = "arm,pl011", "arm,primecell";
		reg = <${cellPair(w.phys)} ${cellPair(w.size)}>;${irq !== undefined ? `\n\t\tinterrupts = <${GIC_SPI} ${irq - 32} ${IRQ_LEVEL_HIGH}>;` : ''}
		clocks = <&apb_pclk>, <&apb_pclk>;
		clock-names = "uartclk", "apb_pclk";
	};`];
  });
  const pf = machine.system.platform;
  const ivshmem = cell.pciDevices.filter((d) => d.type === PCI_TYPE.IVSHMEM).length;
  return {
    machine: machine.name,
    cell: cell.name,
    boot: boot ? bootNodes(boot.layout, boot.bootargs) : undefined,
    cpus: cell.cpus.map((id) => ({ unit: id.toString(16) })),
    gic: { v3, base: arm.gicdBase.toString(16), reg: gic.map(([b, s]) => `<${cellPair(b!)} ${cellPair(s!)}>`).join(', ') },
    nodes,
    aliases: devices.flatMap(([, d]) => Object.entries(d.dtsAliases ?? {}).map(([name, label]) => ({ name, label }))),
    pci: ivshmem > 0 && pf.pciMmconfigBase ? {
      base: pf.pciMmconfigBase.toString(16),
      reg: `${cellPair(pf.pciMmconfigBase)} ${cellPair(0x100000)}`,
      window: `0x02000000 ${cellPair(pf.pciMmconfigBase + 0x100000)} ${cellPair(pf.pciMmconfigBase + 0x100000)} ${cellPair(ivshmem * 0x2000)}`,
      map: [1, 2, 3, 4].map((pin) => ({ pin, spi: cell.vpciIrqBase + pin - 1, type: IRQ_EDGE_RISING })),
    } : undefined,
  };
}
