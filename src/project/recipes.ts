/** Validation of recipe modules and their resolution through layers (override, then appends). */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { DependencyInput, Recipe, RecipeAppend, RecipeInput } from '../engine/recipe.ts';
import { isStep, STEPS, type Dependency, type FileRef, type Source } from '../engine/types.ts';
import { Checker } from '../checker.ts';
import { BUILD_KEYS } from '../engine/build-keys.ts';

const RECIPE_KEYS = ['name', 'version', 'license', 'summary', 'source', 'depends', 'patches', 'files',
  'templates', 'machineKeys', 'machineFiles', 'tools', 'vars', 'kind', 'tasks', 'provides', 'buildKeys'] as const;
const APPEND_KEYS = ['name', 'patches', 'files', 'depends', 'machineKeys', 'vars', 'tasks'] as const;
const COMMIT = /^[0-9a-f]{40}$/;
const SHA256 = /^[0-9a-f]{64}$/;

export function validateRecipe(value: unknown, file: string, expectedName: string): RecipeInput {
  const check = new Checker(file);
  const recipe = check.object(value, 'recipe');
  check.known(recipe, '', RECIPE_KEYS);
  const name = check.string(recipe.name, 'name', /^[a-z0-9][a-z0-9._+-]*$/, 'lower-case letters, digits and . _ + -');
  if (name !== expectedName) check.fail('name', `"${name}" differs from its file name "${expectedName}"`, `rename the file or set name: "${expectedName}"`);
  check.string(recipe.version, 'version');
  if (recipe.source !== undefined) validateSource(check, recipe.source);
  validateDepends(check, recipe.depends, 'depends');
  for (const key of ['patches', 'files', 'templates', 'machineKeys', 'machineFiles', 'tools', 'provides'] as const) check.strings(recipe[key], key);
  validateFiles(check, dirname(file), [...check.strings(recipe.patches, 'patches'), ...check.strings(recipe.files, 'files')]);
  for (const key of check.strings(recipe.buildKeys, 'buildKeys')) {
    if (!(BUILD_KEYS as readonly string[]).includes(key)) check.fail('buildKeys', `no build key "${key}"`, `one of: ${BUILD_KEYS.join(', ')}`);
  }
  validateTasks(check, recipe.tasks, 'tasks');
  if (recipe.kind !== undefined) validateTasks(check, check.object(recipe.kind, 'kind').tasks, 'kind.tasks');
  return recipe as unknown as RecipeInput;
}

export function validateAppend(value: unknown, file: string, expectedName: string): RecipeAppend {
  const check = new Checker(file);
  const append = check.object(value, 'append');
  check.known(append, '', APPEND_KEYS);
  if (append.name !== expectedName) check.fail('name', `expected "${expectedName}"`, `set name: "${expectedName}"`);
  validateDepends(check, append.depends, 'depends');
  validateFiles(check, dirname(file), [...check.strings(append.patches, 'patches'), ...check.strings(append.files, 'files')]);
  validateTasks(check, append.tasks, 'tasks');
  return append as unknown as RecipeAppend;
}

function validateSource(check: Checker, value: unknown): void {
  const source = check.object(value, 'source');
  const type = check.oneOf(source.type, 'source.type', ['tarball', 'git', 'local', 'none']);
  if (type === 'tarball') {
    if (source.url === undefined && source.debian === undefined) check.fail('source', 'a tarball needs a url, a debian origin, or both', 'use tarball({ url, sha256 }) or debian({ package, version, file, sha256 })');
    if (source.url !== undefined) check.string(source.url, 'source.url');
    if (source.debian !== undefined) {
      const origin = check.object(source.debian, 'source.debian');
      check.known(origin, 'source.debian', ['package', 'version', 'file', 'binary', 'component']);
      if (origin.binary !== undefined && typeof origin.binary !== 'boolean') check.fail('source.debian.binary', 'expected true or false', 'binary: true when file is the .deb of a binary package');
      if (origin.component !== undefined) check.string(origin.component, 'source.debian.component');
      check.string(origin.package, 'source.debian.package');
      check.string(origin.version, 'source.debian.version');
      check.string(origin.file, 'source.debian.file');
    }
    check.string(source.sha256, 'source.sha256', SHA256, 'the sha256 of the file: 64 hex digits (sha256sum FILE)');
    check.string(source.filename, 'source.filename');
  } else if (type === 'git') {
    check.string(source.url, 'source.url');
    check.string(source.rev, 'source.rev', COMMIT,
      `"${String(source.rev)}" is not a full commit id; branches and tags move. Pin the commit: git ls-remote URL ${String(source.rev)}`);
  } else if (type === 'local') {
    check.string(source.path, 'source.path');
  }
}

