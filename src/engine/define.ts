/** Identity helpers that give recipes, machines and layers their types (like Vite's defineConfig). */
import type { Kind, RecipeAppend, RecipeInput } from './recipe.ts';
import type { DebianOrigin, Source } from './types.ts';
import type { MachineInput } from '../machine/types.ts';

export interface LayerInput {
  readonly name: string;
  /** Higher priority layers come later and override lower ones. Core is 0. */
  readonly priority: number;
  readonly summary?: string;
}

export const defineRecipe = (recipe: RecipeInput): RecipeInput => recipe;
export const defineRecipeAppend = (append: RecipeAppend): RecipeAppend => append;
export const defineMachine = (machine: MachineInput): MachineInput => machine;
export const defineLayer = (layer: LayerInput): LayerInput => layer;
export const defineKind = (kind: Kind): Kind => kind;

/** An upstream file pinned by sha256; `debian` names the Debian source package that ships the same bytes (a fallback). */
export function tarball(options: { url: string; sha256: string; filename?: string; debian?: DebianOrigin }): Source {
  const filename = options.filename ?? decodeURIComponent(new URL(options.url).pathname.split('/').pop() ?? '');
  return { type: 'tarball', url: options.url, sha256: options.sha256.toLowerCase(), filename, ...(options.debian ? { debian: options.debian } : {}) };
}

/** A file of a Debian source package (e.g. its .orig tarball), pinned by sha256, fetched through the host's apt sources. */
export function debian(options: DebianOrigin & { sha256: string }): Source {
  const { sha256, ...origin } = options;
  return { type: 'tarball', sha256: sha256.toLowerCase(), filename: origin.file, debian: origin };
}

export function git(options: { url: string; rev: string }): Source {
  return { type: 'git', url: options.url, rev: options.rev };
}

/** A tree inside the project, relative to the recipe's folder. */
export function local(path: string): Source {
  return { type: 'local', path };
}
