/** Collects each task's declared inputs into a manifest and signs it, dependencies first. */
import { existsSync, readFileSync } from 'node:fs';
import { JhError } from '../errors.ts';
import { join, relative } from 'node:path';
import { moduleClosure } from './modules.ts';
import type { TaskGraph } from './graph.ts';
import { sha256, signManifest, type InputManifest } from './hash.ts';
import type { ProjectView, Recipe } from './recipe.ts';
import type { FileRef, Step, TaskKey } from './types.ts';
import { pickMachine } from './machine-view.ts';
import type { ToolVersions } from './tools.ts';
import { hashTree, treeCacheFile } from './tree.ts';
import { defaultSteps } from './steps.ts';
import type { Machine } from '../machine/types.ts';
import { ensureBuildKey } from './build-keys.ts';

export interface SignInputs {
  readonly graph: TaskGraph;
  readonly recipes: ReadonlyMap<string, Recipe>;
  readonly machine: Machine;
  readonly project: ProjectView;
  readonly tools: ToolVersions;
  /** --src NAME=PATH */
  readonly srcOverrides: ReadonlyMap<string, string>;
  readonly buildDir: string;
  /** Hash equivalence: the signature dependents see for a dependency's signature (default: itself). */
  readonly unihash?: (signature: string) => string;
}

export type Signatures = Map<TaskKey, { manifest: InputManifest; signature: string }>;

export function localTreeOf(recipe: Recipe, srcOverrides: ReadonlyMap<string, string>): string | undefined {
  const override = srcOverrides.get(recipe.name);
  if (override) return override;
  return recipe.source.type === 'local' ? join(recipe.dir, recipe.source.path) : undefined;
}

/**
 * The signature a task records for one of its needs. Hash equivalence applies only across recipes:
 * a later step of the same recipe reads the recipe's machine values, files and code itself (image
 * deploy writes the cmdline), and only configure hashes those.
 */
export function depSignature(need: string, recipe: string, signature: string, unihash: (signature: string) => string): string {
  return need.startsWith(`${recipe}:`) ? signature : unihash(signature);
}

/** Files of the recipe that the machine selects through its machineFiles keys (e.g. its kernel fragments). */
export function machineSelectedFiles(recipe: Recipe, machine: Machine): FileRef[] {
  return recipe.machineFiles.flatMap((key) => {
    const value = key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], machine);
    const names = value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
    return names.map((name) => {
      const path = join(recipe.dir, name);
      if (!existsSync(path)) {
        throw new JhError('E_INVALID_FIELD', `${key}: "${name}" is not a file of recipe ${recipe.name} (${path})`, {
          file: machine.file, hint: `add ${name} beside the recipe, or fix the machine's ${key}` });
      }
      return { name, path };
    });
  });
}

export function stepFunction(recipe: Recipe, step: Step) {
  return recipe.tasks[step] ?? defaultSteps[step];
}

export function signGraph(inputs: SignInputs): Signatures {
  const fileHashes = new Map<string, string>();
  const hashFile = (path: string) => {
    let hash = fileHashes.get(path);
    if (hash === undefined) fileHashes.set(path, hash = sha256(readFileSync(path)));
    return hash;
  };
  const imports: Parameters<typeof moduleClosure>[1] = new Map();
  const sourceIds = new Map<string, string>();
  const sourceId = (recipe: Recipe) => {
    let id = sourceIds.get(recipe.name);
    if (id !== undefined) return id;
    const tree = localTreeOf(recipe, inputs.srcOverrides);
    const source = recipe.source;
    if (tree) id = `tree:${hashTree(tree, treeCacheFile(inputs.buildDir, tree))}`;
    else if (source.type === 'tarball') id = `sha256:${source.sha256}`;
    else if (source.type === 'git') id = `git:${source.url}@${source.rev}`;
    else id = 'none';
    sourceIds.set(recipe.name, id);
    return id;
  };

  const signatures: Signatures = new Map();
  for (const node of inputs.graph.order) {
    const recipe = inputs.recipes.get(node.id.recipe)!;
    const step = node.id.step;
    const fn = stepFunction(recipe, step);
    const files: Record<string, string> = {};
    const code: Record<string, string> = { step: fn ? sha256(fn.toString()) : 'none' };
    let machine = null as InputManifest['machine'];
    let vars = null as InputManifest['vars'];
    const tools: Record<string, string> = {};
    let version = '';
    if (step === 'patch') for (const p of recipe.patches) files[p.name] = hashFile(p.path);
    if (step === 'configure') {
      version = recipe.version;
      for (const f of recipe.files) files[f.name] = hashFile(f.path);
      for (const f of machineSelectedFiles(recipe, inputs.machine)) files[f.name] = hashFile(f.path);
      for (const t of recipe.templates) files[`templates/${t}`] = hashFile(inputs.project.templatePath(t));
      for (const key of recipe.buildKeys) files[`build-key/${key}.pub`] = hashFile(ensureBuildKey(inputs.buildDir, key).publicKey);
      recipe.codeFiles.forEach((file, i) => { code[i === 0 ? 'recipe' : `append${i}`] = hashFile(file); });
      for (const file of recipe.codeFiles.flatMap((f) => moduleClosure(f, imports))) {
        if (!recipe.codeFiles.includes(file)) code[`module:${relative(inputs.project.root, file)}`] = hashFile(file);
      }
      machine = pickMachine(inputs.machine, recipe.machineKeys);
      vars = recipe.vars as InputManifest['vars'];
      for (const tool of recipe.tools) tools[tool] = inputs.tools.version(tool);
      // A recipe that reads the cross prefix builds with that compiler.
      if (recipe.machineKeys.includes('crossCompile')) tools.crossgcc = inputs.tools.version(`${inputs.machine.crossCompile}gcc`);
    }
    const deps: Record<string, string> = {};
    const unihash = inputs.unihash ?? ((sig: string) => sig);
    for (const need of node.needs) deps[need] = depSignature(need, recipe.name, signatures.get(need)!.signature, unihash);
    const manifest: InputManifest = {
      task: node.key, version, source: step === 'fetch' ? sourceId(recipe) : '', files, machine, vars, code, tools, deps,
    };
    signatures.set(node.key, { manifest, signature: signManifest(manifest) });
  }
  inputs.tools.save();
  return signatures;
}
