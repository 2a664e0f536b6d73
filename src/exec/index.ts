/** The only place that starts processes: argv arrays, output to the task's log, killed on cancel. */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { execa, ExecaError } from 'execa';
import { JhError, redactUrls } from '../errors.ts';
import { debianPackageFor } from './packages.ts';

export interface RunProcessOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string | Uint8Array;
  /** Log file that receives the command line, stdout and stderr. */
  readonly log?: string;
  readonly signal?: AbortSignal;
  /** Called with each stdout line (then stdout is logged, not kept): for long builds that report progress. */
  readonly onLine?: (line: string) => void;
}

/**
 * Each child runs in its own process group; its id is recorded under the build folder so that a
 * later jhbuild that finds a dead holder's lock can kill what the dead one left running.
 */
let groupsFile: string | undefined;
export function recordProcessGroupsIn(file: string | undefined): void {
  groupsFile = file;
}

export function killRecordedProcessGroups(file: string): void {
  let pids: number[] = [];
  try { pids = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number); } catch { return; }
  for (const pid of pids) {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
  }
  writeFileSync(file, '');
}

export async function runProcess(file: string, args: readonly string[], options: RunProcessOptions = {}): Promise<string> {
  if (options.log) {
    mkdirSync(dirname(options.log), { recursive: true });
    appendFileSync(options.log, `${commandLineForLog(file, args)}${options.cwd ? `   (in ${options.cwd})` : ''}\n`);
  }
  if (options.cwd && !existsSync(options.cwd)) throw new Error(`cannot run ${file}: working folder ${options.cwd} does not exist`);
  const sink = options.log ? [{ file: options.log, append: true }] as const : [] as const;
  const onLine = options.onLine;
  const watch = onLine ? [function* (line: unknown) { onLine(String(line)); yield line; }] : [];
  const child = execa(file, args, {
    cwd: options.cwd,
    env: { LC_ALL: 'C', ...options.env },
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    stdout: onLine ? [...watch, ...(sink.length ? sink : ['ignore' as const])] as never : ['pipe', ...sink],
    buffer: !onLine,
    stderr: options.log ? [...sink] : 'pipe',
    detached: true,
    cancelSignal: options.signal,
    forceKillAfterDelay: 2000,
    maxBuffer: 64 * 1024 * 1024,
    stripFinalNewline: false,
  });
  if (child.pid && groupsFile) appendFileSync(groupsFile, `${child.pid}\n`);
  const killGroup = () => { try { if (child.pid) process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
  options.signal?.addEventListener('abort', killGroup, { once: true });
  try {
    const result = await child;
    return String(result.stdout ?? '');
  } catch (error) {
    if (error instanceof ExecaError) {
      if ((error as { code?: string }).code === 'ENOENT') {
        const pkg = debianPackageFor(file);
        throw new JhError('E_TOOL_MISSING', `${file}: command not found`, {
          hint: `${pkg ? `apt-get install ${pkg}, or ` : ''}run \`jhbuild doctor --install\` to install the host tools` });
      }
      const reason = error.isCanceled ? 'was cancelled' : error.exitCode !== undefined ? `exited with ${error.exitCode}` : `failed (${error.signal ?? error.shortMessage})`;
      throw new Error(`${file} ${reason}`);
    }
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', killGroup);
  }
}

/** The `$ file args…` line a log shows: quoted for a shell, URLs without their passwords or tokens. */
export function commandLineForLog(file: string, args: readonly string[]): string {
  return redactUrls(`$ ${[file, ...args].map(quoteForLog).join(' ')}`);
}

function quoteForLog(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
