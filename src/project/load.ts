/** Finds the layers, loads recipes and machines (validated at load), resolves overrides by name. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { JhError } from '../errors.ts';
import type { Recipe, RecipeAppend, RecipeInput } from '../engine/recipe.ts';
import type { MachineInput } from '../machine/types.ts';
import type { LayerInput } from '../engine/define.ts';
import { resolveRecipe, validateAppend, validateRecipe } from './recipes.ts';

export interface Layer {
  readonly name: string;
  readonly priority: number;
  readonly dir: string;
}

export interface Project {
  readonly root: string;
  /** Core first, then layers/* by priority. */
  readonly layers: readonly Layer[];
  recipeNames(): string[];
  machineNames(): string[];
  loadRecipe(name: string): Promise<Recipe>;
  /** The machine file that wins, and the lower ones it overrides. */
  machineFiles(name: string): string[];
  loadMachineInput(name: string): Promise<{ input: MachineInput; file: string; overrides: string[] }>;
  /** Absolute path of a template by name (e.g. "initrd/init.hbs"), from the highest layer that has it. */
  templatePath(name: string): string;
  templateOrigins(name: string): string[];
}

export function findProjectRoot(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'recipes')) && existsSync(join(dir, 'machines'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

export async function loadProject(root: string): Promise<Project> {
  const layers: Layer[] = [{ name: 'core', priority: 0, dir: root }];
  const layersDir = join(root, 'layers');
  if (existsSync(layersDir)) {
    for (const entry of readdirSync(layersDir).sort()) {
      const dir = join(layersDir, entry);
      const file = join(dir, 'layer.ts');
      if (!statSync(dir).isDirectory()) continue;
      if (!existsSync(file)) {
        throw new JhError('E_LAYER', `layer folder ${entry} has no layer.ts`, { file: dir,
          hint: 'add layer.ts with export default defineLayer({ name, priority })' });
      }
      const input = await importDefault<LayerInput>(file);
      const name = typeof input?.name === 'string' ? input.name : '';
      if (!name || typeof input.priority !== 'number' || input.priority <= 0) {
        throw new JhError('E_INVALID_FIELD', 'a layer needs a name and a priority above 0 (core is 0)', { file,
          hint: 'export default defineLayer({ name: "my-layer", priority: 10 })' });
      }
      layers.push({ name, priority: input.priority, dir });
    }
  }
  layers.sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));

  const recipeFiles = (name: string, suffix: string) =>
    layers.map((layer) => ({ layer, file: join(layer.dir, 'recipes', name, `${name}.${suffix}`) }))
      .filter(({ file }) => existsSync(file));
  /** Names found in every layer's `sub` folder by `nameOf` (undefined: not one). */
  const names = (sub: string, nameOf: (dir: string, entry: string) => string | undefined) => {
    const found = new Set<string>();
    for (const layer of layers) {
      const dir = join(layer.dir, sub);
      if (!existsSync(dir)) continue;
      for (const entry of readdirSync(dir)) {
        const name = nameOf(dir, entry);
        if (name) found.add(name);
      }
    }
    return [...found].sort();
  };
  const recipeCache = new Map<string, Promise<Recipe>>();
  const templateFiles = (name: string) =>
    layers.map((layer) => join(layer.dir, 'templates', name)).filter((file) => existsSync(file));

  // A machine lives in its own folder, machines/<name>/<name>.machine.ts, beside its board layout and
  // device-tree fragments, or alone as machines/<name>.machine.ts (a layer's override, a small project).
  const machineFiles = (name: string) => layers.flatMap((layer) => {
    const found = [join(layer.dir, 'machines', name, `${name}.machine.ts`), join(layer.dir, 'machines', `${name}.machine.ts`)].filter((f) => existsSync(f));
    if (found.length > 1) {
      throw new JhError('E_MACHINE_TWICE', `machine "${name}" has two files in layer ${layer.name}: ${found.map((f) => relative(root, f)).join(' and ')}`, {
        file: found[0], hint: 'keep one: the folder machines/<name>/ (with its board.ts and fragments) or the single file machines/<name>.machine.ts' });
    }
    return found;
  }).reverse();
  const machineNames = () => names('machines', (dir, entry) =>
    /^(.+)\.machine\.ts$/.exec(entry)?.[1] ?? (existsSync(join(dir, entry, `${entry}.machine.ts`)) ? entry : undefined));
  return {
    root,
    layers,
    recipeNames: () => names('recipes', (dir, entry) => (existsSync(join(dir, entry, `${entry}.recipe.ts`)) ? entry : undefined)),
    machineNames,
    loadRecipe(name) {
      let recipe = recipeCache.get(name);
      if (!recipe) {
        recipe = loadRecipe(name, recipeFiles(name, 'recipe.ts'), recipeFiles(name, 'append.ts'), root);
        recipeCache.set(name, recipe);
      }
      return recipe;
    },
    machineFiles,
    async loadMachineInput(name) {
      const [file, ...overrides] = machineFiles(name);
      if (!file) {
        throw new JhError('E_MACHINE_UNKNOWN', `no machine named "${name}"`, {
          hint: `known machines: ${machineNames().join(', ') || '(none)'}` });
      }
      return { input: await importDefault<MachineInput>(file), file, overrides };
    },
    templatePath(name) {
      const files = templateFiles(name);
      if (files.length === 0) {
        throw new JhError('E_TEMPLATE_MISSING', `no template named "${name}" in any layer`, {
          hint: `add templates/${name} to the core or a layer` });
      }
      return files[files.length - 1]!;
    },
    templateOrigins: (name) => templateFiles(name).map((file) => relative(root, file)),
  };
}

async function loadRecipe(name: string, defs: { layer: Layer; file: string }[],
  appends: { layer: Layer; file: string }[], root: string): Promise<Recipe> {
  if (defs.length === 0) throw new JhError('E_RECIPE_UNKNOWN', `no recipe named "${name}"`, { hint: `add recipes/${name}/${name}.recipe.ts` });
  const inputs: { input: RecipeInput; file: string }[] = [];
  for (const { file } of defs) {
    const input = validateRecipe(await importDefault<unknown>(file), file, name);
    inputs.push({ input, file });
  }
  const appendInputs: { input: RecipeAppend; file: string }[] = [];
  for (const { file } of appends) {
    appendInputs.push({ input: validateAppend(await importDefault<unknown>(file), file, name), file });
  }
  return resolveRecipe(inputs, appendInputs, root);
}

export async function importDefault<T>(file: string): Promise<T> {
  let module: { default?: unknown };
  try {
    module = await import(pathToFileURL(file).href) as { default?: unknown };
  } catch (error) {
    if (error instanceof JhError) throw new JhError(error.code, error.message, { file, hint: error.hint });
    throw new JhError('E_LOAD', `cannot load: ${(error as Error).message}`, { file,
      hint: 'fix the syntax or import error in this file (it must be valid TypeScript without enums or namespaces)' });
  }
  if (module.default === undefined) {
    throw new JhError('E_LOAD', 'the module has no default export', { file, hint: 'export default defineRecipe({...}) / defineMachine({...})' });
  }
  return module.default as T;
}
