/** A command on PATH, and a file a build needs (a header, a Python module, firmware). */
import { existsSync } from 'node:fs';
import { whichSync } from '../exec/which.ts';
import { JhError } from '../errors.ts';
import { debianPackageFor, debianPackageForFile } from '../exec/packages.ts';
import type { HostCheck } from './check.ts';

/** The table must know every package doctor may name: an unknown one is jhbuild's defect, said at once. */
function known(pkg: string | undefined, what: string): string {
  if (pkg) return pkg;
  throw new JhError('E_DOCTOR_UNKNOWN_PACKAGE', `jhbuild knows no Debian package that provides ${what}`, {
    exitCode: 1, hint: 'add it to the table in src/exec/packages.ts (dpkg -S or apt-file search tells which package ships it)' });
}

export function commandCheck(name: string): HostCheck {
  const pkg = known(debianPackageFor(name), `the command ${name}`);
  return {
    what: name,
    packages: [pkg],
    probe: async () => (whichSync(name) ? undefined : { problem: `${name}: command not found`, packages: [pkg] }),
  };
}

export function fileCheck(path: string, why: string): HostCheck {
  const pkg = known(debianPackageForFile(path), path);
  return {
    what: `${path} (${why})`,
    packages: [pkg],
    probe: async () => (existsSync(path) ? undefined : { problem: `${path} is missing`, packages: [pkg] }),
  };
}
