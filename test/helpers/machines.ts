/** Loads the project's real machines, resolved, for tests. */
import { loadProject } from '../../src/project/load.ts';
import { resolveMachine, validateMachineInput } from '../../src/machine/resolve.ts';
import { readSystemCellFile } from '../../src/cells/files.ts';
import type { Machine, MachineInput } from '../../src/machine/types.ts';
import type { SystemConfig } from '../../src/cells/model.ts';
import { join, dirname } from 'node:path';
import { repoRoot } from './cli.ts';

export const MACHINES = ['qemu-arm64', 'qemu-x86', 'qemu-x86-vtd', 'rpi4', 'imx8mm-evk', 'pc'] as const;

export async function machine(name: string): Promise<Machine> {
  const project = await loadProject(repoRoot);
  const { input, file } = await project.loadMachineInput(name);
  const valid = validateMachineInput(input, file, name);
  return resolveMachine(valid, file, valid.rootCellFile ? readSystemCellFile(join(dirname(file), valid.rootCellFile)) : undefined);
}

/** A machine's validated description, to build variants of it (e.g. other cells) in tests. */
export async function machineInput(name: string): Promise<{ input: MachineInput; file: string; rootSystem?: SystemConfig }> {
  const project = await loadProject(repoRoot);
  const { input, file } = await project.loadMachineInput(name);
  const valid = validateMachineInput(input, file, name);
  return { input: valid, file, rootSystem: valid.rootCellFile ? readSystemCellFile(join(dirname(file), valid.rootCellFile)) : undefined };
}
