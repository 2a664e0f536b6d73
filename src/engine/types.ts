/** The engine's vocabulary: steps, task ids, recipes as the engine sees them. */
export const STEPS = ['fetch', 'unpack', 'patch', 'configure', 'compile', 'install', 'deploy'] as const;
export type Step = (typeof STEPS)[number];
export type TaskKey = `${string}:${Step}`;

export interface TaskId {
  readonly recipe: string;
  readonly step: Step;
}

export function taskKey(id: TaskId): TaskKey {
  return `${id.recipe}:${id.step}`;
}

export function isStep(value: string): value is Step {
  return (STEPS as readonly string[]).includes(value);
}

export function parseTaskKey(text: string): TaskId | undefined {
  const at = text.lastIndexOf(':');
  if (at <= 0) return undefined;
  const step = text.slice(at + 1);
  return isStep(step) ? { recipe: text.slice(0, at), step } : undefined;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type { DebianOrigin, Source } from '../fetch/types.ts';

/** "My step `for` needs `recipe`'s step `task`". */
export interface Dependency {
  readonly recipe: string;
  readonly task: Step;
  readonly for: Step;
  /** Only for machines whose named keys hold one of these values (e.g. { boot: ['rpi-firmware'] }). */
  readonly when?: DependencyCondition;
}

/** Machine key -> the values for which a dependency holds (like Yocto's DEPENDS:append:<machine>). */
export type DependencyCondition = Readonly<Record<string, readonly string[]>>;

/** A file a recipe declares as an input, resolved to where it lives (core or a layer). */
export interface FileRef {
  readonly name: string;
  readonly path: string;
}
