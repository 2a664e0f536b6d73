/**
 * doctor's package names against the real archive: every name it can print exists in the host's
 * apt cache (a name like `mmd`, a command rather than a package, once broke a fresh machine), QEMU
 * and its firmware are named in one round, and a failed install shows apt's own words.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRecipesFor } from '../src/engine/build.ts';
import { whichSync } from '../src/exec/which.ts';
import { everyTablePackage } from '../src/exec/packages.ts';
import { hostChecks } from '../src/host/needs.ts';
import { qemuCheck } from '../src/host/qemu.ts';
import { loadProject } from '../src/project/load.ts';
import { runCli, repoRoot } from './helpers/cli.ts';
import { tempDir, write, writeTestMachine } from './helpers/fixture.ts';
import { machine, MACHINES } from './helpers/machines.ts';

function aptCacheMissing(): string | undefined {
  if (!whichSync('apt-cache')) return 'apt-cache is not installed (not a Debian host)';
  const lists = '/var/lib/apt/lists';
  if (!existsSync(lists) || !readdirSync(lists).some((f) => f.endsWith('_Packages') || f.endsWith('_Packages.lz4'))) {
    return 'the host\'s apt cache is empty (run apt-get update)';
  }
  return undefined;
}

/** Names the archive has no package for; virtual packages count as missing, since apt-get install needs a real one. */
function unknownToApt(names: readonly string[]): string[] {
  return names.filter((name) => spawnSync('apt-cache', ['show', '--no-all-versions', name], { stdio: 'ignore' }).status !== 0);
}

const noApt = aptCacheMissing();
if (noApt) console.log(`SKIP doctor package names against the archive: ${noApt}`);

(noApt ? test.skip : test)('every package the table and every machine\'s checks can name exists in the host\'s apt cache', async (t) => {
  const project = await loadProject(repoRoot);
  const named = new Set(everyTablePackage());
  for (const name of project.machineNames()) {
    const m = await machine(name);
    const recipes = [...(await loadRecipesFor(project, ['image'], m)).values()];
    for (const check of hostChecks(m, recipes)) check.packages.forEach((p) => named.add(p));
  }
  t.true(named.has('mtools') && !named.has('mmd'), 'mmd is a command of mtools');
  t.true(named.size > 30, `${named.size} names checked`);
  t.deepEqual(unknownToApt([...named].sort()), []);
});

test('every machine\'s checks can be built: each tool a recipe declares is in the table', async (t) => {
  const project = await loadProject(repoRoot);
  for (const name of MACHINES) {
    const m = await machine(name);
    const recipes = [...(await loadRecipesFor(project, ['image'], m)).values()];
    t.notThrows(() => hostChecks(m, recipes), name);
  }
});

test('QEMU and its UEFI firmware are named in one finding, so one install round fixes both', async (t) => {
  const pc = await machine('pc');
  const noFirmware = { ...pc, qemu: { ...pc.qemu!, binary: 'qemu-system-x86_64', firmware: { code: '/nonexistent/OVMF_CODE_4M.fd', vars: '/nonexistent/OVMF_VARS_4M.fd' } } };
  const path = process.env.PATH;
  process.env.PATH = tempDir();
  t.teardown(() => { process.env.PATH = path; });
  const finding = await qemuCheck(noFirmware).probe({ work: tempDir(), signal: new AbortController().signal });
  process.env.PATH = path;
  t.truthy(finding);
  t.deepEqual([...finding!.packages].sort(), ['ovmf', 'qemu-system-x86']);
  t.regex(finding!.problem, /qemu-system-x86_64: command not found; \/nonexistent\/OVMF_CODE_4M\.fd is missing/);
});

const asRoot = process.getuid?.() === 0;
if (!asRoot) console.log('SKIP doctor --install with apt\'s error: needs root (apt-get install)');
(asRoot && !noApt ? test : test.skip)('doctor --install that apt cannot satisfy shows apt\'s own error lines, no stack trace', async (t) => {
  // A private apt configuration with no sources: apt itself answers "Unable to locate package".
  const apt = tempDir();
  for (const dir of ['lists/partial', 'cache/archives/partial', 'parts', 'prefs']) mkdirSync(join(apt, dir), { recursive: true });
  writeFileSync(join(apt, 'sources.list'), '');
  writeFileSync(join(apt, 'status'), '');
  writeFileSync(join(apt, 'apt.conf'), [
    `Dir::Etc::sourcelist "${apt}/sources.list";`, `Dir::Etc::sourceparts "${apt}/parts";`, `Dir::Etc::preferencesparts "${apt}/prefs";`,
    `Dir::State::Lists "${apt}/lists";`, `Dir::State::status "${apt}/status";`, `Dir::Cache "${apt}/cache";`, ''].join('\n'));
  // A PATH without the fixture's tool (swig), so doctor must install it; node and apt-get stay reachable.
  const bin = tempDir();
  for (const tool of ['apt-get', 'dpkg', 'sh', 'git', 'tar', 'xz', 'bzip2', 'cpio', 'perl', 'dtc']) {
    const found = whichSync(tool);
    if (found) symlinkSync(found, join(bin, tool));
  }
  symlinkSync(process.execPath, join(bin, 'node'));
  const root = tempDir();
  writeTestMachine(root);
  write(root, 'recipes/image/image.recipe.ts', `import { defineRecipe } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)};
export default defineRecipe({ name: 'image', version: '1', license: 'MIT', tools: ['swig'], tasks: {} });
`);
  const result = await runCli(['doctor', '--install', '--project', root, '--machine', 'test'], { env: { APT_CONFIG: join(apt, 'apt.conf'), PATH: bin } });
  t.is(result.code, 2, result.stderr);
  t.regex(result.stdout, /MISSING swig\s+\[test\]\n\s+swig: command not found\n\s+fix: apt-get install swig/);
  t.regex(result.stderr, /error E_DOCTOR_APT: apt-get install failed/);
  t.regex(result.stderr, /apt: E: Unable to locate package swig/);
  t.notRegex(result.stderr, /^\s+at /m, 'no stack trace');
});
