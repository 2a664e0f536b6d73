/** A machine of the project, loaded through the layers, validated and resolved (its cells placed). */
import { isAbsolute, join } from 'node:path';
import type { Machine } from '../machine/types.ts';
import type { Project } from './load.ts';

export async function loadMachine(project: Project, name: string, options: { readonly acceptedLicenses?: readonly string[] } = {}): Promise<Machine> {
  const { resolveMachine, validateMachineInput } = await import('../machine/resolve.ts');
  const { input, file } = await project.loadMachineInput(name);
  const validated = validateMachineInput(input, file, name);
  // Licences accepted on the command line count like ones the machine (or a layer) accepts: recipes see one list.
  const accepted = [...new Set([...(validated.licensesAccepted ?? []), ...(options.acceptedLicenses ?? [])])].sort();
  const valid = accepted.length ? { ...validated, licensesAccepted: accepted } : validated;
  if (valid.rootCellFile) {
    const { readSystemCellFile } = await import('../cells/files.ts');
    const path = isAbsolute(valid.rootCellFile) ? valid.rootCellFile : join(file, '..', valid.rootCellFile);
    return resolveMachine(valid, file, readSystemCellFile(path));
  }
  return resolveMachine(valid, file);
}
