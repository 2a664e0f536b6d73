/** Recipes as written (RecipeInput) and as resolved through the layers (Recipe). */
import type { Dependency, DependencyCondition, FileRef, Json, Source, Step } from './types.ts';
import type { Machine } from '../machine/types.ts';
import type { BuildKeyName } from './build-keys.ts';

export interface ExecOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string | Uint8Array;
  /** Each stdout line, as it comes (stdout then goes to the log only). */
  readonly onLine?: (line: string) => void;
}

export interface DepOutputs {
  /** The dependency's installed staging tree (its install output). */
  readonly dest: string;
  /** Its deploy output (images, kernels, cells). */
  readonly deploy: string;
  /** Its work build folder (e.g. a kernel's O= tree, used as KDIR). */
  readonly build: string;
  /** Its unpacked, patched source tree. */
  readonly src: string;
  readonly version: string;
  /**
   * The signatures this task is signed with for dest and deploy (under hash equivalence, the first
   * signature that gave those bytes): what a manifest names, consistent with the task's own key.
   */
  readonly signatures: { readonly install: string; readonly deploy: string };
  /** sha256 over dest's or deploy's tree (paths, modes, contents): ids derived from it follow the bytes, not a build folder's history. */
  outputHash(step: 'install' | 'deploy'): string;
}

export interface TaskContext {
  readonly recipe: Recipe;
  readonly step: Step;
  /** The machine; reading a value the recipe did not declare in machineKeys throws. */
  readonly machine: Machine;
  readonly dirs: {
    /** Folder of the file that defined the recipe. */
    readonly recipe: string;
    readonly work: string;
    readonly src: string;
    readonly build: string;
    /** Staging install tree (written by install, read by later steps and dependents). */
    readonly dest: string;
    /** Deploy output (written by deploy). */
    readonly deploy: string;
    readonly downloads: string;
  };
  /** Outputs of the recipes this one depends on, by name. */
  readonly deps: Readonly<Record<string, DepOutputs>>;
  /** Where sources may come from: a recipe that downloads more itself (Buildroot) honours the same. */
  readonly fetchOptions: { readonly mirrors: readonly string[]; readonly offline: boolean };
  /** The downloaded source: tarball path or git mirror; undefined for local/none. */
  readonly download: string | undefined;
  /** This task's share of the job budget: pass it to make -j. */
  readonly jobs: number;
  readonly vars: Readonly<Record<string, Json>>;
  readonly signal: AbortSignal;
  exec(file: string, args: readonly string[], options?: ExecOptions): Promise<string>;
  /** Renders a declared template (resolved through the layers) with strict handlebars. */
  render(template: string, data: unknown): string;
  /** Path of a declared input file (files/... or a patch). */
  file(name: string): string;
  /** The public key (an authorized_keys line) of a declared build key pair; the private half is not for recipes. */
  buildPublicKey(name: BuildKeyName): string;
  log(message: string): void;
  /** What a long step is doing now (e.g. the package Buildroot builds), shown live beside the task. */
  progress(message: string): void;
  /** The default fetch, unpack and patch steps, callable from a recipe's own steps. */
  fetchSource(): Promise<void>;
  unpackSource(): Promise<void>;
  applyPatches(): Promise<void>;
}

export type TaskFn = (ctx: TaskContext) => Promise<void> | void;

/** A build-system kind (like Buildroot's generic/kconfig packages): default steps plus their inputs. */
export interface Kind {
  readonly name: string;
  readonly tasks: Partial<Record<Step, TaskFn>>;
  readonly machineKeys?: readonly string[];
  /** Dotted machine paths whose values name files of the recipe (e.g. "kernel.fragments"): hashed per machine. */
  readonly machineFiles?: readonly string[];
  readonly tools?: readonly string[];
  readonly vars?: Readonly<Record<string, Json>>;
}

