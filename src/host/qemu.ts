/**
 * QEMU proven by starting it: the runner's own argv for the machine (without boot media), paused
 * (-S), driven over QMP until it answers, then told to quit. A missing ROM, firmware file or
 * device model makes QEMU exit during machine set-up, before its monitor ever answers.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { isJhError } from '../errors.ts';
import type { Machine } from '../machine/types.ts';
import { checkKvm, chooseAccel, qemuArgv } from '../qemu/argv.ts';
import { readKvmHost } from '../qemu/host.ts';
import { debianPackageFor, qemuDataPackage } from '../exec/packages.ts';
import { whichSync } from '../exec/which.ts';
import { problemLines, type Finding, type HostCheck } from './check.ts';

const READY_TIMEOUT_MS = 60_000;

export function qemuCheck(machine: Machine, extra: readonly string[] = []): HostCheck {
  const host = readKvmHost();
  // The path this host gets (KVM or TCG) is the one proven, and doctor says which it is.
  const accel = machine.qemu?.kvm ? undefined : chooseAccel(machine, host);
  const shown = qemuArgv(machine, undefined, extra, { accel });
  const binary = shown[0]!;
  const binaryPackage = debianPackageFor(binary) ?? binary;
  const firmware = machine.qemu!.firmware;
  return {
    what: `${binary} starts the machine (${shown.slice(1).join(' ')})${accel?.accel === 'tcg' && machine.qemu?.kvmWhenHost ? `; ${accel.why}` : ''}`,
    packages: [...new Set([binaryPackage, ...(firmware ? [qemuDataPackage(firmware.vars), qemuDataPackage(firmware.code)] : []), ...QEMU_DATA_PACKAGES])],
    async probe({ work, signal }) {
      try { checkKvm(machine, host); } catch (error) {
        if (isJhError(error)) return { problem: `${error.message}. ${error.hint ?? ''}`, packages: [] };
        throw error;
      }
      // Everything missing is named at once, so one install round fixes it.
      const missingFirmware = firmware ? [firmware.code, firmware.vars].filter((f) => !existsSync(f)) : [];
      const missing = [...(whichSync(binary) ? [] : [binary]), ...missingFirmware];
      if (missing.length > 0) {
        return { problem: `${missing.map((m) => (m === binary ? `${binary}: command not found` : `${m} is missing`)).join('; ')}`,
          packages: [...new Set([...(whichSync(binary) ? [] : [binaryPackage]), ...missingFirmware.map(qemuDataPackage)])] };
      }
      const firmwareVars = firmware && join(work, 'firmware-vars.fd');
      if (firmware) copyFileSync(firmware.vars, firmwareVars!);
      return startPaused(qemuArgv(machine, undefined, extra, { firmwareVars, accel }), join(work, 'qmp.sock'), signal);
    },
  };
}

/** The packages of the ROMs and firmware QEMU may ask for while it sets up a machine. */
const QEMU_DATA_PACKAGES = ['ipxe-qemu', 'seabios', 'qemu-system-data'];

/** Which package QEMU's own complaint points at. */
export function packagesForQemuError(binary: string, output: string): string[] {
  const rom = /failed to find romfile "([^"]+)"/.exec(output) ?? /Could not open '([^']+\.(?:fd|rom|bin))'/.exec(output)
    ?? /could not load (?:PC )?BIOS '([^']+)'/i.exec(output);
  return [rom ? qemuDataPackage(rom[1]!) : debianPackageFor(binary) ?? binary];
}

function startPaused(argv: readonly string[], socket: string, signal: AbortSignal): Promise<Finding | undefined> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, [...argv.slice(1), '-S', '-qmp', `unix:${socket},server=on,wait=off`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let qmp: Socket | undefined;
    let done = false;
    const finish = (finding: Finding | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(poll);
      qmp?.destroy();
      signal.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      resolve(finding);
    };
    const onAbort = () => finish({ problem: 'interrupted', packages: [] });
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish({ problem: `QEMU did not answer on its monitor within ${READY_TIMEOUT_MS / 1000} s: ${problemLines(output)}`, packages: [] }), READY_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => { output += d; });
    child.stderr.on('data', (d: Buffer) => { output += d; });
    child.on('error', (error) => finish({ problem: error.message, packages: [debianPackageFor(argv[0]!) ?? argv[0]!] }));
    child.on('close', (code) => {
      if (done) return;
      finish({ problem: `QEMU exited with status ${code} while setting up the machine: ${problemLines(output)}`, packages: packagesForQemuError(argv[0]!, output) });
    });
    // QEMU creates the socket early but answers only once the machine is set up: the greeting is the proof.
    const poll = setInterval(() => {
      if (qmp || done) return;
      const s = connect(socket);
      s.once('error', () => { if (qmp === s) qmp = undefined; s.destroy(); });
      qmp = s;
      let buffer = '';
      s.on('data', (d: Buffer) => {
        buffer += d;
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const message = JSON.parse(buffer.slice(0, nl)) as { QMP?: unknown; return?: unknown };
          buffer = buffer.slice(nl + 1);
          if (message.QMP) s.write('{"execute":"qmp_capabilities"}\n');
          else if (message.return !== undefined) { s.write('{"execute":"quit"}\n'); finish(undefined); }
        }
      });
    }, 100);
  });
}
