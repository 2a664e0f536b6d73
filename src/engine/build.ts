/** Plans and runs a build: load recipes, graph, signatures, decide, run with a task context. */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { planGraph, type TaskGraph } from './graph.ts';
import { acquireBuildLock } from './lock.ts';
import { buildLayout, type BuildLayout } from './layout.ts';
import { recipeForMachine, type DepOutputs, type ProjectView, type Recipe, type TaskContext } from './recipe.ts';
import { ARTIFACT_STEPS, decideRuns, dropBadEntries, entryOut, readWorkState, runBuild, type BuildEvent, type BuildSummary, type PlannedTask } from './run.ts';
import { checkEntry } from './entry-check.ts';
import { signManifest } from './hash.ts';
import { buildKeyFiles } from './build-keys.ts';
import { EquivalenceStore, entryOutputHash } from './cache/equivalence.ts';
import { taskKey, type Step } from './types.ts';
import type { Machine } from '../machine/types.ts';
import { depSignature, localTreeOf, machineSelectedFiles, signGraph, stepFunction, type Signatures } from './inputs.ts';
import { restrictMachine } from './machine-view.ts';
import { ToolVersions } from './tools.ts';
import { downloadOf, downloadPresent } from '../fetch/download.ts';
import { applyDeployLinks, toolStamp, type CachedPlan } from './plan-cache.ts';
import type { SourceEnv } from './source.ts';
import { planRemote } from './cache/plan.ts';
import { compilerWrapperEnv, type CompilerWrapper } from './compiler-wrapper.ts';
import type { RemoteCacheConfig } from './cache/remote.ts';
import type { RemoteSession } from './cache/session.ts';

export interface BuildOptions {
  readonly buildDir: string;
  readonly downloads?: string;
  readonly mirrors: readonly string[];
  readonly offline: boolean;
  readonly srcOverrides: ReadonlyMap<string, string>;
  readonly jobs: number;
  /** A shared cache of task results (--cache). */
  readonly remoteCache?: RemoteCacheConfig;
  /** ccache/icecc/distcc in front of the compilers (--compiler-wrapper); not part of any signature. */
  readonly compilerWrapper?: CompilerWrapper;
}

export interface BuildPlan {
  readonly graph: TaskGraph;
  readonly recipes: ReadonlyMap<string, Recipe>;
  /** Updated during the run when hash equivalence re-signs a task. */
  readonly signatures: Signatures;
  readonly equivalence: EquivalenceStore;
  readonly layout: BuildLayout;
  readonly machine: Machine;
  readonly tasks: readonly PlannedTask[];
}

/** The recipes the targets need, as `machine` sees them (dependencies for other machines left out). */
export async function loadRecipesFor(project: ProjectView, targets: readonly string[], machine: Machine): Promise<Map<string, Recipe>> {
  const recipes = new Map<string, Recipe>();
  // Breadth first, each level's modules loaded concurrently.
  let level = [...new Set(targets)];
  while (level.length > 0) {
    const loaded = (await Promise.all(level.map((name) => project.loadRecipe(name)))).map((r) => recipeForMachine(r, machine as unknown as Record<string, unknown>));
    for (const recipe of loaded) recipes.set(recipe.name, recipe);
    level = [...new Set(loaded.flatMap((r) => r.depends.map((d) => d.recipe)))].filter((n) => !recipes.has(n));
  }
  return recipes;
}

export async function planBuild(project: ProjectView, machine: Machine, targets: readonly string[], options: BuildOptions,
  lastStep: Step = 'deploy'): Promise<BuildPlan> {
  const recipes = await loadRecipesFor(project, targets, machine);
  for (const name of options.srcOverrides.keys()) {
    if (!recipes.has(name)) await project.loadRecipe(name); // an unknown --src name is an error
  }
  const graph = planGraph(recipes, targets, lastStep);
  const layout = buildLayout(options.buildDir, machine.name, options.downloads);
  const equivalence = new EquivalenceStore(join(options.buildDir, 'hash-equivalence'));
  const signatures = signGraph({
    graph, recipes, machine, project, srcOverrides: options.srcOverrides,
    tools: new ToolVersions(join(options.buildDir, 'tool-versions.json')),
    buildDir: options.buildDir, unihash: (signature) => equivalence.unihash(signature),
  });
  const outputPresent = (task: PlannedTask) => {
    if (task.node.id.step !== 'fetch') return true;
    const recipe = recipes.get(task.node.id.recipe)!;
    // A download replaced since its fetch (size, mtime, ctime, inode; then sha256) is fetched again.
    return downloadPresent(recipe, layout.downloads, localTreeOf(recipe, options.srcOverrides));
  };
  return { graph, recipes, signatures, equivalence, layout, machine, tasks: decideRuns(graph, signatures, layout, outputPresent) };
}

