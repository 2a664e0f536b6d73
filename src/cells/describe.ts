/** Names for flag bits and values: shared by the C renderer and `cells inspect`. */
import { APIC_MODE, CELL_FLAGS, CON_FLAGS, CON_TYPE, IOMMU_TYPE, MEM, PCI_TYPE, SHMEM_PROTO, SYS_FLAGS } from './model.ts';

export const hex = (n: number) => `0x${n.toString(16)}`;
/** A PCI bus/device/function as Linux names it after the domain: "00:01.0". */
export const bdfName = (bdf: number) => `${(bdf >> 8).toString(16).padStart(2, '0')}:${((bdf >> 3) & 0x1f).toString(16).padStart(2, '0')}.${bdf & 7}`;

function bitNames(value: number, table: Readonly<Record<string, number>>): string[] {
  const names: string[] = [];
  let rest = value;
  for (const [name, bit] of Object.entries(table)) {
    if (bit !== 0 && (value & bit) === bit) { names.push(name); rest &= ~bit; }
  }
  if (rest) names.push(hex(rest >>> 0));
  return names;
}

const valueName = (value: number, table: Readonly<Record<string, number>>) =>
  Object.entries(table).find(([, v]) => v === value)?.[0] ?? hex(value);

export const memFlagNames = (f: number) => bitNames(f, MEM);
export const cellFlagNames = (f: number) => bitNames(f, CELL_FLAGS);
export const sysFlagNames = (f: number) => bitNames(f, SYS_FLAGS);
export const conFlagNames = (f: number) => bitNames(f, CON_FLAGS);
export const conTypeName = (t: number) => valueName(t, CON_TYPE);
export const pciTypeName = (t: number) => valueName(t, PCI_TYPE);
export const shmemProtoName = (p: number) => valueName(p, SHMEM_PROTO);
export const iommuTypeName = (t: number) => valueName(t, IOMMU_TYPE);
export const apicModeName = (m: number) => valueName(m, APIC_MODE);

/** C expression for a flags value using Jailhouse's macro names. */
export function cFlags(value: number, prefix: string, table: Readonly<Record<string, number>>): string {
  if (value === 0) return '0';
  return bitNames(value, table).map((n) => (n.startsWith('0x') ? n : `${prefix}${n}`)).join(' | ');
}

export function mib(bytes: number): string {
  const m = bytes / 0x100000;
  return Number.isInteger(m) ? `${m} MiB` : m >= 1 ? `${m.toFixed(2)} MiB` : `${(bytes / 1024).toFixed(bytes % 1024 ? 2 : 0)} KiB`;
}
