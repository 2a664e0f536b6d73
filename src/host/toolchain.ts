/**
 * A C toolchain proven by use: a program that includes <stdio.h> is compiled and linked, static
 * and dynamic, as the recipes do (busybox and the jailhouse tool link statically). A compiler
 * without its C library package fails here, not an hour into a build.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../exec/index.ts';
import { toolchainPackages } from '../exec/packages.ts';
import { problemLines, type HostCheck } from './check.ts';

const PROGRAM = '#include <stdio.h>\nint main(void) { puts("jhbuild"); return 0; }\n';

export function toolchainCheck(prefix: string, purpose: string): HostCheck {
  const packages = toolchainPackages(prefix);
  const gcc = `${prefix}gcc`;
  const install = packages ? [packages.compiler, packages.libc] : [];
  return {
    packages: install,
    what: `${gcc} compiles and links C, static and dynamic (${purpose})`,
    async probe({ work, signal }) {
      writeFileSync(join(work, 'hello.c'), PROGRAM);
      for (const linkage of ['dynamic', 'static'] as const) {
        const log = join(work, `${linkage}.log`);
        try {
          await runProcess(gcc, [...(linkage === 'static' ? ['-static'] : []), '-o', join(work, `hello-${linkage}`), join(work, 'hello.c')], { log, signal });
        } catch (error) {
          return { problem: `${linkage} link failed: ${problemLines(readLog(log)) || (error as Error).message}`, packages: install };
        }
      }
      return undefined;
    },
  };
}

function readLog(path: string): string {
  try { return readFileSync(path, 'utf8'); } catch { return ''; }
}
