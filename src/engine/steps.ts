/** The steps every recipe gets unless it defines its own: fetch, unpack and patch its source. */
import type { TaskFn } from './recipe.ts';
import type { Step } from './types.ts';

export const defaultSteps: Partial<Record<Step, TaskFn>> = {
  fetch: (ctx) => ctx.fetchSource(),
  unpack: (ctx) => ctx.unpackSource(),
  patch: (ctx) => ctx.applyPatches(),
};
