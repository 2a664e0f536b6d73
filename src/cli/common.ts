/** Options shared by the commands and the steps every build command takes: load -> plan -> run -> report. */
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JhError } from '../errors.ts';
import { findProjectRoot, loadProject, type Project } from '../project/load.ts';
import type { BuildOptions } from '../engine/build.ts';
import type { RemoteCacheConfig } from '../engine/cache/remote.ts';
import { parseCompilerWrapper } from '../engine/compiler-wrapper.ts';
import { applyDeployLinks, planCacheFile, readNoopPlan, snapshotFiles, statKey, writeCachedPlan } from '../engine/plan-cache.ts';
import { treeCacheFile } from '../engine/tree.ts';
import { acquireBuildLock } from '../engine/lock.ts';
import { buildLayout, type BuildLayout } from '../engine/layout.ts';
import type { Machine } from '../machine/types.ts';
import { chooseUiMode, createUi, reportFailures } from '../ui/index.ts';
import type { BuildEvent } from '../engine/run.ts';
import type { Step } from '../engine/types.ts';

export type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string; description: string; placeholder?: string };
export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  run(args: string[], values: Values, signal: AbortSignal): Promise<number>;
}

export const DEFAULT_MACHINE = 'qemu-arm64';

export const globalOptions: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'show help' },
  project: { type: 'string', description: 'project folder (default: found upwards from here)', placeholder: 'DIR' },
  'build-dir': { type: 'string', description: 'build folder (default: <project>/build, or $JHBUILD_BUILD_DIR)', placeholder: 'DIR' },
  json: { type: 'boolean', description: 'machine-readable output (one JSON object per line)' },
};

export const machineOption: Record<string, OptionSpec> = {
  machine: { type: 'string', short: 'm', description: `machine name (default ${DEFAULT_MACHINE})`, placeholder: 'NAME' },
};

export const buildOptions: Record<string, OptionSpec> = {
  ...machineOption,
  jobs: { type: 'string', short: 'j', description: 'parallel jobs (default: number of cores)', placeholder: 'N' },
  mirror: { type: 'string', multiple: true, description: 'folder or URL tried before the network (repeatable)', placeholder: 'DIR|URL' },
  offline: { type: 'boolean', description: 'never touch the network' },
  src: { type: 'string', multiple: true, description: 'build recipe NAME from a local tree (repeatable)', placeholder: 'NAME=PATH' },
  downloads: { type: 'string', description: 'shared downloads folder (default <build-dir>/downloads, or $JHBUILD_DOWNLOADS)', placeholder: 'DIR' },
  'dry-run': { type: 'boolean', description: 'print what would run, run nothing' },
  'accept-license': { type: 'string', multiple: true, description: "accept a vendor licence a recipe needs (imx-firmware: NXP's EULA for the i.MX DDR firmware)", placeholder: 'NAME' },
  cache: { type: 'string', description: 'shared cache of task results: http(s) URL (WebDAV, bazel-remote) or folder (or $JHBUILD_CACHE)', placeholder: 'URL|DIR' },
  'compiler-wrapper': { type: 'string', description: 'ccache, icecc or distcc in front of every compiler; signatures unchanged (or $JHBUILD_COMPILER_WRAPPER)', placeholder: 'NAME' },
  'cache-mode': { type: 'string', description: 'read (default) or readwrite: whether this build shares its results (or $JHBUILD_CACHE_MODE)', placeholder: 'MODE' },
};

export const packageRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export async function openProject(values: Values): Promise<Project> {
  const root = typeof values.project === 'string' ? resolve(values.project)
    : process.env.JHBUILD_PROJECT ? resolve(process.env.JHBUILD_PROJECT)
    : findProjectRoot(process.cwd()) ?? packageRoot;
  if (!existsSync(join(root, 'recipes'))) {
    throw new JhError('E_PROJECT', `${root} is not a jhbuild project (no recipes/ folder)`, { hint: 'run inside a project or pass --project DIR' });
  }
  return loadProject(root);
}

