/** What a board's device tree says about its hardware: CPUs, RAM, the GIC, the console UART, devices and interrupts. */
import { JhError } from '../../errors.ts';
import type { Fdt, FdtNode } from '../../devicetree/fdt.ts';
import {
  addressCells, aliasesOf, cellsOf, compatibleOf, findPath, interruptParent, interruptsOf, isCompatible, isEnabled, joinCells,
  labelsOf, pciWindowsOf, phandles, regOf, resolveNode, stringOf, stringsOf, walk,
} from '../../devicetree/tree.ts';
import { hex, type Span } from './ranges.ts';
import { uartKind, type UartKind } from './uarts.ts';

const GICV2 = ['arm,gic-400', 'arm,cortex-a15-gic', 'arm,cortex-a9-gic', 'arm,cortex-a7-gic'];
const GICV3 = ['arm,gic-v3'];
/** Controllers that hand their specifiers to the GIC unchanged (a wake-up layer in front of it). */
const GIC_PASSTHROUGH = ['fsl,imx8mq-gpc', 'fsl,imx6q-gpc', 'fsl,imx7d-gpc', 'nvidia,tegra186-pmc', 'nvidia,tegra194-pmc'];
const BOARD_DEVICE = /^(serial|ethernet|mmc|gpio)\d+$/;

export interface Gic {
  readonly version: 2 | 3;
  readonly path: string;
  readonly compatible: string;
  readonly d: number; readonly c: number; readonly h: number; readonly v: number; readonly r: number;
  /** Every frame of the GIC and its children (ITS, v2m): the hypervisor's, never the root's. */
  readonly frames: Span[];
  readonly maintenanceIrq?: number;
}

export interface DtConsole {
  readonly path: string;
  readonly address: number;
  readonly size: number;
  readonly kind?: UartKind;
  readonly compatible: readonly string[];
  readonly alias?: string;
  readonly baud?: string;
}

export interface DtDevice {
  readonly name: string;
  readonly path: string;
  readonly labels: readonly string[];
  readonly enabled: boolean;
  readonly mmio: readonly { start: number; size: number }[];
  readonly irqs: readonly number[];
  readonly kind?: UartKind;
}

export interface Hardware {
  readonly model: string;
  readonly compatible: readonly string[];
  readonly cpus: readonly { path: string; mpidr: number; enableMethod?: string }[];
  readonly ram: readonly Span[];
  readonly noMap: readonly Span[];
  /** Memory regions of enabled devices and PCI windows, as the tree gives them (not aligned, not merged). */
  readonly mmio: readonly Span[];
  /** Everything the tree claims an address for, enabled or not (for finding a hole). */
  readonly claimed: readonly Span[];
  readonly pciHosts: readonly { path: string; windows: Span[] }[];
  readonly gic?: Gic;
  readonly console?: DtConsole;
  readonly devices: readonly DtDevice[];
  /** SPI interrupt IDs (32 and up) some node of the tree raises, enabled or not. */
  readonly spisUsed: readonly number[];
  readonly findings: string[];
}

const SKIP = new Set(['/cpus', '/chosen', '/aliases', '/__symbols__', '/__fixups__', '/__local_fixups__', '/reserved-memory']);
const isMemory = (n: FdtNode) => stringOf(n, 'device_type') === 'memory';
const isPci = (n: FdtNode) => stringOf(n, 'device_type') === 'pci';

