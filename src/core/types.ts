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

/** A file of a Debian source package, fetched through the host's own apt configuration. */
export interface DebianOrigin {
  /** Source package name, e.g. "linux". */
  readonly package: string;
  /** The version whose file is pinned; when the archive has moved on, any version shipping the same file (by sha256) will do. */
  readonly version: string;
  /** The file wanted, e.g. "linux_6.1.170.orig.tar.xz". */
  readonly file: string;
  /** `package` is a binary package and `file` its .deb (firmware that has no buildable source). */
  readonly binary?: boolean;
  /**
   * An archive component the host may not list (e.g. non-free-firmware): looked up on the host's
   * own archives and suites through a private apt state, never by changing the host's apt.
   */
  readonly component?: string;
}

export type Source =
  /** A file pinned by sha256, from its upstream url and/or a Debian source package (tried after the mirrors). */
  | { readonly type: 'tarball'; readonly url?: string; readonly sha256: string; readonly filename: string; readonly debian?: DebianOrigin }
  | { readonly type: 'git'; readonly url: string; readonly rev: string }
  | { readonly type: 'local'; readonly path: string }
  | { readonly type: 'none' };

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
