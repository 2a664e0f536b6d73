/**
 * `jhbuild machine import NAME --collect FILE.tar`: the collect archive is checked before anything
 * reads it, and with a Jailhouse tree (JHBUILD_JAILHOUSE_SRC) upstream's config create turns the
 * fixtures (collected by the project itself inside its booted qemu-x86 root: with an AMD CPU and
 * QEMU's amd-iommu, so that the collector finds the IVRS table, and with an Intel CPU, Skylake-Client,
 * and intel-iommu for DMAR) into machines that pass `cells check`.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCellFile } from '../src/cells/binary.ts';
import { extractCollect } from '../src/machine/from-collect/archive.ts';
import { repoRoot, runCli } from './helpers/cli.ts';
import { copyProject } from './helpers/project-copy.ts';
import { tempDir } from './helpers/fixture.ts';

const FIXTURE = join(repoRoot, 'test/fixtures/collect/qemu-x86-amd.tar.gz');
const INTEL_FIXTURE = join(repoRoot, 'test/fixtures/collect/qemu-x86-intel.tar.gz');
const jailhouseSrc = process.env.JHBUILD_JAILHOUSE_SRC;
if (!jailhouseSrc) console.log('SKIP machine import against upstream config create: set JHBUILD_JAILHOUSE_SRC to a siemens/jailhouse tree');

/** A tar of `files` (path -> text), with `extra` shell steps in the staging folder first. */
function archive(files: Record<string, string>, extra?: (dir: string) => void): string {
  const dir = tempDir('jh-collect-');
  const stage = join(dir, 'stage');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(stage, path, '..'), { recursive: true });
    writeFileSync(join(stage, path), text);
  }
  extra?.(stage);
  execFileSync('tar', ['-C', stage, '-cf', join(dir, 'c.tar'), '.']);
  return join(dir, 'c.tar');
}
const whole = { 'proc/iomem': '', 'proc/cpuinfo': '', 'proc/cmdline': '', 'proc/ioports': '' };

