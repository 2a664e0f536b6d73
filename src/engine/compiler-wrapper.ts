/**
 * ccache, icecc or distcc in front of every compiler a task calls, the way their Debian packages do
 * it (masquerade): a folder of links named like the compilers, first on PATH, each pointing to the
 * wrapper, which finds the real compiler further down PATH. Nothing of this enters a signature: the
 * compilers and their versions are the same, so results stay shareable with builds that use none.
 */
import { existsSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { JhError } from '../errors.ts';
import { whichSync } from '../exec/which.ts';

export const COMPILER_WRAPPERS = ['ccache', 'icecc', 'distcc'] as const;
export type CompilerWrapper = (typeof COMPILER_WRAPPERS)[number];

export function parseCompilerWrapper(text: string | undefined): CompilerWrapper | undefined {
  if (text === undefined || text === '' || text === 'none') return undefined;
  if (!(COMPILER_WRAPPERS as readonly string[]).includes(text)) {
    throw new JhError('E_USAGE', `--compiler-wrapper ${text}: expected one of ${COMPILER_WRAPPERS.join(', ')}`, { hint: 'e.g. --compiler-wrapper ccache (or JHBUILD_COMPILER_WRAPPER=ccache)' });
  }
  return text as CompilerWrapper;
}

/** The masquerade folder for `wrapper` and the given cross prefix; returns the environment a task runs with. */
export function compilerWrapperEnv(wrapper: CompilerWrapper, buildDir: string, crossCompile: string): Record<string, string> {
  const program = whichSync(wrapper);
  if (!program) throw new JhError('E_TOOL_MISSING', `--compiler-wrapper ${wrapper}: ${wrapper} is not installed`, { hint: `apt-get install --no-install-recommends ${wrapper}` });
  const dir = join(buildDir, 'compiler-wrapper', wrapper);
  mkdirSync(dir, { recursive: true });
  const names = ['cc', 'gcc', 'c++', 'g++', ...(crossCompile ? [`${crossCompile}gcc`, `${crossCompile}g++`] : [])];
  for (const name of names) {
    const link = join(dir, name);
    if (existsSync(link) && readlinkSync(link) === program) continue;
    rmSync(link, { force: true });
    symlinkSync(program, link);
  }
  const env: Record<string, string> = { PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}` };
  // Builds of the same sources in other folders (another build dir, another runner) hit the same entries.
  if (wrapper === 'ccache' && !process.env.CCACHE_BASEDIR) env.CCACHE_BASEDIR = buildDir;
  return env;
}
