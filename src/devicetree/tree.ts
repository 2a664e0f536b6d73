/** Reading a parsed device tree: property values, paths, aliases, phandles, reg through parent ranges, interrupts. */
import type { Fdt, FdtNode } from './fdt.ts';

export interface Range { readonly start: number; readonly size: number }

export function cellsOf(node: FdtNode, name: string): number[] | undefined {
  const value = node.props.get(name);
  if (!value || value.length % 4 !== 0) return undefined;
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  return Array.from({ length: value.length / 4 }, (_, i) => view.getUint32(i * 4, false));
}

export function stringsOf(node: FdtNode, name: string): string[] {
  const value = node.props.get(name);
  if (!value || value.length === 0) return [];
  return new TextDecoder().decode(value).replace(/\0$/, '').split('\0');
}

export const stringOf = (node: FdtNode, name: string): string | undefined => stringsOf(node, name)[0];
export const compatibleOf = (node: FdtNode): string[] => stringsOf(node, 'compatible');
export const isCompatible = (node: FdtNode, ...names: string[]) => compatibleOf(node).some((c) => names.includes(c));

/** Enabled: status absent, "okay" or "ok", and every ancestor enabled too. */
export function isEnabled(node: FdtNode): boolean {
  for (let n: FdtNode | undefined = node; n; n = n.parent) {
    const status = stringOf(n, 'status');
    if (status !== undefined && status !== 'okay' && status !== 'ok') return false;
  }
  return true;
}

export function walk(node: FdtNode, visit: (node: FdtNode) => boolean | void): void {
  if (visit(node) === false) return;
  for (const child of node.children) walk(child, visit);
}

export function findPath(fdt: Fdt, path: string): FdtNode | undefined {
  let node: FdtNode | undefined = fdt.root;
  for (const part of path.split('/').filter(Boolean)) {
    node = node.children.find((c) => c.name === part) ?? node.children.find((c) => c.name.split('@')[0] === part);
    if (!node) return undefined;
  }
  return node;
}

/** The /aliases entries (name -> path). */
export function aliasesOf(fdt: Fdt): Map<string, string> {
  const node = findPath(fdt, '/aliases');
  const out = new Map<string, string>();
  if (node) for (const name of [...node.props.keys()].sort()) out.set(name, stringOf(node, name) ?? '');
  return out;
}

/** Labels from /__symbols__ (only in trees compiled with dtc -@): path -> labels. */
export function labelsOf(fdt: Fdt): Map<string, string[]> {
  const node = findPath(fdt, '/__symbols__');
  const out = new Map<string, string[]>();
  if (node) for (const name of [...node.props.keys()].sort()) {
    const path = stringOf(node, name)!;
    out.set(path, [...(out.get(path) ?? []), name]);
  }
  return out;
}

/** A path or an alias (optionally with ":options" as in stdout-path) to its node. */
export function resolveNode(fdt: Fdt, ref: string): FdtNode | undefined {
  const target = ref.split(':')[0]!;
  if (target.startsWith('/')) return findPath(fdt, target);
  const [alias, ...rest] = target.split('/');
  const base = aliasesOf(fdt).get(alias!);
  return base === undefined ? undefined : findPath(fdt, [base, ...rest].join('/'));
}

export function phandles(fdt: Fdt): Map<number, FdtNode> {
  const out = new Map<number, FdtNode>();
  walk(fdt.root, (n) => {
    const p = cellsOf(n, 'phandle')?.[0] ?? cellsOf(n, 'linux,phandle')?.[0];
    if (p !== undefined) out.set(p, n);
  });
  return out;
}

/** #address-cells / #size-cells a node's children use (spec defaults 2 and 1). */
export const addressCells = (node: FdtNode | undefined) => (node && cellsOf(node, '#address-cells')?.[0]) ?? 2;
export const sizeCells = (node: FdtNode | undefined) => (node && cellsOf(node, '#size-cells')?.[0]) ?? 1;

/** A multi-cell number; undefined beyond 2^53 (no arm64 physical address is). */
export function joinCells(cells: readonly number[]): number | undefined {
  let value = 0;
  for (const c of cells) {
    value = value * 0x100000000 + c;
    if (value > Number.MAX_SAFE_INTEGER) return undefined;
  }
  return value;
}

/** The node's reg entries in its parent's address space, each as [address cells, size]. */
function regEntries(node: FdtNode): { addr: number[]; size: number }[] | undefined {
  const reg = cellsOf(node, 'reg');
  if (!reg) return undefined;
  const ac = addressCells(node.parent);
  const sc = sizeCells(node.parent);
  if (ac + sc === 0 || reg.length % (ac + sc) !== 0) return undefined;
  const out: { addr: number[]; size: number }[] = [];
  for (let i = 0; i < reg.length; i += ac + sc) {
    const size = joinCells(reg.slice(i + ac, i + ac + sc));
    if (size === undefined) return undefined;
    out.push({ addr: reg.slice(i, i + ac), size });
  }
  return out;
}