test('a collect archive is read only when it is one: plain /proc and /sys files, inside its folder, whole', async (t) => {
  const refused = async (file: string, pattern: RegExp) => {
    const error = await t.throwsAsync(extractCollect(file, join(tempDir('jh-x-'), 'root')));
    t.is((error as { code?: string }).code, 'E_COLLECT_ARCHIVE');
    t.regex(error!.message, pattern);
  };
  await refused(archive({ ...whole, 'etc/passwd': 'x' }), /etc\/passwd: not a \/proc or \/sys file/);
  await refused(archive(whole, (stage) => symlinkSync('/etc/shadow', join(stage, 'proc/self'))), /proc\/self: a SymbolicLink, not a file or folder/);
  await refused(archive({ 'proc/iomem': '', 'proc/cpuinfo': '' }), /proc\/cmdline, proc\/ioports missing: the collector did not finish/);
  const notTar = join(tempDir('jh-x-'), 'c.tar');
  writeFileSync(notTar, 'not an archive at all, just text that goes on for a while '.repeat(20));
  await refused(notTar, /not a tar archive/);
  const escaping = join(tempDir('jh-x-'), 'c.tar');
  execFileSync('tar', ['-cf', escaping, '-P', '--transform', 's,^,../,', '-C', repoRoot, 'package.json']);
  await refused(escaping, /a path outside the archive's folder/);
  const root = join(tempDir('jh-x-'), 'root');
  await extractCollect(FIXTURE, root);
  t.regex(readFileSync(join(root, 'proc/cmdline'), 'utf8'), /memmap=82M\$0x3a000000/);
});

test('machine import needs --collect and the Jailhouse tree config create runs from', async (t) => {
  const project = copyProject(repoRoot);
  const noTree = await runCli(['machine', 'import', 'pc2', '--project', project, '--collect', FIXTURE]);
  t.is(noTree.code, 2);
  t.regex(noTree.stderr, /--src jailhouse=PATH is required/);
  const noArchive = await runCli(['machine', 'import', 'pc2', '--project', project, '--src', 'jailhouse=/nonexistent']);
  t.regex(noArchive.stderr, /--collect FILE.tar is required/);
});

(jailhouseSrc ? test : test.skip)('the fixture becomes a machine: upstream\'s root cell, its reservation and console, cells placed by needs, cells check clean', async (t) => {
  const project = copyProject(repoRoot);
  const kept = await runCli(['machine', 'import', 'pc-amdvi', '--project', project, '--collect', FIXTURE, '--src', `jailhouse=${jailhouseSrc}`]);
  t.is(kept.code, 0, kept.stderr);
  const withUnit = decodeCellFile(readFileSync(join(project, 'machines/pc-amdvi/pc-amdvi-root.cell')));
  if (withUnit.kind !== 'system') return t.fail('not a system config');
  t.deepEqual(withUnit.system.platform.iommuUnits.map((u) => [u.type, u.base, u.size]), [[1, 0xfed80000, 0x4000]], 'QEMU\'s amd-iommu, from the IVRS table');
  t.is(withUnit.system.rootCell.cpus.length, 4);

  const imported = await runCli(['machine', 'import', 'qemu-pc', '--project', project, '--collect', FIXTURE, '--src', `jailhouse=${jailhouseSrc}`, '--without-iommu']);
  t.is(imported.code, 0, imported.stderr);
  t.regex(imported.stdout, /dropped 1 IOMMU unit\(s\) at 0xfed80000: DMA of the root's devices is not confined/);
  const machine = readFileSync(join(project, 'machines/qemu-pc/qemu-pc.machine.ts'), 'utf8');
  t.regex(machine, /rootConsole: \['console=ttyS1,115200'\]/);
  t.regex(readFileSync(join(project, 'machines/qemu-pc/board.ts'), 'utf8'), /cellRam: \[\{ base: 0x3a600000, size: 0x4c00000 \}\]/, '--mem-inmates 76M after the 6M hypervisor');
  t.regex(readFileSync(join(project, 'machines/qemu-pc/qemu-pc-root.c'), 'utf8'), /JAILHOUSE_IOMMU_AMD/, 'config create\'s own C beside the .cell');
  const checked = await runCli(['cells', 'check', '--project', project, '--machine', 'qemu-pc']);
  t.regex(checked.stdout, /machine qemu-pc: all checks passed/, checked.stdout + checked.stderr);
  const cmdline = await runCli(['cmdline', '--project', project, '--machine', 'qemu-pc']);
  t.is(cmdline.stdout.trim(), 'memmap=82M$0x3a000000 console=ttyS1,115200');
  const again = await runCli(['machine', 'import', 'qemu-pc', '--project', project, '--collect', FIXTURE, '--src', `jailhouse=${jailhouseSrc}`]);
  t.is(again.code, 2);
  t.regex(again.stderr, /E_MACHINE_EXISTS/, 'an import never overwrites a machine without --force');
});

(jailhouseSrc ? test : test.skip)('an Intel PC: config create reads DMAR, the machine keeps VT-d for the hypervisor and tells the root kernel intel_iommu=off', async (t) => {
  const project = copyProject(repoRoot);
  const imported = await runCli(['machine', 'import', 'pc-intel', '--project', project, '--collect', INTEL_FIXTURE, '--src', `jailhouse=${jailhouseSrc}`]);
  t.is(imported.code, 0, imported.stderr);
  const root = decodeCellFile(readFileSync(join(project, 'machines/pc-intel/pc-intel-root.cell')));
  if (root.kind !== 'system') return t.fail('not a system config');
  t.deepEqual(root.system.platform.iommuUnits.map((u) => u.type), [2], 'one VT-d unit (QEMU\'s intel-iommu)');
  const checked = await runCli(['cells', 'check', '--project', project, '--machine', 'pc-intel']);
  t.regex(checked.stdout, /machine pc-intel: all checks passed/, checked.stdout + checked.stderr);
  const cmdline = await runCli(['cmdline', '--project', project, '--machine', 'pc-intel']);
  t.is(cmdline.stdout.trim(), 'intel_iommu=off memmap=82M$0x3a000000 console=ttyS1,115200');
});