/** What the no-op fast path must re-check to trust this plan again (see plan-cache.ts). */
export function cachedPlanOf(plan: BuildPlan, options: BuildOptions, files: readonly [string, string][], extraFiles: readonly [string, string][]): CachedPlan {
  const recipes = [...plan.recipes.values()];
  const trees = recipes.flatMap((r) => {
    const tree = localTreeOf(r, options.srcOverrides);
    const source = plan.signatures.get(taskKey({ recipe: r.name, step: 'fetch' }))?.manifest.source;
    return tree && source?.startsWith('tree:') ? [[tree, source.slice(5)] as [string, string]] : [];
  });
  const tools = [...new Set(recipes.flatMap((r) => [...r.tools, ...(r.machineKeys.includes('crossCompile') ? [`${plan.machine.crossCompile}gcc`] : [])]))].sort();
  const downloads = recipes.flatMap((r) => downloadOf(r, plan.layout.downloads, localTreeOf(r, options.srcOverrides)) ?? []);
  return {
    files, extraFiles, trees, tools: tools.map((t) => [t, toolStamp(t)]), downloads,
    // Tasks left out as unneeded have no entry; the no-op check asks only for those that do.
    tasks: plan.tasks.map((t) => ({ key: t.node.key, signature: plan.signatures.get(t.node.key)!.signature }))
      .filter((t) => existsSync(join(plan.layout.entry(t.signature), 'manifest.json'))),
    deployLinks: deployLinks(plan),
  };
}

export async function runPlan(plan: BuildPlan, project: ProjectView, options: BuildOptions, emit: (e: BuildEvent) => void,
  signal: AbortSignal, command: string): Promise<BuildSummary> {
  const lock = acquireBuildLock(options.buildDir, command);
  const groups = join(options.buildDir, 'lock.children');
  try {
    const { killRecordedProcessGroups, recordProcessGroupsIn, runProcess } = await import('../exec/index.ts');
    // Only a holder that died (kill -9) can have left children running; their ids are stale otherwise.
    if (lock.tookOverFromDeadHolder) killRecordedProcessGroups(groups);
    writeFileSync(groups, '');
    recordProcessGroupsIn(groups);
    const { renderTemplateFile } = await import('../render/index.ts');
    const { applyRecipePatches, fetchRecipeSource, unpackRecipeSource } = await import('./source.ts');
    const { layout, recipes, signatures } = plan;
    const sigOf = (recipe: string, step: Step) => signatures.get(taskKey({ recipe, step }))?.signature;
    const outputsOf = (name: string): DepOutputs => {
      const install = sigOf(name, 'install');
      const deploy = sigOf(name, 'deploy');
      return {
        dest: install ? entryOut(layout, install) : join(layout.work(name), 'dest-not-built'),
        deploy: deploy ? entryOut(layout, deploy) : join(layout.work(name), 'deploy-not-built'),
        build: join(layout.work(name), 'build'),
        src: join(layout.work(name), 'src'),
        version: recipes.get(name)!.version,
        signatures: { install: install ? plan.equivalence.unihash(install) : '', deploy: deploy ? plan.equivalence.unihash(deploy) : '' },
        outputHash: (step) => {
          const signature = step === 'install' ? install : deploy;
          return signature ? entryOutputHash(layout.entry(signature), signature) : '';
        },
      };
    };
    const wrapperEnv = options.compilerWrapper ? compilerWrapperEnv(options.compilerWrapper, options.buildDir, plan.machine.crossCompile) : {};
    dropBadEntries(plan.tasks, layout, emit);
    const session = await openRemoteSession(options, layout, emit);
    // Without a remote, the same pass leaves out tasks whose results nothing needs (e.g. a compile behind a cached install).
    const tasks = session ? await session.prepare(plan.tasks) : withoutUnneeded(plan.tasks, emit);
    const summary = await runBuild(tasks, layout, {
      emit,
      resolve: (task) => resolveEquivalent(plan, task),
      async stored(task) {
        if (ARTIFACT_STEPS.has(task.node.id.step)) plan.equivalence.record(task.node.key, task.signature, entryOutputHash(layout.entry(task.signature), task.signature));
        await session?.stored(task);
      },
      async runStep(task, io) {
        const recipe = recipes.get(task.node.id.recipe)!;
        const step = task.node.id.step;
        const fn = stepFunction(recipe, step);
        if (!fn) return;
        const work = layout.work(recipe.name);
        const own = outputsOf(recipe.name);
        const dirs = {
          recipe: recipe.dir, work, src: join(work, 'src'), build: join(work, 'build'),
          dest: step === 'install' ? io.out! : own.dest,
          deploy: step === 'deploy' ? io.out! : own.deploy,
          downloads: layout.downloads,
        };
        mkdirSync(dirs.build, { recursive: true });
        const localTree = localTreeOf(recipe, options.srcOverrides);
        const sourceEnv: SourceEnv = {
          recipe, localTree, src: dirs.src, work, log: io.log, signal: io.signal,
          fetch: { downloads: layout.downloads, mirrors: options.mirrors, offline: options.offline },
        };
        const deps: Record<string, DepOutputs> = {};
        for (const dep of recipe.depends) deps[dep.recipe] = outputsOf(dep.recipe);
        const files = new Map([...recipe.files, ...recipe.patches, ...machineSelectedFiles(recipe, plan.machine)].map((f) => [f.name, f.path]));
        const ctx: TaskContext = {
          recipe, step, dirs, deps, jobs: io.jobs, vars: recipe.vars, signal: io.signal,
          machine: restrictMachine(plan.machine, recipe.machineKeys, recipe.name),
          download: downloadOf(recipe, layout.downloads, localTree),
          fetchOptions: { mirrors: options.mirrors, offline: options.offline },
          exec: (file, args, opts = {}) => runProcess(file, args, { cwd: opts.cwd ?? dirs.build, env: { ...wrapperEnv, ...opts.env }, input: opts.input, log: io.log, signal: io.signal, onLine: opts.onLine }),
          render: (template, data) => {
            if (!recipe.templates.includes(template)) {
              throw new Error(`template "${template}" is not declared in the templates of recipe "${recipe.name}"`);
            }
            return renderTemplateFile(project.templatePath(template), data);
          },
          file: (name) => {
            const path = files.get(name);
            if (!path) throw new Error(`"${name}" is not declared in files or patches of recipe "${recipe.name}"`);
            return path;
          },
          buildPublicKey: (name) => {
            if (!recipe.buildKeys.includes(name)) throw new Error(`build key "${name}" is not declared in the buildKeys of recipe "${recipe.name}"`);
            return readFileSync(buildKeyFiles(options.buildDir, name).publicKey, 'utf8').trim();
          },
          log: (message) => appendFileSync(io.log, `${message}\n`),
          progress: io.progress,
          fetchSource: () => fetchRecipeSource(sourceEnv),
          unpackSource: () => unpackRecipeSource(sourceEnv),
          applyPatches: () => applyRecipePatches(sourceEnv),
        };
        await fn(ctx);
      },
    }, { jobs: options.jobs, signal });
    applyDeployLinks(deployLinks(plan));
    return summary;
  } finally {
    writeFileSync(groups, '');
    lock.release();
  }
}

