/** Free address space of a pool: taken from the top down, so cells pack against the hypervisor. */
import type { AddressRange } from './needs.ts';

interface Span { start: number; end: number }

export class FreeSpace {
  private spans: Span[];

  constructor(pools: readonly AddressRange[]) {
    this.spans = pools.map((p) => ({ start: p.base, end: p.base + p.size })).sort((a, b) => a.start - b.start);
  }

  /** Remove [start, end) wherever it overlaps free space (memory someone else already holds). */
  remove(start: number, end: number): void {
    this.spans = this.spans.flatMap((s) => {
      if (end <= s.start || start >= s.end) return [s];
      return [{ start: s.start, end: Math.max(s.start, start) }, { start: Math.min(s.end, end), end: s.end }].filter((x) => x.end > x.start);
    });
  }

  /** Give [start, end) back (slack of an aligned allocation). */
  release(start: number, end: number): void {
    if (end <= start) return;
    const all = [...this.spans, { start, end }].sort((a, b) => a.start - b.start);
    this.spans = all.reduce<Span[]>((out, s) => {
      const last = out[out.length - 1];
      if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
      else out.push({ ...s });
      return out;
    }, []);
  }

  /** Whether all of [start, end) is free. */
  holds(start: number, end: number): boolean {
    return this.spans.some((s) => s.start <= start && end <= s.end);
  }

  /** The highest aligned start of `size` free bytes with `below` free bytes right before it; both taken. */
  takeTop(size: number, align: number, below = 0): number | undefined {
    for (const span of [...this.spans].reverse()) {
      const start = Math.floor((span.end - size) / align) * align;
      if (start - below >= span.start) {
        this.remove(start - below, start + size);
        return start;
      }
    }
    return undefined;
  }

  /** The largest aligned block (with `below` bytes before it) any free stretch holds, for "what would fit" messages. */
  largest(align: number, below = 0): { start: number; size: number } | undefined {
    let best: { start: number; size: number } | undefined;
    for (const s of this.spans) {
      const start = Math.ceil((s.start + below) / align) * align;
      const size = s.end - start;
      if (size > 0 && (!best || size > best.size)) best = { start, size };
    }
    return best;
  }
}