export function readHardware(fdt: Fdt, file: string, ramOverride?: readonly { base: number; size: number }[]): Hardware {
  const findings: string[] = [];
  const byPhandle = phandles(fdt);
  const model = stringOf(fdt.root, 'model') ?? '(no /model)';

  // CPUs: logical numbers follow the tree's order; Jailhouse's CPU sets are logical, the MPIDR is for the reader.
  const cpusNode = findPath(fdt, '/cpus');
  const cpus = (cpusNode?.children ?? []).filter((n) => stringOf(n, 'device_type') === 'cpu' && isEnabled(n)).map((n) => ({
    path: n.path, mpidr: joinCells(cellsOf(n, 'reg') ?? []) ?? -1, enableMethod: stringOf(n, 'enable-method') ?? stringOf(cpusNode!, 'enable-method'),
  }));
  if (cpus.length === 0) throw new JhError('E_DT_NO_CPUS', `${file}: /cpus lists no enabled cpu node`, { file, hint: 'give the board\'s full device tree, not an overlay' });
  const methods = [...new Set(cpus.map((c) => c.enableMethod ?? '(none)'))];
  if (methods.some((m) => m !== 'psci')) {
    findings.push(`CPU enable-method is ${methods.join(', ')} (/cpus), not psci: Jailhouse takes CPUs off and on through PSCI; boot with a PSCI firmware (TF-A BL31) that rewrites the tree`);
  }
  if (!findPath(fdt, '/psci')) findings.push('the tree has no /psci node: the firmware must provide PSCI (TF-A) for Jailhouse to run');

  // RAM: /memory nodes, less no-map reservations (the firmware's); reusable pools (CMA) stay Linux's RAM.
  let ram: Span[] = [];
  for (const n of fdt.root.children.filter(isMemory)) for (const r of regOf(n) ?? []) ram.push({ start: r.start, end: r.start + r.size, from: [n.path] });
  if (ramOverride) {
    findings.push(`RAM given by --ram (${ramOverride.map((b) => `${hex(b.base)}+${hex(b.size)}`).join(', ')}), ${ram.length ? 'replacing' : 'as'} the tree's /memory${ram.length ? '' : ' has none (the firmware fills it in at boot)'}`);
    ram = ramOverride.map((b) => ({ start: b.base, end: b.base + b.size, from: ['--ram'] }));
  }
  if (ram.length === 0) {
    throw new JhError('E_DT_NO_RAM', `${file}: /memory gives no RAM (its reg is empty: the boot firmware fills it in)`, {
      file, hint: 'pass the board\'s RAM banks: --ram BASE:SIZE[,BASE:SIZE...] (e.g. --ram 0:0x3b400000,0x40000000:0xbc000000)' });
  }
  const noMap: Span[] = [];
  for (const n of findPath(fdt, '/reserved-memory')?.children ?? []) {
    if (!isEnabled(n)) continue;
    const regs = regOf(n) ?? [];
    if (regs.length === 0) continue;
    if (n.props.has('no-map')) noMap.push(...regs.map((r) => ({ start: r.start, end: r.start + r.size, from: [n.path] })));
    else findings.push(`${n.path} (${regs.map((r) => `${hex(r.start)}+${hex(r.size)}`).join(', ')}) is reserved without no-map: it stays in the root's RAM`);
  }
  for (const r of fdt.memReserve) findings.push(`/memreserve/ ${hex(r.address)}+${hex(r.size)} stays in the root's RAM (Linux keeps it but maps it)`);

  const gic = readGic(fdt, byPhandle, findings);
  const gicPaths = new Set<string>();
  if (gic) walk(findPath(fdt, gic.path)!, (n) => { gicPaths.add(n.path); });

  const mmio: Span[] = [];
  const claimed: Span[] = [...ram, ...noMap];
  const pciHosts: { path: string; windows: Span[] }[] = [];
  walk(fdt.root, (n) => {
    if (SKIP.has(n.path) || isMemory(n)) return false;
    const regs = (regOf(n) ?? []).map((r) => ({ start: r.start, end: r.start + r.size, from: [n.path] }));
    const windows = isPci(n) ? pciWindowsOf(n).map((r) => ({ start: r.start, end: r.start + r.size, from: [`${n.path} ranges`] })) : [];
    claimed.push(...regs, ...windows);
    const enabled = isEnabled(n) && !gicPaths.has(n.path);
    if (enabled) mmio.push(...regs, ...windows);
    if (isPci(n)) {
      if (isEnabled(n)) pciHosts.push({ path: n.path, windows });
      return false; // its children sit in PCI address space
    }
    return undefined;
  });

  const spisUsed = new Set<number>();
  const spisOf = (n: FdtNode): number[] | undefined => {
    const list = interruptsOf(n, byPhandle);
    if (!list || !gic) return undefined;
    const out: number[] = [];
    for (const { controller, cells } of list) {
      const toGic = controller.path === gic.path
        || (isCompatible(controller, ...GIC_PASSTHROUGH) && interruptParent(controller, byPhandle)?.path === gic.path);
      if (!toGic) return undefined;
      if (cells[0] === 0 && cells.length >= 2) out.push(32 + cells[1]!);
    }
    return out;
  };
  walk(fdt.root, (n) => {
    for (const irq of spisOf(n) ?? []) spisUsed.add(irq);
    for (const irq of interruptMapSpis(n, byPhandle, gic)) spisUsed.add(irq);
  });

  const console = readConsole(fdt, findings);
  const labels = labelsOf(fdt);
  const devices: DtDevice[] = [];
  for (const [alias, path] of aliasesOf(fdt)) {
    if (!BOARD_DEVICE.test(alias)) continue;
    const node = findPath(fdt, path);
    if (!node) { findings.push(`alias ${alias} points at ${path}, which is not in the tree`); continue; }
    const regs = regOf(node);
    if (!regs?.length) continue;
    const irqs = spisOf(node);
    if (irqs === undefined && node.props.has('interrupts')) findings.push(`${alias} (${path}): its interrupts go to ${interruptParent(node, byPhandle)?.path ?? 'an unknown controller'}, not the GIC: no irqs given`);
    devices.push({ name: alias, path, labels: labels.get(path) ?? [], enabled: isEnabled(node), mmio: regs, irqs: irqs ?? [], kind: alias.startsWith('serial') ? uartKind(compatibleOf(node))?.kind : undefined });
  }
  return { model, compatible: compatibleOf(fdt.root), cpus, ram, noMap, mmio, claimed, pciHosts, gic, console, devices, spisUsed: [...spisUsed].sort((a, b) => a - b), findings };
}