/**
 * Signs a task again with its needs' unihashes, now that they are done: when a need's result was
 * byte-identical to an earlier one, this gives the earlier signature, and its result may be there.
 */
function resolveEquivalent(plan: BuildPlan, task: PlannedTask): { task: PlannedTask; cached: boolean } {
  const deps: Record<string, string> = {};
  for (const need of task.node.needs) deps[need] = depSignature(need, task.node.id.recipe, plan.signatures.get(need)!.signature, (sig) => plan.equivalence.unihash(sig));
  if (task.node.needs.every((need) => task.manifest.deps[need] === deps[need])) return { task, cached: false };
  const manifest = { ...task.manifest, deps };
  const resolved = { ...task, manifest, signature: signManifest(manifest) };
  plan.signatures.set(task.node.key, { manifest, signature: resolved.signature });
  const { recipe, step } = task.node.id;
  const present = checkEntry(plan.layout.entry(resolved.signature), resolved.signature).state === 'ok'
    && (ARTIFACT_STEPS.has(step) || readWorkState(plan.layout, recipe)[step] === resolved.signature);
  return { task: resolved, cached: present };
}

async function openRemoteSession(options: BuildOptions, layout: BuildLayout, emit: (e: BuildEvent) => void): Promise<RemoteSession | undefined> {
  if (!options.remoteCache) return undefined;
  const { openBackend } = await import('./cache/remote.ts');
  const { EntryStore } = await import('./cache/entries.ts');
  const { RemoteSession } = await import('./cache/session.ts');
  const backend = await openBackend(options.remoteCache.url);
  return new RemoteSession(new EntryStore(backend, layout), options.remoteCache.mode, backend.where, emit);
}

function withoutUnneeded(tasks: readonly PlannedTask[], emit: (e: BuildEvent) => void): PlannedTask[] {
  const skip = new Set(planRemote(tasks, new Set()).skip);
  for (const key of skip) emit({ event: 'task:done', task: key, cached: true, ms: 0, from: 'unneeded' });
  return tasks.filter((t) => !skip.has(t.node.key));
}

/** deploy/<machine>/<recipe> -> the recipe's deploy output in the cache, for recipes that deploy files. */
export function deployLinks(plan: BuildPlan): [string, string][] {
  const links: [string, string][] = [];
  for (const node of plan.graph.order) {
    if (node.id.step !== 'deploy') continue;
    const out = entryOut(plan.layout, plan.signatures.get(node.key)!.signature);
    if (!existsSync(out) || readdirSync(out).length === 0) continue;
    links.push([join(plan.layout.deploy, node.id.recipe), relative(plan.layout.deploy, out)]);
  }
  return links;
}

