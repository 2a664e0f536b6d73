import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { JhError } from '../../errors.ts';
import { IMAGE_MANIFEST, readImageManifest, type ImageManifest } from '../../image/manifest.ts';
import { buildLayout } from '../../engine/layout.ts';
import { whichSync } from '../../exec/which.ts';
import { debianPackageFor } from '../../exec/packages.ts';
import { checkKvm, chooseAccel, qemuArgv, type Accel, type BootMedia } from '../../qemu/argv.ts';
import { readKvmHost } from '../../qemu/host.ts';
import { runInteractive, runScripted } from '../../qemu/runner.ts';
import { demoCell, demoExpect, SSH_KEY_FW_CFG, sshTarget } from '../../system/demo.ts';
import { ensureBuildKey } from '../../engine/build-keys.ts';
import { buildDirOf, loadMachine, machineOption, openProject, type Command } from '../common.ts';

function regex(text: string, option: string): RegExp {
  try { return new RegExp(text); } catch (error) {
    throw new JhError('E_USAGE', `${option} ${text}: ${(error as Error).message}`, { hint: 'give a JavaScript regular expression' });
  }
}

const command: Command = {
  summary: "boot a machine's image under QEMU (interactive, or scripted with --expect/--fail/--timeout/--demo)",
  usage: 'run qemu [--machine M] [--expect RE]... [--fail RE]... [--timeout S] [--demo [CELL]] [--append ARG]... [--persist] [--accel kvm|tcg] [-- QEMU ARGS]',
  options: {
    ...machineOption,
    expect: { type: 'string', multiple: true, description: 'wait for this console pattern (repeatable, in order)', placeholder: 'RE' },
    fail: { type: 'string', multiple: true, description: 'stop with an error when this pattern appears (repeatable)', placeholder: 'RE' },
    timeout: { type: 'string', description: 'seconds before giving up (scripted runs; default 300)', placeholder: 'S' },
    image: { type: 'string', description: 'image recipe to boot (default image)', placeholder: 'NAME' },
    demo: { type: 'boolean', description: 'enable Jailhouse, start the inmate cells (CELL, e.g. freertos, last), stop them, disable; expect each step' },
    append: { type: 'string', multiple: true, description: 'add this to the kernel command line of a directly booted image (repeatable)', placeholder: 'ARG' },
    accel: { type: 'string', description: 'kvm or tcg for a machine that runs either way (default: KVM where the host gives it)', placeholder: 'A' },
    persist: { type: 'boolean', description: 'boot a disk image from a writable copy in the build folder that keeps its changes across runs (default: changes are dropped)' },
  },
  async run(args, values, signal) {
    const [what, ...rest] = args;
    // `--demo freertos`: a word right after --demo names the demo; QEMU's own arguments start with "-".
    const demoName = values.demo && rest[0] !== undefined && !rest[0].startsWith('-') ? rest[0] : undefined;
    const extra = demoName === undefined ? rest : rest.slice(1);
    if (what !== 'qemu') throw new JhError('E_USAGE', `run ${what ?? ''}: only "run qemu" exists`, { hint: this.usage });
    const project = await openProject(values);
    const machine = await loadMachine(project, values);
    const imageName = typeof values.image === 'string' ? values.image : 'image';
    const image = join(buildLayout(buildDirOf(project, values), machine.name).deploy, imageName);
    if (!existsSync(join(image, IMAGE_MANIFEST))) {
      throw new JhError('E_IMAGE_MISSING', `no image for ${machine.name} in ${image}`, { hint: `build it first: jhbuild image --machine ${machine.name}${imageName === 'image' ? '' : ` --image ${imageName}`}` });
    }
    const manifest = readImageManifest(image);
    const host = readKvmHost();
    checkKvm(machine, host);
    if (values.accel !== undefined && values.accel !== 'kvm' && values.accel !== 'tcg') {
      throw new JhError('E_USAGE', `--accel ${String(values.accel)}: expected kvm or tcg`, { hint: 'e.g. --accel tcg' });
    }
    const accel = chooseAccel(machine, host, values.accel as Accel | undefined);
    const demo = values.demo ? demoCell(machine, demoName) : undefined;
    const runDir = join(buildDirOf(project, values), 'run', machine.name);
    const firmwareVars = machine.qemu?.firmware && privateFirmwareVars(machine.qemu.firmware.vars, runDir);
    const media: BootMedia = manifest.disk ? diskMedia(join(image, manifest.disk), runDir, values.persist === true) : {
      kernel: join(image, machine.kernel.image),
      initrd: join(image, initrdOf(manifest, image)),
      cmdline: [...readFileSync(join(image, 'cmdline.txt'), 'utf8').trim().split(/\s+/), ...(demo ? [`jhbuild.demo=${demo.name}`] : []),
        ...((values.append as string[] | undefined) ?? [])],
    };
    if (manifest.disk && values.append) {
      throw new JhError('E_USAGE', `--append: ${machine.name} boots its disk through its firmware, whose boot loader holds the command line`, { hint: 'edit the cmdline in the machine (rootCmdline) and rebuild' });
    }
    if (manifest.disk && values.demo) {
      throw new JhError('E_USAGE', `--demo boots a kernel with jhbuild.demo=CELL; ${machine.name} boots its disk through its firmware`, { hint: 'boot it and run the demo from its shell (jailhouse enable ...)' });
    }
    // A Buildroot guest is logged into from the root with the build folder's private key, handed in at run time only.
    const keyArgs = demo && sshTarget(machine, demo)
      ? ['-fw_cfg', `name=${SSH_KEY_FW_CFG},file=${ensureBuildKey(buildDirOf(project, values), 'guest-ssh').privateKey}`] : [];
    const argv = qemuArgv(machine, media, [...keyArgs, ...extra], { firmwareVars, accel });
    if (!values.json) process.stderr.write(`jhbuild: ${machine.name} runs with ${accel.why}\n`);
    if (!whichSync(argv[0]!)) {
      throw new JhError('E_TOOL_MISSING', `${argv[0]} is not installed`, { hint: `apt-get install ${debianPackageFor(argv[0]!) ?? argv[0]} (or jhbuild doctor --install)` });
    }
    const expect = [...((values.expect as string[] | undefined) ?? []).map((e) => regex(e, '--expect')), ...(demo ? demoExpect(machine, demo).map((s) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))) : [])];
    const fail = ((values.fail as string[] | undefined) ?? []).map((f) => regex(f, '--fail'));
    if (values.demo) fail.push(/jhbuild-demo: FAILED/);
    const scripted = expect.length > 0 || fail.length > 0 || values.timeout !== undefined;
    if (!scripted) return runInteractive(argv, signal);
    const timeoutSeconds = values.timeout === undefined ? 300 : Number(values.timeout);
    if (!(timeoutSeconds > 0)) throw new JhError('E_USAGE', `--timeout ${String(values.timeout)}: expected seconds > 0`, { hint: 'e.g. --timeout 120' });
    const log = join(buildDirOf(project, values), 'logs', `qemu-${machine.name}.log`);
    process.stderr.write(`$ ${argv.join(' ')}\n`);
    const result = await runScripted(argv, { expect, fail, timeoutSeconds, log, signal, echo: !values.json });
    if (values.json) process.stdout.write(`${JSON.stringify({ ...result, log })}\n`);
    if (result.ok) {
      if (!values.json) process.stderr.write(`\njhbuild: every expectation met (${result.matched.length}); console log ${log}\n`);
      return 0;
    }
    if (!values.json) process.stderr.write(`\njhbuild: ${result.reason}\n  console log: ${log}\n  last lines:\n${result.tail.map((l) => `  | ${l}`).join('\n')}\n`);
    return signal.aborted ? 130 : 2;
  },
};
export default command;

