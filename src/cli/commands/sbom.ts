import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spdxDocument } from '../../publish/spdx.ts';
import { describeBuiltImage, imageOptions, jhbuildVersion } from '../image-description.ts';
import type { Command } from '../common.ts';

const command: Command = {
  summary: "write the SPDX 2.3 SBOM of a machine's built image (sources, licences, files, relations)",
  usage: 'sbom [--machine M] [--image NAME] [--output FILE|-]',
  options: { ...imageOptions, output: { type: 'string', short: 'o', description: 'where to write it (default build/deploy/<machine>/<image>.spdx.json; - for stdout)', placeholder: 'FILE' } },
  async run(_args, values) {
    const { description, deploy } = await describeBuiltImage(values);
    const text = `${JSON.stringify(spdxDocument(description, { tool: `jhbuild-${jhbuildVersion()}` }), null, 2)}\n`;
    if (values.output === '-') { process.stdout.write(text); return 0; }
    const file = typeof values.output === 'string' ? resolve(values.output) : join(deploy, `${description.record.image}.spdx.json`);
    writeFileSync(file, text);
    const r = description.recipes;
    process.stdout.write(`sbom: ${file}\n  ${r.length} sources (${r.map((x) => `${x.name} ${x.license}`).join(', ')})\n  ${description.files.length} files\n`);
    return 0;
  },
};
export default command;
