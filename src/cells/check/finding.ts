/** What a check reports (Finding) and what it is told (CheckOptions): the types every rule and every caller of checkConfigs share. */
import { hex } from '../describe.ts';
import type { MemoryRegion } from '../model.ts';

/** One problem: a stable code, the cell and region it is in, what is wrong and how to fix it. */
export interface Finding {
  readonly code: string;
  readonly cell: string;
  readonly region?: number;
  readonly range?: readonly [number, number];
  readonly message: string;
  readonly hint: string;
}

export interface Range { readonly start: number; readonly end: number; readonly what: string }

export interface CheckOptions {
  /** Memory the root kernel is told to leave alone (from mem=/memmap= or device-tree reservations). */
  readonly reserved?: readonly Range[];
  /** Where the reservation came from, for messages ("cmdline mem=768M"). */
  readonly reservedFrom?: string;
  /** CPUs the machine has. */
  readonly cpuCount?: number;
  /** Address windows the board's device tree claims (interrupt controllers, buses, devices): no virtual device may sit there. */
  readonly boardWindows?: readonly Range[];
  /** The root kernel's serial consoles (x86: ports from console=ttySN): the root must keep them. */
  readonly rootConsolePorts?: readonly { port: number; from: string }[];
  /** RAM banks of the machine: a virtual PCI window there must be reserved from the root kernel. */
  readonly ram?: readonly { base: number; size: number }[];
}

/** How a rule reports: findings keep the order rules add them in. */
export type Add = (f: Finding) => void;

/** Half-open ranges [a0, a1) and [b0, b1) share an address. */
export const overlaps = (a0: number, a1: number, b0: number, b1: number) => a0 < b1 && b0 < a1;

/** A region's physical range, as a finding names it. */
export const span = (m: MemoryRegion): [number, number] => [m.phys, m.phys + m.size];

export function formatFinding(f: Finding): string {
  const place = [f.cell && `cell "${f.cell}"`, f.region !== undefined && `region ${f.region}`, f.range && `[${hex(f.range[0])}, ${hex(f.range[1])})`].filter(Boolean).join(', ');
  return `${f.code}: ${place}: ${f.message}\n  fix: ${f.hint}`;
}

/** How far from `start` the ranges (sorted by start) cover it without a gap; `start` itself when none covers it. */
export function coveredFrom(start: number, sorted: readonly { readonly start: number; readonly end: number }[]): number {
  let covered = start;
  for (const r of sorted) if (r.start <= covered && r.end > covered) covered = r.end;
  return covered;
}