export interface DependencyInput {
  readonly recipe: string;
  /** The dependency's step that must be done (default install). */
  readonly task?: Step;
  /** Our step that needs it (default configure). */
  readonly for?: Step;
  /** Only for machines whose keys hold one of the listed values, e.g. { boot: ['rpi-firmware'] }. */
  readonly when?: DependencyCondition;
}

/** The recipe as one machine sees it: dependencies conditioned on other machines are dropped. Pure. */
export function recipeForMachine(recipe: Recipe, machine: Readonly<Record<string, unknown>>): Recipe {
  if (!recipe.depends.some((d) => d.when)) return recipe;
  return { ...recipe, depends: recipe.depends.filter((d) => dependencyHolds(d, machine)) };
}

export function dependencyHolds(dep: Dependency, machine: Readonly<Record<string, unknown>>): boolean {
  // A list-valued key (licensesAccepted) holds when any of its entries is listed.
  return Object.entries(dep.when ?? {}).every(([key, values]) => [machine[key]].flat().some((v) => values.includes(String(v))));
}

export interface RecipeInput {
  readonly name: string;
  readonly version: string;
  readonly license?: string;
  readonly summary?: string;
  readonly source?: Source;
  readonly depends?: readonly (string | DependencyInput)[];
  /** Patch files (relative to the recipe's folder), applied in order with `git apply`. */
  readonly patches?: readonly string[];
  /** Other input files (relative to the recipe's folder). */
  readonly files?: readonly string[];
  /** Templates by name under templates/, resolved through the layers. */
  readonly templates?: readonly string[];
  /** Dotted machine paths the steps read, e.g. "arch", "kernel.fragments". */
  readonly machineKeys?: readonly string[];
  /** Dotted machine paths whose values name files beside the recipe: only the machine's own are inputs. */
  readonly machineFiles?: readonly string[];
  /** Host tools whose versions enter the signature. */
  readonly tools?: readonly string[];
  readonly vars?: Readonly<Record<string, Json>>;
  readonly kind?: Kind;
  readonly tasks?: Partial<Record<Step, TaskFn>>;
  readonly provides?: readonly string[];
  /**
   * Key pairs of the build folder whose public halves the recipe puts into what it makes (the
   * Linux guest's authorized_keys): inputs of its configure step, so its signature follows the key.
   */
  readonly buildKeys?: readonly BuildKeyName[];
}

/** What a layer's <name>.append.ts adds to a recipe of a lower layer. */
export interface RecipeAppend {
  readonly name: string;
  readonly patches?: readonly string[];
  readonly files?: readonly string[];
  readonly depends?: readonly (string | DependencyInput)[];
  readonly machineKeys?: readonly string[];
  readonly vars?: Readonly<Record<string, Json>>;
  readonly tasks?: Partial<Record<Step, TaskFn>>;
}

export interface Recipe {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly summary: string;
  readonly source: Source;
  readonly depends: readonly Dependency[];
  readonly patches: readonly FileRef[];
  readonly files: readonly FileRef[];
  readonly templates: readonly string[];
  readonly machineKeys: readonly string[];
  readonly machineFiles: readonly string[];
  readonly tools: readonly string[];
  readonly vars: Readonly<Record<string, Json>>;
  readonly tasks: Partial<Record<Step, TaskFn>>;
  readonly provides: readonly string[];
  readonly buildKeys: readonly BuildKeyName[];
  /** Folder of the defining file (relative paths of `source.local` resolve here). */
  readonly dir: string;
  /** Every file that contributed (recipe, appends), in layer order. */
  readonly codeFiles: readonly string[];
  /** Which file each field came from. */
  readonly origins: Readonly<Record<string, string>>;
}

/** What the engine needs of a loaded project; src/project/ provides it (recipes resolved through the layers). */
export interface ProjectView {
  readonly root: string;
  loadRecipe(name: string): Promise<Recipe>;
  /** Where a template resolves to through the layers. */
  templatePath(name: string): string;
}
