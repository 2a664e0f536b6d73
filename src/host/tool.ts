/** A command on PATH, and a header a build compiles against. */
import { existsSync } from 'node:fs';
import { whichSync } from '../build/tools.ts';
import { debianPackageFor } from '../exec/packages.ts';
import type { HostCheck } from './check.ts';

export function commandCheck(name: string, pkg = debianPackageFor(name) ?? name): HostCheck {
  return {
    what: name,
    probe: async () => (whichSync(name) ? undefined : { problem: `${name}: command not found`, packages: [pkg] }),
  };
}

export function fileCheck(path: string, pkg: string, why: string): HostCheck {
  return {
    what: `${path} (${why})`,
    probe: async () => (existsSync(path) ? undefined : { problem: `${path} is missing`, packages: [pkg] }),
  };
}

export function headerCheck(header: string, pkg: string, why: string): HostCheck {
  return fileCheck(`/usr/include/${header}`, pkg, why);
}
