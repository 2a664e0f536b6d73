/** What a recipe may read of the machine: the dotted keys it declares, no more. */
import { JhError } from '../errors.ts';
import type { Json } from './types.ts';

/** The declared values, as JSON for the signature. */
export function pickMachine(machine: object, keys: readonly string[]): Json {
  const out: Record<string, Json> = {};
  for (const key of keys) out[key] = toJson(key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], machine));
  return out;
}

function toJson(value: unknown): Json {
  return value === undefined ? null : JSON.parse(JSON.stringify(value)) as Json;
}

/** A view that throws when a step reads a value its recipe did not declare (it would not be in the signature). */
export function restrictMachine<T extends object>(machine: T, keys: readonly string[], recipe: string, prefix = ''): T {
  return new Proxy(machine, {
    get(target, prop, receiver) {
      if (typeof prop === 'symbol' || prop === 'toJSON' || prop === 'then') return Reflect.get(target, prop, receiver);
      const path = prefix ? `${prefix}.${prop}` : prop;
      // `file` only names where the machine was declared, for error messages: it is no input.
      if (path === 'name' || path === 'file' || keys.some((k) => k === path || path.startsWith(`${k}.`))) return Reflect.get(target, prop, receiver);
      if (keys.some((k) => k.startsWith(`${path}.`))) {
        const value = Reflect.get(target, prop, receiver);
        return value !== null && typeof value === 'object' ? restrictMachine(value as object, keys, recipe, path) : value;
      }
      throw new JhError('E_UNDECLARED_INPUT', `recipe "${recipe}" reads machine.${path} without declaring it`, {
        hint: `add "${path}" to machineKeys in the recipe so that a change to it rebuilds the recipe` });
    },
  });
}
