/** Machines in folders of their own (machines/<board>/): found beside flat machine files, and their device-tree fragments count as inputs. */
import test from 'ava';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadProject } from '../src/project/load.ts';
import { resolveMachine, validateMachineInput } from '../src/machine/resolve.ts';
import { readDtsiNodes, readDtsoProperties } from '../src/machine/fragments.ts';
import type { Machine } from '../src/machine/types.ts';
import { pickMachine } from '../src/engine/machine-view.ts';
import { canonicalJson } from '../src/engine/hash.ts';
import { INMATE_DTS_TEMPLATE, inmateDtsData } from '../src/system/guest/inmate-dts.ts';
import { renderTemplateFile } from '../src/render/index.ts';
import { repoRoot, runCli } from './helpers/cli.ts';
import { tempDir, write, writeTestMachine } from './helpers/fixture.ts';
import { machine, MACHINES } from './helpers/machines.ts';
import { copyProject } from './helpers/project-copy.ts';

test('every board of the project lives in machines/<board>/<board>.machine.ts; shared modules are no machines', async (t) => {
  const project = await loadProject(repoRoot);
  t.deepEqual(project.machineNames(), [...MACHINES].sort());
  for (const name of MACHINES) t.deepEqual(project.machineFiles(name).map((f) => relative(repoRoot, f)), [`machines/${name}/${name}.machine.ts`]);
});

test('flat machine files and machine folders both load; a layer overrides by name in either layout', async (t) => {
  const root = tempDir();
  write(root, 'recipes/.keep', '');
  writeTestMachine(root, 'flat');
  writeTestMachine(root, 'room');
  const roomFile = join(root, 'machines/room/room.machine.ts');
  write(root, 'machines/room/room.machine.ts', readFileSync(join(root, 'machines/room.machine.ts'), 'utf8'));
  rmSync(join(root, 'machines/room.machine.ts'));
  write(root, 'layers/site/layer.ts', `import { defineLayer } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)};\nexport default defineLayer({ name: 'site', priority: 10 });\n`);
  write(root, 'layers/site/machines/room.machine.ts', readFileSync(roomFile, 'utf8').replace("'engine test machine'", "'from the layer'"));
  const project = await loadProject(root);
  t.deepEqual(project.machineNames(), ['flat', 'room']);
  t.deepEqual(project.machineFiles('room').map((f) => relative(root, f)), ['layers/site/machines/room.machine.ts', 'machines/room/room.machine.ts']);
  const { input } = await project.loadMachineInput('room');
  t.is(input.summary, 'from the layer');
  const flat = await runCli(['cells', 'check', '--machine', 'flat', '--project', root]);
  t.is(flat.code, 0, flat.stderr);
  const show = await runCli(['show', 'machine', 'room', '--project', root, '--json']);
  t.is(show.code, 0, show.stderr);
  t.like(JSON.parse(show.stdout), { file: 'layers/site/machines/room.machine.ts', overrides: ['machines/room/room.machine.ts'] });

  // Both layouts for one machine in one layer: refused, naming both files.
  write(root, 'machines/flat/flat.machine.ts', readFileSync(join(root, 'machines/flat.machine.ts'), 'utf8'));
  const twice = await runCli(['cells', 'check', '--machine', 'flat', '--project', root]);
  t.is(twice.code, 2);
  t.regex(twice.stderr, /E_MACHINE_TWICE: machine "flat" has two files in layer core: machines\/flat\/flat\.machine\.ts and machines\/flat\.machine\.ts/);
});

