/** Load-time checks of user data: every error names the file and the field, and says the fix. */
import { JhError } from '../errors.ts';

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
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `expected an integer in [${min}, ${max}], got ${describe(value)}`, `set ${field} to a whole number in range`);
    }
    return value;
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
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' && value !== null ? 'an object' : String(value);
}