export function buildDirOf(project: Project, values: Values): string {
  const dir = typeof values['build-dir'] === 'string' ? values['build-dir'] : process.env.JHBUILD_BUILD_DIR;
  return dir ? resolve(dir) : join(project.root, 'build');
}

export async function loadMachine(project: Project, values: Values): Promise<Machine> {
  const { resolveMachine, validateMachineInput } = await import('../machine/resolve.ts');
  const name = typeof values.machine === 'string' ? values.machine : DEFAULT_MACHINE;
  const { input, file } = await project.loadMachineInput(name);
  const validated = validateMachineInput(input, file, name);
  // Licences accepted on the command line count like ones the machine (or a layer) accepts: recipes see one list.
  const accepted = [...new Set([...(validated.licensesAccepted ?? []), ...((values['accept-license'] as string[] | undefined) ?? [])])].sort();
  const valid = accepted.length ? { ...validated, licensesAccepted: accepted } : validated;
  if (valid.rootCellFile) {
    const { readSystemCellFile } = await import('../cells/files.ts');
    const path = isAbsolute(valid.rootCellFile) ? valid.rootCellFile : join(file, '..', valid.rootCellFile);
    return resolveMachine(valid, file, readSystemCellFile(path));
  }
  return resolveMachine(valid, file);
}

export function parseBuildOptions(project: Project, values: Values): BuildOptions {
  const jobsText = typeof values.jobs === 'string' ? values.jobs : undefined;
  const jobs = jobsText === undefined ? availableParallelism() : Number(jobsText);
  if (!Number.isInteger(jobs) || jobs < 1) throw new JhError('E_USAGE', `--jobs ${jobsText}: expected a positive whole number`, { hint: 'e.g. --jobs 4' });
  const srcOverrides = new Map<string, string>();
  for (const item of (values.src as string[] | undefined) ?? []) {
    const at = item.indexOf('=');
    if (at <= 0) throw new JhError('E_USAGE', `--src ${item}: expected NAME=PATH`, { hint: 'e.g. --src linux=/usr/src/linux-source-6.1' });
    const path = resolve(item.slice(at + 1));
    if (!existsSync(path) || !statSync(path).isDirectory()) {
      throw new JhError('E_USAGE', `--src ${item}: ${path} is not a folder`, { hint: 'give the path of an unpacked source tree' });
    }
    srcOverrides.set(item.slice(0, at), path);
  }
  const mirrors = ((values.mirror as string[] | undefined) ?? []).map((m) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(m) ? m : resolve(m)));
  const buildDir = buildDirOf(project, values);
  const downloads = typeof values.downloads === 'string' ? resolve(values.downloads)
    : process.env.JHBUILD_DOWNLOADS ? resolve(process.env.JHBUILD_DOWNLOADS) : undefined;
  return { buildDir, downloads, mirrors, offline: values.offline === true, srcOverrides, jobs, remoteCache: remoteCacheOf(values),
    compilerWrapper: parseCompilerWrapper(typeof values['compiler-wrapper'] === 'string' ? values['compiler-wrapper'] : process.env.JHBUILD_COMPILER_WRAPPER) };
}

