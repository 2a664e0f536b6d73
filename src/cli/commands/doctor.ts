import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { JhError } from '../../errors.ts';
import type { Finding, HostCheck } from '../../host/check.ts';
import { loadMachine, openProject, type Command } from '../common.ts';

interface Result { readonly machine: string; readonly check: HostCheck; readonly finding: Finding | undefined }

async function probeAll(checks: { machine: string; check: HostCheck }[], signal: AbortSignal): Promise<Result[]> {
  const results: Result[] = [];
  for (const { machine, check } of checks) {
    const work = mkdtempSync(join(tmpdir(), 'jhbuild-doctor-'));
    try {
      results.push({ machine, check, finding: await check.probe({ work, signal }) });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return results;
}

function report(results: readonly Result[], json: boolean, round: string): void {
  for (const { machine, check, finding } of results) {
    if (json) {
      process.stdout.write(`${JSON.stringify({ event: 'doctor:check', round, machine, what: check.what, ok: !finding, problem: finding?.problem, packages: finding?.packages })}\n`);
    } else {
      process.stdout.write(`${finding ? 'MISSING' : 'ok     '} ${check.what}  [${machine}]\n`);
      if (finding) process.stdout.write(`        ${finding.problem}${finding.packages.length ? `\n        fix: apt-get install ${finding.packages.join(' ')}` : ''}\n`);
    }
  }
}

const packagesOf = (results: readonly Result[]) => [...new Set(results.flatMap((r) => r.finding?.packages ?? []))].sort();

const command: Command = {
  summary: 'prove the host can build and run a machine (compile with its toolchains, start its QEMU, resolve its sources); --install fixes it',
  usage: 'doctor [--machine M]... [--all] [--install]',
  options: {
    machine: { type: 'string', short: 'm', multiple: true, description: 'machine to check, repeatable (default qemu-arm64)', placeholder: 'NAME' },
    all: { type: 'boolean', description: 'check every machine' },
    install: { type: 'boolean', description: 'install what is missing with apt (needs root), then check again' },
  },
  async run(_args, values, signal) {
    const project = await openProject(values);
    const { loadRecipesFor } = await import('../../engine/build.ts');
    const { hostChecks } = await import('../../host/needs.ts');
    const asked = (values.machine as string[] | undefined) ?? [];
    const names = values.all ? project.machineNames() : asked.length > 0 ? asked : ['qemu-arm64'];
    const checks: { machine: string; check: HostCheck }[] = [];
    const seen = new Set<string>();
    for (const name of names) {
      const machine = await loadMachine(project, { ...values, machine: name });
      const recipes = [...(await loadRecipesFor(project, ['image'], machine)).values()];
      for (const check of hostChecks(machine, recipes)) {
        if (seen.has(check.what)) continue;
        seen.add(check.what);
        checks.push({ machine: name, check });
      }
    }
    const json = values.json === true;
    let results = await probeAll(checks, signal);
    report(results, json, 'check');
    const failed = results.filter((r) => r.finding);
    if (failed.length === 0) return done(json, results);
    if (!values.install) {
      const packages = packagesOf(failed);
      const installable = failed.some((r) => r.finding!.packages.length > 0 || r.finding!.fix);
      process.stderr.write(`${failed.length} of ${results.length} checks failed.\n${installable
        ? `run: jhbuild doctor --install${packages.length ? `   (or apt-get install --no-install-recommends ${packages.join(' ')})` : ''}\n`
        : 'no package fixes this: see each problem above\n'}`);
      return done(json, results);
    }
    if (process.getuid?.() !== 0) {
      throw new JhError('E_DOCTOR_NOT_ROOT', 'doctor --install runs apt-get and needs root', { hint: `run: sudo ./jhbuild doctor --install ${names.map((n) => `--machine ${n}`).join(' ')}` });
    }
    // A fix can reveal the next need (QEMU found, then its firmware probed): a few rounds, each
    // installing only what the previous one did not.
    const tried = new Set<string>();
    const fixed = new Set<() => Promise<void>>();
    for (let round = 1; round <= INSTALL_ROUNDS; round++) {
      const failing = results.filter((r) => r.finding);
      const packages = packagesOf(failing).filter((p) => !tried.has(p));
      const fixes = [...new Set(failing.flatMap((r) => (r.finding?.fix ? [r.finding.fix] : [])))].filter((f) => !fixed.has(f));
      if (failing.length === 0 || (round > 1 && packages.length === 0 && fixes.length === 0)) break;
      for (const fix of fixes) { await fix(); fixed.add(fix); }
      await aptGet(['update'], signal);
      // Every package named: Recommends are never relied upon.
      if (packages.length > 0) await aptGet(['install', '-y', '--no-install-recommends', ...packages], signal);
      packages.forEach((p) => tried.add(p));
      if (!json) process.stdout.write(`installed: ${packages.join(' ') || '(nothing; apt sources updated)'}\nchecking again:\n`);
      results = await probeAll(checks, signal);
      report(results, json, 'recheck');
    }
    return done(json, results);
  },
};

const INSTALL_ROUNDS = 3;

/** apt-get with its own words kept: a failed install shows apt's error lines, not only its status. */
async function aptGet(args: readonly string[], signal: AbortSignal): Promise<void> {
  const { runProcess } = await import('../../exec/index.ts');
  const log = join(mkdtempSync(join(tmpdir(), 'jhbuild-apt-')), 'apt.log');
  try {
    await runProcess('apt-get', args, { env: { DEBIAN_FRONTEND: 'noninteractive' }, log, signal });
  } catch (error) {
    if (signal.aborted) throw error;
    const text = readFileSync(log, 'utf8');
    const said = text.split('\n').filter((l) => /^(E|W|Err):/.test(l.trim()));
    throw new JhError('E_DOCTOR_APT', `apt-get ${args[0]} failed: ${(error as Error).message}`, {
      details: (said.length > 0 ? said : text.trimEnd().split('\n').slice(-15)).map((l) => `apt: ${l}`),
      hint: args[0] === 'install' ? `the host's apt sources must provide these packages: check /etc/apt/sources.list(.d) and run apt-get ${args.join(' ')} to see apt's whole answer`
        : 'check the host\'s apt sources and its network or proxy settings, then rerun' });
  } finally {
    rmSync(dirname(log), { recursive: true, force: true });
  }
}

function done(json: boolean, results: readonly Result[]): number {
  const failed = results.filter((r) => r.finding);
  if (json) process.stdout.write(`${JSON.stringify({ event: 'doctor:done', ok: failed.length === 0, missing: failed.map((r) => ({ what: r.check.what, problem: r.finding!.problem, packages: r.finding!.packages })) })}\n`);
  else if (failed.length === 0) process.stdout.write(`every check passed (${results.length})\n`);
  return failed.length === 0 ? 0 : 2;
}
export default command;
