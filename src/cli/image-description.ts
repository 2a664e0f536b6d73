/** The built image a publishing command talks about, described once for sbom, publish and their tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLayout } from '../engine/layout.ts';
import { describeImage, type ImageDescription } from '../publish/describe.ts';
import { buildDirOf, DEFAULT_MACHINE, loadMachine, openProject, packageRoot, type OptionSpec, type Values } from './common.ts';

export const imageOptions: Record<string, OptionSpec> = {
  machine: { type: 'string', short: 'm', description: `machine name (default ${DEFAULT_MACHINE})`, placeholder: 'NAME' },
  image: { type: 'string', description: 'image recipe whose deploy folder is meant (default image)', placeholder: 'NAME' },
  'accept-license': { type: 'string', multiple: true, description: 'licences accepted for the build (recorded in the provenance)', placeholder: 'NAME' },
};

export function jhbuildVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

export async function describeBuiltImage(values: Values): Promise<{ description: ImageDescription; acceptedLicenses: readonly string[]; deploy: string }> {
  const project = await openProject(values);
  const machine = await loadMachine(project, values);
  const layout = buildLayout(buildDirOf(project, values), machine.name);
  const image = typeof values.image === 'string' ? values.image : 'image';
  const description = await describeImage(project, layout, image, jhbuildVersion());
  return { description, acceptedLicenses: machine.licensesAccepted ?? [], deploy: layout.deploy };
}
