/** Address-range arithmetic for deriving a machine from a device tree: page alignment, union, difference, holes. */

export interface Span { readonly start: number; readonly end: number; readonly from: readonly string[] }

export const PAGE = 0x1000;
export const MiB = 0x100000;

export const alignDown = (value: number, to: number) => Math.floor(value / to) * to;
export const alignUp = (value: number, to: number) => Math.ceil(value / to) * to;

/** Sorted union; touching or overlapping spans merge and keep every source path. */
export function union(spans: readonly Span[]): Span[] {
  const sorted = [...spans].filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) out[out.length - 1] = { start: last.start, end: Math.max(last.end, s.end), from: [...new Set([...last.from, ...s.from])] };
    else out.push({ ...s, from: [...s.from] });
  }
  return out;
}

/** `spans` with every part inside `cut` removed. */
export function subtract(spans: readonly Span[], cut: readonly { start: number; end: number }[]): Span[] {
  let out = [...spans];
  for (const c of cut) {
    out = out.flatMap((s) => {
      if (c.end <= s.start || s.end <= c.start) return [s];
      const parts: Span[] = [];
      if (s.start < c.start) parts.push({ ...s, end: c.start });
      if (c.end < s.end) parts.push({ ...s, start: c.end });
      return parts;
    });
  }
  return out;
}

export const pageAligned = (s: Span): Span => ({ ...s, start: alignDown(s.start, PAGE), end: alignUp(s.end, PAGE) });

export const overlapsAny = (start: number, end: number, spans: readonly { start: number; end: number }[]) =>
  spans.some((s) => start < s.end && s.start < end);

export const hex = (n: number) => `0x${n.toString(16)}`;