/** An address of `bus`'s children, in the CPU's address space; undefined when a bus has no ranges (i2c, spi, mdio: not memory-mapped). */
export function translate(bus: FdtNode, addr: readonly number[]): number | undefined {
  let cells = [...addr];
  for (let node: FdtNode | undefined = bus; node?.parent; node = node.parent) {
    const ranges = node.props.get('ranges');
    if (!ranges) return undefined;
    if (ranges.length === 0) continue;
    const ca = addressCells(node);
    const pa = addressCells(node.parent);
    const cs = sizeCells(node);
    const r = cellsOf(node, 'ranges')!;
    const step = ca + pa + cs;
    const child = joinCells(cells.slice(-Math.min(cells.length, 2)));
    let mapped: number[] | undefined;
    for (let i = 0; step > 0 && i + step <= r.length; i += step) {
      // PCI-style child addresses (3 cells) match on their low 64 bits; the space code is the first cell.
      if (ca === 3 && cells.length === 3 && (r[i]! & 0x03000000) !== (cells[0]! & 0x03000000)) continue;
      const from = joinCells(r.slice(i, i + ca).slice(-Math.min(ca, 2)));
      const to = joinCells(r.slice(i + ca, i + ca + pa));
      const size = joinCells(r.slice(i + ca + pa, i + step));
      if (child === undefined || from === undefined || to === undefined || size === undefined) continue;
      if (child >= from && child < from + size) { mapped = splitCells(to + (child - from), pa); break; }
    }
    if (!mapped) return undefined;
    cells = mapped;
  }
  return joinCells(cells);
}

function splitCells(value: number, count: number): number[] {
  const out = new Array<number>(count).fill(0);
  out[count - 1] = value % 0x100000000;
  if (count > 1) out[count - 2] = Math.floor(value / 0x100000000);
  return out;
}

/** The node's reg as CPU physical ranges; undefined when it is not memory-mapped. */
export function regOf(node: FdtNode): Range[] | undefined {
  const entries = regEntries(node);
  if (!entries || !node.parent) return undefined;
  const out: Range[] = [];
  for (const e of entries) {
    const start = translate(node.parent, e.addr);
    if (start === undefined) return undefined;
    if (e.size > 0) out.push({ start, size: e.size });
  }
  return out;
}

/** A PCI host's outbound windows (its ranges) in CPU addresses: where root Linux reaches the BARs. */
export function pciWindowsOf(node: FdtNode): Range[] {
  const r = cellsOf(node, 'ranges');
  if (!r || !node.parent) return [];
  const ca = addressCells(node);
  const pa = addressCells(node.parent);
  const cs = sizeCells(node);
  const out: Range[] = [];
  for (let i = 0; i + ca + pa + cs <= r.length; i += ca + pa + cs) {
    const start = translate(node.parent, r.slice(i + ca, i + ca + pa));
    const size = joinCells(r.slice(i + ca + pa, i + ca + pa + cs));
    if (start !== undefined && size) out.push({ start, size });
  }
  return out;
}

/** The interrupt parent of a node (its own interrupt-parent, or an ancestor's). */
export function interruptParent(node: FdtNode, byPhandle: ReadonlyMap<number, FdtNode>): FdtNode | undefined {
  for (let n: FdtNode | undefined = node; n; n = n.parent) {
    const p = cellsOf(n, 'interrupt-parent')?.[0];
    if (p !== undefined) return byPhandle.get(p);
  }
  return undefined;
}

/** Each interrupt specifier of a node with the controller it goes to (interrupts or interrupts-extended). */
export function interruptsOf(node: FdtNode, byPhandle: ReadonlyMap<number, FdtNode>): { controller: FdtNode; cells: number[] }[] | undefined {
  const out: { controller: FdtNode; cells: number[] }[] = [];
  const extended = cellsOf(node, 'interrupts-extended');
  if (extended) {
    for (let i = 0; i < extended.length;) {
      const controller = byPhandle.get(extended[i]!);
      const n = controller && cellsOf(controller, '#interrupt-cells')?.[0];
      if (!controller || !n) return undefined;
      out.push({ controller, cells: extended.slice(i + 1, i + 1 + n) });
      i += 1 + n;
    }
    return out;
  }
  const cells = cellsOf(node, 'interrupts');
  if (!cells) return [];
  const controller = interruptParent(node, byPhandle);
  const n = controller && cellsOf(controller, '#interrupt-cells')?.[0];
  if (!controller || !n) return undefined;
  for (let i = 0; i + n <= cells.length; i += n) out.push({ controller, cells: cells.slice(i, i + n) });
  return out;
}
