/** A reader for flattened device trees (.dtb, devicetree-specification v0.4 ch. 5): nothing in the file is trusted. */
import { JhError } from '../errors.ts';

export interface FdtNode {
  /** Node name with unit address, e.g. serial@7e215040 ('' for the root). */
  readonly name: string;
  /** Full path, e.g. /soc/serial@7e215040. */
  readonly path: string;
  readonly props: ReadonlyMap<string, Uint8Array>;
  readonly children: readonly FdtNode[];
  readonly parent?: FdtNode;
}

export interface Fdt {
  readonly root: FdtNode;
  /** The /memreserve/ entries of the header's reservation block. */
  readonly memReserve: readonly { readonly address: number; readonly size: number }[];
  readonly bootCpu: number;
}

const MAGIC = 0xd00dfeed;
/** Board trees are tens of KiB; a cap keeps a hostile or wrong file from taking the host's memory. */
export const FDT_MAX_SIZE = 16 * 1024 * 1024;
const MAX_DEPTH = 64;
const TOKEN = { BEGIN_NODE: 1, END_NODE: 2, PROP: 3, NOP: 4, END: 9 } as const;

/** Parses a .dtb; `file` names it in errors. */
export function parseFdt(bytes: Uint8Array, file: string): Fdt {
  const bad = (what: string): never => {
    throw new JhError('E_DTB_FORMAT', `${file}: not a valid device tree blob: ${what}`, {
      file, hint: 'give a compiled .dtb (dtc -I dts -O dtb), e.g. arch/arm64/boot/dts/<vendor>/<board>.dtb of a kernel build' });
  };
  if (bytes.length > FDT_MAX_SIZE) bad(`${bytes.length} bytes, more than the ${FDT_MAX_SIZE}-byte cap`);
  if (bytes.length < 40) bad(`${bytes.length} bytes, shorter than the 40-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at: number) => view.getUint32(at, false);
  if (u32(0) !== MAGIC) bad(`magic 0x${u32(0).toString(16)}, expected 0xd00dfeed`);
  const total = u32(4);
  const offStruct = u32(8);
  const offStrings = u32(12);
  const offRsv = u32(16);
  const version = u32(20);
  const lastCompat = u32(24);
  const bootCpu = u32(28);
  if (total > bytes.length) bad(`header says ${total} bytes, the file has ${bytes.length}`);
  if (lastCompat > 17 || version < 16) bad(`version ${version} (compatible with ${lastCompat}); this reader knows versions 16 and 17`);
  const sizeStrings = u32(32);
  const sizeStruct = version >= 17 ? u32(36) : total - offStruct;
  const within = (what: string, off: number, size: number) => {
    if (off % 4 !== 0 && what !== 'strings block') bad(`${what} at ${off} is not 4-byte aligned`);
    if (off < 40 || size < 0 || off + size > total) bad(`${what} [${off}, ${off + size}) lies outside the ${total}-byte blob`);
  };
  within('structure block', offStruct, sizeStruct);
  within('strings block', offStrings, sizeStrings);
  within('memory reservation block', offRsv, 16);

  const memReserve: { address: number; size: number }[] = [];
  for (let at = offRsv; ; at += 16) {
    if (at + 16 > total) bad('memory reservation block has no terminating entry');
    const address = u64(view, at, bad);
    const size = u64(view, at + 8, bad);
    if (address === 0 && size === 0) break;
    memReserve.push({ address, size });
  }

  const decoder = new TextDecoder('utf-8', { fatal: false });
  const cString = (from: number, end: number, what: string): string => {
    let at = from;
    while (at < end && bytes[at] !== 0) at++;
    if (at >= end) bad(`${what} at ${from} has no terminating NUL inside its block`);
    return decoder.decode(bytes.subarray(from, at));
  };

  const end = offStruct + sizeStruct;
  let at = offStruct;
  const token = () => {
    if (at + 4 > end) bad('structure block ends without FDT_END');
    const t = u32(at);
    at += 4;
    return t;
  };
  const align = () => { at = (at + 3) & ~3; };

  interface Building { name: string; path: string; props: Map<string, Uint8Array>; children: Building[]; parent?: Building }
  let first = token();
  while (first === TOKEN.NOP) first = token();
  if (first !== TOKEN.BEGIN_NODE) bad(`structure block starts with token ${first}, expected FDT_BEGIN_NODE`);
  const rootName = cString(at, end, 'root node name');
  at += rootName.length + 1;
  align();
  const root: Building = { name: '', path: '/', props: new Map(), children: [] };
  const stack: Building[] = [root];
  for (;;) {
    const t = token();
    const node = stack[stack.length - 1];
    if (t === TOKEN.NOP) continue;
    if (t === TOKEN.END) {
      if (stack.length !== 0) bad('FDT_END inside an open node');
      break;
    }
    if (!node) bad(`token ${t} after the root node closed`);
    if (t === TOKEN.BEGIN_NODE) {
      if (stack.length >= MAX_DEPTH) bad(`nodes nested deeper than ${MAX_DEPTH}`);
      const name = cString(at, end, 'node name');
      at += new TextEncoder().encode(name).length + 1;
      align();
      if (name === '' || name.includes('/')) bad(`node name "${name}" under ${node!.path}`);
      const child: Building = { name, path: node!.path === '/' ? `/${name}` : `${node!.path}/${name}`, props: new Map(), children: [], parent: node };
      node!.children.push(child);
      stack.push(child);
    } else if (t === TOKEN.END_NODE) {
      stack.pop();
    } else if (t === TOKEN.PROP) {
      if (at + 8 > end) bad(`property header of ${node!.path} runs past the structure block`);
      const len = u32(at);
      const nameOff = u32(at + 4);
      at += 8;
      if (len > end - at) bad(`property of ${node!.path} is ${len} bytes, past the structure block`);
      if (nameOff >= sizeStrings) bad(`property name offset ${nameOff} of ${node!.path} is outside the strings block`);
      const name = cString(offStrings + nameOff, offStrings + sizeStrings, 'property name');
      node!.props.set(name, bytes.slice(at, at + len));
      at += len;
      align();
    } else {
      bad(`unknown token ${t} at offset ${at - 4}`);
    }
  }
  return { root: root as FdtNode, memReserve, bootCpu };
}

function u64(view: DataView, at: number, bad: (what: string) => never): number {
  const hi = view.getUint32(at, false);
  const lo = view.getUint32(at + 4, false);
  if (hi >= 0x200000) bad(`64-bit value 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} at ${at} is beyond 2^53`);
  return hi * 0x100000000 + lo;
}