function validateDepends(check: Checker, value: unknown, field: string): void {
  check.array(value, field).forEach((item, i) => {
    if (typeof item === 'string') return void check.string(item, `${field}[${i}]`);
    const dep = check.object(item, `${field}[${i}]`);
    check.known(dep, `${field}[${i}]`, ['recipe', 'task', 'for', 'when']);
    if (dep.when !== undefined) {
      for (const [key, values] of Object.entries(check.object(dep.when, `${field}[${i}].when`))) {
        if (check.strings(values, `${field}[${i}].when.${key}`).length === 0) check.fail(`${field}[${i}].when.${key}`, 'an empty list matches no machine', `list the ${key} values this dependency is for`);
      }
    }
    check.string(dep.recipe, `${field}[${i}].recipe`);
    if (dep.task !== undefined) check.oneOf(dep.task, `${field}[${i}].task`, STEPS);
    if (dep.for !== undefined) check.oneOf(dep.for, `${field}[${i}].for`, STEPS);
  });
}

function validateFiles(check: Checker, dir: string, names: string[]): void {
  for (const name of names) {
    if (!existsSync(join(dir, name))) check.fail(name, `file not found next to the recipe (${join(relative(process.cwd(), dir) || '.', name)})`, 'create it or fix the name');
  }
}

function validateTasks(check: Checker, value: unknown, field: string): void {
  if (value === undefined) return;
  const tasks = check.object(value, field);
  for (const [step, fn] of Object.entries(tasks)) {
    if (!isStep(step)) check.fail(`${field}.${step}`, 'not a step', `steps are: ${STEPS.join(', ')}`);
    if (typeof fn !== 'function') check.fail(`${field}.${step}`, 'expected a function', 'write (ctx) => { ... }');
  }
}

function toDependency(dep: string | DependencyInput): Dependency {
  return typeof dep === 'string'
    ? { recipe: dep, task: 'install', for: 'configure' }
    : { recipe: dep.recipe, task: dep.task ?? 'install', for: dep.for ?? 'configure', ...(dep.when ? { when: dep.when } : {}) };
}

/** Later definitions override earlier ones field by field; appends then add to lists. */
export function resolveRecipe(defs: { input: RecipeInput; file: string }[],
  appends: { input: RecipeAppend; file: string }[], root: string): Recipe {
  const origins: Record<string, string> = {};
  const merged: Record<string, unknown> = {};
  const refs = (file: string, names: readonly string[] | undefined): FileRef[] =>
    (names ?? []).map((name) => ({ name, path: join(dirname(file), name) }));
  let patches: FileRef[] = [];
  let files: FileRef[] = [];
  let dir = '';
  for (const { input, file } of defs) {
    const rel = relative(root, file);
    for (const [key, value] of Object.entries(input)) {
      if (value === undefined) continue;
      merged[key] = value;
      origins[key] = rel;
    }
    if (input.patches) patches = refs(file, input.patches);
    if (input.files) files = refs(file, input.files);
    if (input.source || !dir) dir = dirname(file);
  }
  const input = merged as unknown as RecipeInput;
  let depends = (input.depends ?? []).map(toDependency);
  let machineKeys = [...(input.kind?.machineKeys ?? []), ...(input.machineKeys ?? [])];
  let vars = { ...(input.kind?.vars ?? {}), ...(input.vars ?? {}) };
  let tasks = { ...(input.kind?.tasks ?? {}), ...(input.tasks ?? {}) };
  for (const { input: append, file } of appends) {
    const rel = relative(root, file);
    patches = [...patches, ...refs(file, append.patches)];
    files = [...files, ...refs(file, append.files)];
    depends = [...depends, ...(append.depends ?? []).map(toDependency)];
    machineKeys = [...machineKeys, ...(append.machineKeys ?? [])];
    vars = { ...vars, ...(append.vars ?? {}) };
    tasks = { ...tasks, ...(append.tasks ?? {}) };
    for (const key of Object.keys(append)) if (key !== 'name') origins[key] = `${origins[key] ? origins[key] + ' + ' : ''}${rel}`;
  }
  const source: Source = input.source ?? { type: 'none' };
  return {
    name: input.name,
    version: input.version,
    license: input.license ?? 'unknown',
    summary: input.summary ?? '',
    source,
    depends,
    patches,
    files,
    templates: input.templates ?? [],
    machineKeys: [...new Set(machineKeys)].sort(),
    machineFiles: [...new Set([...(input.kind?.machineFiles ?? []), ...(input.machineFiles ?? [])])].sort(),
    tools: [...new Set([...(input.kind?.tools ?? []), ...(input.tools ?? [])])].sort(),
    vars,
    tasks,
    provides: input.provides ?? [],
    buildKeys: input.buildKeys ?? [],
    dir,
    codeFiles: [...defs.map((d) => d.file), ...appends.map((a) => a.file)],
    origins,
  };
}
