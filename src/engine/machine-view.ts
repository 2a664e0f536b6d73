/**
 * What a recipe may read of the machine: the keys it declares, no more. A key is a dotted path
 * (`guestKernel.image`); a list can be narrowed by a selector, `cells[linux]` (the cells that have a
 * `linux` field, whole) or `cells[*].name` (one field of every cell), so a recipe that reads the
 * Linux cells is not signed over every other cell's memory.
 */
import { JhError } from '../errors.ts';
import type { Json } from './types.ts';

type Segment = { readonly key: string; readonly select?: string };

function segments(path: string): Segment[] {
  return path.split('.').map((part) => {
    const m = /^([^[\]]+)\[([^[\]]+)\]$/.exec(part);
    return m ? { key: m[1]!, select: m[2]! } : { key: part };
  });
}

const selected = (element: unknown, select: string) => select === '*' || Boolean((element as Record<string, unknown> | null)?.[select]);

function pick(value: unknown, path: readonly Segment[]): unknown {
  if (path.length === 0 || value === undefined || value === null) return value;
  const [first, ...rest] = path;
  const inner = (value as Record<string, unknown>)[first!.key];
  if (first!.select === undefined) return pick(inner, rest);
  return Array.isArray(inner) ? inner.filter((e) => selected(e, first!.select!)).map((e) => pick(e, rest)) : undefined;
}

/** The declared values, as JSON for the signature. */
export function pickMachine(machine: object, keys: readonly string[]): Json {
  const out: Record<string, Json> = {};
  for (const key of keys) out[key] = toJson(pick(machine, segments(key)));
  return out;
}

function toJson(value: unknown): Json {
  return value === undefined ? null : JSON.parse(JSON.stringify(value)) as Json;
}

const undeclared = (recipe: string, path: string) => new JhError('E_UNDECLARED_INPUT', `recipe "${recipe}" reads machine.${path} without declaring it`, {
  hint: `add "${path}" to machineKeys in the recipe so that a change to it rebuilds the recipe` });

/** A view that throws when a step reads a value its recipe did not declare (it would not be in the signature). */
export function restrictMachine<T extends object>(machine: T, keys: readonly string[], recipe: string): T {
  return restrict(machine, keys, recipe, '');
}

function restrict<T extends object>(target: T, keys: readonly string[], recipe: string, shown: string): T {
  return new Proxy(target, {
    get(object, prop, receiver) {
      if (typeof prop === 'symbol' || prop === 'toJSON' || prop === 'then') return Reflect.get(object, prop, receiver);
      const path = shown ? `${shown}.${prop}` : prop;
      // `file` only names where the machine was declared, for error messages: it is no input.
      if ((shown === '' && (prop === 'name' || prop === 'file')) || keys.includes(prop)) return Reflect.get(object, prop, receiver);
      const value = Reflect.get(object, prop, receiver);
      const below = keys.filter((k) => k.startsWith(`${prop}.`)).map((k) => k.slice(prop.length + 1));
      const selectors = keys.filter((k) => k.startsWith(`${prop}[`)).map((k) => k.slice(prop.length));
      if (selectors.length > 0 && Array.isArray(value)) return restrictList(value, selectors, recipe, path);
      if (below.length > 0) return value !== null && typeof value === 'object' ? restrict(value as object, below, recipe, path) : value;
      throw undeclared(recipe, path);
    },
  });
}

/** A list read through selectors: each element shows what the selectors that match it allow. */
function restrictList(list: readonly unknown[], selectors: readonly string[], recipe: string, shown: string): unknown[] {
  return new Proxy(list as unknown[], {
    get(array, prop, receiver) {
      if (typeof prop !== 'string' || !/^\d+$/.test(prop)) return Reflect.get(array, prop, receiver);
      const element = array[Number(prop)];
      if (element === null || typeof element !== 'object') return element;
      const allowed: string[] = [];
      for (const s of selectors) {
        const m = /^\[([^\]]+)\](?:\.(.+))?$/.exec(s)!;
        if (!selected(element, m[1]!)) continue;
        if (m[2] === undefined) return element;
        allowed.push(m[2]);
      }
      if (allowed.length === 0) throw undeclared(recipe, `${shown}[${prop}]`);
      return restrict(element, allowed, recipe, `${shown}[${prop}]`);
    },
  });
}