test('a .dtsi gives the nodes of its root node; a .dtso the properties it sets by path; anything else is refused with the file', (t) => {
  const dir = tempDir();
  const dtsi = write(dir, 'uart.dtsi', '/* a comment */\n/ {\n\tuart1: serial@1000 {\n\t\treg = <0x0 0x1000 0x0 0x40>;\n\t};\n\n\tclk: clock {\n\t};\n};\n');
  t.is(readDtsiNodes(dtsi), 'uart1: serial@1000 {\n\t\treg = <0x0 0x1000 0x0 0x40>;\n\t};\n\n\tclk: clock {\n\t};');
  const bad = write(dir, 'bad.dtsi', 'uart1: serial@1000 {\n};\n');
  t.throws(() => readDtsiNodes(bad), { message: /bad\.dtsi: expected one root node/ });
  t.throws(() => readDtsiNodes(join(dir, 'missing.dtsi')), { message: /cannot read the device-tree fragment .*missing\.dtsi/ });

  const dtso = write(dir, 'root.dtso', '// why\n/dts-v1/;\n/plugin/;\n\n&{/soc/pcie@1} {\n\tlinux,pci-domain = <0>;\n\tstatus = "ok;ay";\n};\n\n&{/chosen} {\n\tstdout-path = "serial0:115200n8";\n};\n');
  t.deepEqual(readDtsoProperties(dtso), [
    { path: '/soc/pcie@1', name: 'linux,pci-domain', value: '<0>' },
    { path: '/soc/pcie@1', name: 'status', value: '"ok;ay"' },
    { path: '/chosen', name: 'stdout-path', value: '"serial0:115200n8"' },
  ]);
  const node = write(dir, 'node.dtso', '/dts-v1/;\n/plugin/;\n&{/soc} {\n\tchild { x = <1>; };\n};\n');
  t.throws(() => readDtsoProperties(node), { message: /node\.dtso: expected "&\{\/path\} \{ name = value; \};"/ });
  const flag = write(dir, 'flag.dtso', '&{/soc} {\n\tdma-coherent;\n};\n');
  t.throws(() => readDtsoProperties(flag), { message: /flag\.dtso: in &\{\/soc\}: expected "name = value;" at "dma-coherent;"/ });
});

test('a machine\'s fragments are inputs: editing its .dtsi changes the guest tree and what the cells recipe signs, its .dtso the root overlay', async (t) => {
  const copy = copyProject(repoRoot);
  const dtsi = join(copy, 'machines/rpi4/uart1.dtsi');
  writeFileSync(dtsi, readFileSync(dtsi, 'utf8').replace('<500000000>', '<250000000>'));
  // A .dtso beside the machine, read at load, replaces the properties the generated machine derived.
  writeFileSync(join(copy, 'machines/rpi4/root.dtso'), '/dts-v1/;\n/plugin/;\n\n&{/scb/pcie@7d500000} {\n\tlinux,pci-domain = <2>;\n};\n');
  const machineFile = join(copy, 'machines/rpi4/rpi4.machine.ts');
  writeFileSync(machineFile, readFileSync(machineFile, 'utf8')
    .replace("import { cellDefaults, defineMachine, gic, mem } from", "import { cellDefaults, defineMachine, gic, mem, readDtsoProperties } from")
    .replace('  board,\n', "  board,\n  rootDtProperties: readDtsoProperties(new URL('root.dtso', import.meta.url)),\n"));
  const project = await loadProject(copy);
  const { input, file } = await project.loadMachineInput('rpi4');
  const edited = resolveMachine(validateMachineInput(input, file, 'rpi4'), file);
  const original = await machine('rpi4');
  const dts = (m: Machine) => renderTemplateFile(join(repoRoot, 'templates', INMATE_DTS_TEMPLATE), inmateDtsData(m, m.cells.find((c) => c.name === 'linux-demo')!));
  t.regex(dts(original), /clock-frequency = <500000000>;/);
  t.regex(dts(edited), /clock-frequency = <250000000>;/);
  const cells = await project.loadRecipe('cells');
  t.not(canonicalJson(pickMachine(edited, cells.machineKeys)), canonicalJson(pickMachine(original, cells.machineKeys)));
  t.deepEqual(edited.rootDtProperties, [{ path: '/scb/pcie@7d500000', name: 'linux,pci-domain', value: '<2>' }]);
  const overlay = await runCli(['cmdline', '--machine', 'rpi4', '--dtso', '--project', copy]);
  t.is(overlay.code, 0, overlay.stderr);
  t.regex(overlay.stdout, /&\{\/scb\/pcie@7d500000\} \{\n\tlinux,pci-domain = <2>;\n\};/);
  rmSync(copy, { recursive: true, force: true });
});
