/** Options shared by the commands, and the CLI's side of every build command: argv -> the library's build -> UI and exit code. */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JhError } from '../errors.ts';
import { findProjectRoot, loadProject, type Project } from '../project/load.ts';
import type { BuildOptions } from '../engine/build.ts';
import type { RemoteCacheConfig } from '../engine/cache/remote.ts';
import { parseCompilerWrapper } from '../engine/compiler-wrapper.ts';
import type { BuildLayout } from '../engine/layout.ts';
import type { Machine } from '../machine/types.ts';
import { chooseUiMode, createUi, reportFailures } from '../ui/index.ts';
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
  const { loadMachine: load } = await import('../project/machine.ts');
  return load(project, typeof values.machine === 'string' ? values.machine : DEFAULT_MACHINE,
    { acceptedLicenses: (values['accept-license'] as string[] | undefined) ?? [] });
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

/** The CLI's side of a build: options from argv, the UI, the exit code; the build itself is the library's. */
export async function buildTargets(targets: string[], values: Values, signal: AbortSignal, command: string,
  lastStep: Step = 'deploy'): Promise<{ code: number; layout: BuildLayout }> {
  const project = await openProject(values);
  const options = parseBuildOptions(project, values);
  const name = typeof values.machine === 'string' ? values.machine : DEFAULT_MACHINE;
  const dryRun = values['dry-run'] === true;
  const json = values.json === true;
  // Events before the plan (a no-op answered from the saved one) go to a line or JSON renderer;
  // the task tree of a TTY is drawn once the plan is known.
  const first = await createUi(json ? 'json' : 'lines', []);
  let ui = first;
  const { build } = await import('../engine/pipeline.ts');
  const result = await build(project, { name, load: () => loadMachine(project, values) }, targets,
    { ...options, lastStep, dryRun, command, acceptedLicenses: (values['accept-license'] as string[] | undefined) ?? [] }, {
      signal,
      emit: (e) => ui.emit(e),
      async planned(tasks) {
        if (dryRun) {
          for (const t of tasks) process.stdout.write(`${t.reason ? 'run   ' : 'cached'} ${t.node.key}${t.reason ? `  (${t.reason})` : ''}\n`);
          return;
        }
        const mode = chooseUiMode(json);
        if (mode === 'tty') ui = await createUi(mode, tasks);
      },
    });
  await ui.close();
  if (ui !== first) await first.close();
  if (result.interrupted) return { code: 130, layout: result.layout };
  if (result.failed > 0) {
    process.stderr.write(`${reportFailures(result.failures)}\n`);
    return { code: 2, layout: result.layout };
  }
  return { code: 0, layout: result.layout };
}