function remoteCacheOf(values: Values): RemoteCacheConfig | undefined {
  const url = typeof values.cache === 'string' ? values.cache : process.env.JHBUILD_CACHE;
  const mode = typeof values['cache-mode'] === 'string' ? values['cache-mode'] : process.env.JHBUILD_CACHE_MODE ?? 'read';
  if (mode !== 'read' && mode !== 'readwrite') {
    throw new JhError('E_USAGE', `--cache-mode ${mode}: expected read or readwrite`, { hint: 'CI that fills the cache: --cache-mode readwrite; everyone else: read' });
  }
  if (!url) return undefined;
  return { url: /^https?:\/\//.test(url) ? url : resolve(url), mode };
}

/** The folders whose files a plan reads: if none changed, a saved plan still holds. */
function planInputs(project: Project): string[] {
  return [...new Set([...['recipes', 'machines', 'templates', 'layers', 'src', 'package.json'].map((d) => join(project.root, d)), join(packageRoot, 'src')])];
}

/**
 * load -> plan -> run -> report, shared by build, fetch and image. A no-op is answered from the
 * saved plan without loading recipes (plan-cache.ts).
 */
export async function buildTargets(targets: string[], values: Values, signal: AbortSignal, command: string,
  lastStep: Step = 'deploy'): Promise<{ code: number; layout: BuildLayout }> {
  const project = await openProject(values);
  const options = parseBuildOptions(project, values);
  const machineName = typeof values.machine === 'string' ? values.machine : DEFAULT_MACHINE;
  const layout = buildLayout(options.buildDir, machineName, options.downloads);
  const planFile = planCacheFile(layout, { root: project.root, targets: [...targets].sort(), machine: machineName, lastStep,
    licenses: [...((values['accept-license'] as string[] | undefined) ?? [])].sort(),
    src: [...options.srcOverrides.entries()].sort(), downloads: layout.downloads });
  if (!values['dry-run']) {
    const cached = readNoopPlan(planFile, planInputs(project), layout, (tree) => treeCacheFile(options.buildDir, tree));
    if (cached) {
      const tasks = cached.tasks;
      const lock = acquireBuildLock(options.buildDir, command);
      try { applyDeployLinks(cached.deployLinks); } finally { lock.release(); }
      const ui = await createUi(values.json === true ? 'json' : 'lines', []);
      for (const t of tasks) ui.emit({ event: 'task:done', task: t.key, cached: true, ms: 0 });
      ui.emit({ event: 'build:done', ran: 0, cached: tasks.length, failed: 0 });
      await ui.close();
      return { code: 0, layout };
    }
  }
  const { cachedPlanOf, planBuild, runPlan } = await import('../engine/build.ts');
  // What the plan reads, as it is before reading it: an edit during the build invalidates the saved plan.
  const inputsBefore = snapshotFiles(planInputs(project));
  const machine = await loadMachine(project, values);
  const extraFiles: [string, string][] = machine.rootCellFile && isAbsolute(machine.rootCellFile) ? [[machine.rootCellFile, statKey(machine.rootCellFile)]] : [];
  // A system that cannot work is refused before anything is fetched or compiled.
  const { checkMachine } = await import('../system/cells.ts');
  const findings = checkMachine(machine);
  if (findings.length > 0) {
    const { formatFinding } = await import('../cells/check/index.ts');
    throw new JhError('E_CELL_CHECK', `machine ${machine.name}: ${findings.length} cell config problem(s); nothing was built`, {
      file: machine.file, details: findings.map(formatFinding).flatMap((f) => f.split('\n')), hint: 'fix the machine description (jhbuild cells check shows the same)' });
  }
  const plan = await planBuild(project, machine, targets, options, lastStep);
  if (values['dry-run']) {
    for (const t of plan.tasks) process.stdout.write(`${t.reason ? 'run   ' : 'cached'} ${t.node.key}${t.reason ? `  (${t.reason})` : ''}\n`);
    return { code: 0, layout };
  }
  // Offline, every missing source is named at once, before anything runs.
  if (options.offline) await (await import('../engine/offline.ts')).checkOfflineSources(plan, options);

  const events: BuildEvent[] = [];
  const ui = await createUi(chooseUiMode(values.json === true), plan.tasks);
  const summary = await runPlan(plan, project, options, (e) => { if (e.event === 'task:fail') events.push(e); ui.emit(e); }, signal, command);
  await ui.close();
  // Saved after the run: only a complete build's plan can serve a later no-op.
  if (summary.failed === 0 && !signal.aborted) {
    writeCachedPlan(planFile, cachedPlanOf(plan, options, inputsBefore, extraFiles));
  }
  if (signal.aborted) return { code: 130, layout };
  if (summary.failed > 0) {
    process.stderr.write(`${reportFailures(events)}\n`);
    return { code: 2, layout };
  }
  return { code: 0, layout };
}
