import { existsSync } from 'node:fs';
import { whichSync } from '../../build/tools.ts';
import { debianPackageFor } from '../../exec/packages.ts';
import type { Machine } from '../../machine/types.ts';
import { loadMachine, openProject, type Command } from '../common.ts';

export interface HostNeed { readonly what: string; readonly present: () => boolean; readonly apt: string }

const tool = (name: string, apt = debianPackageFor(name) ?? name): HostNeed => ({ what: name, present: () => whichSync(name) !== undefined, apt });

/** What a machine's build and run need on the host, with the Debian package that provides each. */
export function hostNeeds(machine: Machine): HostNeed[] {
  const needs = [
    ...['git', 'make', 'gcc', 'bc', 'flex', 'bison', 'cpio', 'dtc', 'python3', 'tar', 'bzip2', 'xz', 'mke2fs', 'mcopy'].map((name) => tool(name)),
    { what: 'libssl-dev (openssl/ssl.h)', present: () => existsSync('/usr/include/openssl/ssl.h'), apt: 'libssl-dev' },
    tool(`${machine.crossCompile}gcc`, machine.crossPackage),
  ];
  if (machine.qemu) needs.push(tool(machine.qemu.binary));
  return needs;
}

const command: Command = {
  summary: 'check the host tools a machine needs; --install installs the missing ones with apt',
  usage: 'doctor [--machine M | --all] [--install]',
  options: {
    machine: { type: 'string', short: 'm', description: 'machine to check (default qemu-arm64)', placeholder: 'NAME' },
    all: { type: 'boolean', description: 'check every machine' },
    install: { type: 'boolean', description: 'apt-get install what is missing (needs root)' },
  },
  async run(_args, values, signal) {
    const project = await openProject(values);
    const names = values.all ? project.machineNames() : [typeof values.machine === 'string' ? values.machine : 'qemu-arm64'];
    const missing = new Map<string, string>();
    for (const name of names) {
      const machine = await loadMachine(project, { ...values, machine: name });
      for (const need of hostNeeds(machine)) {
        const ok = need.present();
        if (!ok) missing.set(need.apt, need.what);
        if (!values.json) process.stdout.write(`${ok ? 'ok     ' : 'MISSING'} ${need.what.padEnd(32)} ${ok ? '' : `(apt package ${need.apt})`}  [${name}]\n`);
      }
    }
    if (values.json) process.stdout.write(`${JSON.stringify({ missing: [...missing.entries()].map(([apt, what]) => ({ what, apt })) })}\n`);
    if (missing.size === 0) return 0;
    if (!values.install) {
      process.stderr.write(`missing: ${[...missing.keys()].join(' ')}\nrun: jhbuild doctor --install   (or apt-get install ${[...missing.keys()].join(' ')})\n`);
      return 2;
    }
    const { runProcess } = await import('../../exec/index.ts');
    await runProcess('apt-get', ['update'], { signal });
    await runProcess('apt-get', ['install', '-y', '--no-install-recommends', ...missing.keys()], { env: { DEBIAN_FRONTEND: 'noninteractive' }, signal });
    process.stdout.write(`installed: ${[...missing.keys()].join(' ')}\n`);
    return 0;
  },
};
export default command;