/** The GIC the root's interrupts end at (following interrupt-parent through wake-up controllers), else the first in the tree. */
function readGic(fdt: Fdt, byPhandle: ReadonlyMap<number, FdtNode>, findings: string[]): Gic | undefined {
  const isGic = (n: FdtNode) => n.props.has('interrupt-controller') && isCompatible(n, ...GICV2, ...GICV3);
  let node: FdtNode | undefined = interruptParent(fdt.root, byPhandle);
  for (let hops = 0; node && !isGic(node) && hops < 8; hops++) {
    const next = interruptParent(node, byPhandle);
    node = next === node ? undefined : next;
  }
  if (!node || !isGic(node)) {
    node = undefined;
    walk(fdt.root, (n) => { if (!node && isGic(n) && isEnabled(n)) node = n; });
  }
  if (!node) {
    findings.push('no GICv2 (arm,gic-400, arm,cortex-a15-gic) or GICv3 (arm,gic-v3) interrupt controller in the tree: the irqchip values are missing');
    return undefined;
  }
  const regs = regOf(node) ?? [];
  const version = isCompatible(node, ...GICV3) ? 3 : 2;
  const compatible = compatibleOf(node).find((c) => [...GICV2, ...GICV3].includes(c))!;
  const frames: Span[] = [];
  walk(node, (n) => { for (const r of regOf(n) ?? []) frames.push({ start: r.start, end: r.start + r.size, from: [n.path] }); });
  for (const child of node.children) findings.push(`${child.path} (${compatibleOf(child).join(', ') || 'no compatible'}) belongs to the GIC: the hypervisor does not give it to the root`);
  const at = (i: number) => regs[i]?.start ?? 0;
  let gic: Gic;
  if (version === 2) {
    if (regs.length < 4) findings.push(`${node.path}: reg has ${regs.length} frames, GICv2 virtualization needs 4 (distributor, CPU interface, hyp, virtual CPU interface)`);
    // A GIC-400 on a 64 KiB stride (128 KiB frames): the 8 KiB CPU interfaces are contiguous only at the alias +0xf000 (upstream's zcu102, macchiatobin).
    const alias = (i: number) => ((regs[i]?.size ?? 0) >= 0x20000 ? 0xf000 : 0);
    if (alias(1) || alias(3)) findings.push(`${node.path}: GIC-400 frames on a 64 KiB stride: gicc and gicv at their +0xf000 alias, where each 8 KiB interface is contiguous`);
    gic = { version, path: node.path, compatible, d: at(0), c: at(1) + alias(1), h: at(2), v: at(3) + alias(3), r: 0, frames };
  } else {
    const rdRegions = cellsOf(node, '#redistributor-regions')?.[0] ?? 1;
    if (rdRegions > 1) findings.push(`${node.path}: ${rdRegions} redistributor regions; Jailhouse takes one gicr_base (the first)`);
    gic = { version, path: node.path, compatible, d: at(0), c: 0, h: 0, v: 0, r: at(1), frames };
  }
  const own = cellsOf(node, 'interrupts');
  if (own && own.length >= 2 && own[0] === 1) return { ...gic, maintenanceIrq: 16 + own[1]! };
  findings.push(`${node.path}: no maintenance interrupt (a PPI in its interrupts); Jailhouse's boards use 25`);
  return gic;
}