/**
 * The deployed disk is never written. --persist boots a copy kept in the run folder, made again when
 * the image was rebuilt after it (a copy of an older image would boot stale software).
 */
function diskMedia(disk: string, runDir: string, persist: boolean): BootMedia {
  if (!persist) return { disk };
  mkdirSync(runDir, { recursive: true });
  const copy = join(runDir, basename(disk));
  if (!existsSync(copy) || statSync(copy).mtimeMs < statSync(disk).mtimeMs) {
    execFileSync('cp', ['--sparse=always', disk, copy]);
    process.stderr.write(`jhbuild: writable copy of ${basename(disk)} at ${copy} (kept across runs until the image is rebuilt)\n`);
  }
  return { disk: copy, writable: true };
}

/** UEFI variables change as firmware runs: each run starts from a fresh copy of the machine's template. */
function privateFirmwareVars(template: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const copy = join(dir, 'firmware-vars.fd');
  if (existsSync(template)) copyFileSync(template, copy);
  return copy;
}

function initrdOf(manifest: ImageManifest, image: string): string {
  const initrd = manifest.files.find((f) => f.path.endsWith('.cpio.gz'));
  if (!initrd) throw new JhError('E_IMAGE_MANIFEST', 'the image lists no initramfs (*.cpio.gz)', { file: join(image, IMAGE_MANIFEST), hint: 'rebuild it: jhbuild image' });
  return initrd.path;
}
