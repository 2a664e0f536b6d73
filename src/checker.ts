/** Load-time checks of user data: every error names the file and the field, and says the fix. */
import { JhError } from './errors.ts';

/** u64 fields are held as JavaScript numbers, exact below 2^53 (every arm64 and x86 physical address is). */
const EXACT = 2 ** 53;
const UINT_MAX = { 8: 0xff, 16: 0xffff, 32: 0xffffffff, 64: Number.MAX_SAFE_INTEGER } as const;
export type UintBits = keyof typeof UINT_MAX;
const PAGE = 0x1000;

export class Checker {
  readonly file: string;
  constructor(file: string) { this.file = file; }

  fail(field: string, problem: string, hint: string): never {
    throw new JhError('E_INVALID_FIELD', `${field}: ${problem}`, { file: this.file, hint });
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(field, `expected an object, got ${describe(value)}`, `make ${field} an object literal`);
    }
    return value as Record<string, unknown>;
  }

  string(value: unknown, field: string, pattern?: RegExp, hint?: string): string {
    if (typeof value !== 'string' || value.length === 0) {
      this.fail(field, `expected a non-empty string, got ${describe(value)}`, hint ?? `set ${field} to a string`);
    }
    if (pattern && !pattern.test(value)) this.fail(field, `"${value}" is not valid`, hint ?? `it must match ${pattern}`);
    return value;
  }

  optionalString(value: unknown, field: string): string | undefined {
    return value === undefined ? undefined : this.string(value, field);
  }

  number(value: unknown, field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      this.fail(field, `expected an integer in [${min}, ${max}], got ${describe(value)}`, withBigintNote(value, `set ${field} to a whole number in range`));
    }
    return value;
  }

  /** A value of a .cell field of that many bits (u64: below 2^53, see EXACT). */
  uint(value: unknown, field: string, bits: UintBits): number {
    const max = UINT_MAX[bits];
    const wanted = `a whole number from 0 to ${bits === 64 ? '2^53 - 1' : `0x${max.toString(16)}`} (u${bits} in the .cell)`;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
      const note = bits === 32 && typeof value === 'number' && Number.isInteger(value) && value < 0 && value >= -(2 ** 31)
        ? `; a JavaScript | or << over bit 31 gives a negative number: add >>> 0` : '';
      this.fail(field, `${describe(value)} is not ${wanted}`, withBigintNote(value, `set ${field} to ${wanted}${note}`));
    }
    return value;
  }

  /** An address or size in bytes (a u64 field): a whole number below 2^53, with `page` a multiple of 0x1000, at least `min`. */
  bytes(value: unknown, field: string, options: { page?: boolean; min?: number } = {}): number {
    const min = options.min ?? 0;
    const wanted = `a whole number of bytes${options.page ? ', a multiple of 0x1000' : ''}${min > 0 ? `, at least 0x${min.toString(16)}` : ''}, below 2^53`;
    const why = typeof value !== 'number' ? `expected a number, got ${describe(value)}`
      : !Number.isInteger(value) ? `${describe(value)} is not a whole number`
      : value < 0 ? `${describe(value)} is negative`
      : value >= EXACT ? `${describe(value)} is past 2^53, where JavaScript numbers stop being exact (every arm64 and x86 physical address is below 2^52)`
      : value < min ? `${describe(value)} is below 0x${min.toString(16)}`
      : options.page && value % PAGE !== 0 ? `${describe(value)} is not a multiple of 0x1000 (4 KiB)` : undefined;
    if (why) this.fail(field, why, withBigintNote(value, `give ${wanted}`));
    return value as number;
  }

  /** The end of [base, base + size) stays below 2^53 (it can neither wrap a u64 nor lose precision). */
  span(base: number, size: number, field: string): void {
    if (base + size > EXACT) {
      this.fail(field, `0x${base.toString(16)} + 0x${size.toString(16)} ends past 2^53`, `move or shrink it: the range must end at or below 2^53`);
    }
  }

  /** A list of at most `max` items. */
  list(value: unknown, field: string, max: number): unknown[] {
    const items = this.array(value, field);
    if (items.length > max) this.fail(field, `${items.length} items; the .cell holds at most ${max}`, `remove ${items.length - max} of them`);
    return items;
  }

  array(value: unknown, field: string): unknown[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) this.fail(field, `expected a list, got ${describe(value)}`, `make ${field} an array`);
    return value;
  }

  strings(value: unknown, field: string): string[] {
    return this.array(value, field).map((item, i) => this.string(item, `${field}[${i}]`));
  }

  oneOf<T extends string>(value: unknown, field: string, choices: readonly T[]): T {
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      this.fail(field, `expected one of ${choices.join(', ')}, got ${describe(value)}`, `use one of: ${choices.join(', ')}`);
    }
    return value as T;
  }

  /** Rejects keys the type does not have (a typo would otherwise be silently ignored). */
  known(value: Record<string, unknown>, field: string, keys: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) {
        const where = field ? `${field}.${key}` : key;
        this.fail(where, 'unknown field', `remove it or use one of: ${keys.join(', ')}`);
      }
    }
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n (a bigint)`;
  if (typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) >= 0x1000) return `${value} (${value < 0 ? '-' : ''}0x${Math.abs(value).toString(16)})`;
  if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) >= EXACT) return `${value} (about 2^${Math.round(Math.log2(Math.abs(value)))})`;
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' && value !== null ? 'an object' : String(value);
}

const withBigintNote = (value: unknown, hint: string) =>
  (typeof value === 'bigint' ? `${hint}; write it as a plain number (no n suffix): machines hold numbers` : hint);