/** SPIs of a PCI host's INTx lines (interrupt-map entries that end at the GIC). */
function interruptMapSpis(node: FdtNode, byPhandle: ReadonlyMap<number, FdtNode>, gic: Gic | undefined): number[] {
  const map = cellsOf(node, 'interrupt-map');
  if (!map || !gic) return [];
  const childCells = addressCells(node) + (cellsOf(node, '#interrupt-cells')?.[0] ?? 1);
  const out: number[] = [];
  for (let i = 0; i + childCells < map.length;) {
    const parent = byPhandle.get(map[i + childCells]!);
    if (!parent) return out;
    const pa = cellsOf(parent, '#address-cells')?.[0] ?? 0;
    const pi = cellsOf(parent, '#interrupt-cells')?.[0] ?? 0;
    const spec = map.slice(i + childCells + 1 + pa, i + childCells + 1 + pa + pi);
    if (parent.path === gic.path && spec[0] === 0 && spec.length >= 2) out.push(32 + spec[1]!);
    i += childCells + 1 + pa + pi;
  }
  return out;
}

function readConsole(fdt: Fdt, findings: string[]): DtConsole | undefined {
  const chosen = findPath(fdt, '/chosen');
  const stdout = chosen && (stringOf(chosen, 'stdout-path') ?? stringOf(chosen, 'linux,stdout-path'));
  if (!stdout) { findings.push('/chosen has no stdout-path: no debug console derived'); return undefined; }
  const node = resolveNode(fdt, stdout);
  if (!node) { findings.push(`/chosen stdout-path "${stdout}" names no node of the tree: no debug console derived`); return undefined; }
  const reg = regOf(node)?.[0];
  if (!reg) { findings.push(`${node.path} (stdout-path) has no memory-mapped reg: no debug console derived`); return undefined; }
  const compatible = stringsOf(node, 'compatible');
  const kind = uartKind(compatible)?.kind;
  if (!kind) findings.push(`${node.path} (${compatible.join(', ')}): no Jailhouse console type drives it; the debug console is left NONE`);
  const alias = [...aliasesOf(fdt)].find(([name, path]) => /^serial\d+$/.test(name) && findPath(fdt, path) === node)?.[0];
  const baud = /:(\d+)/.exec(stdout)?.[1];
  return { path: node.path, address: reg.start, size: Math.min(reg.size, kind?.size ?? 0x1000), kind, compatible, alias, baud };
}
