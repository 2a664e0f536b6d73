import { resolve } from 'node:path';
import { JhError } from '../../errors.ts';
import { findCredentials } from '../../publish/oci/credentials.ts';
import { pullArtifact, type PullEvent } from '../../publish/oci/pull.ts';
import { formatReference, parseReference } from '../../publish/oci/reference.ts';
import { RegistryClient } from '../../publish/oci/registry.ts';
import type { Command } from '../common.ts';

const command: Command = {
  summary: 'fetch a published image back into a folder, verifying every digest',
  usage: 'pull [--plain-http] [--referrers] REGISTRY/REPOSITORY[:TAG|@DIGEST] DIR',
  options: {
    'plain-http': { type: 'boolean', description: 'speak HTTP, not HTTPS, to a registry off loopback' },
    referrers: { type: 'boolean', description: 'also fetch the SBOM and provenance into DIR/.referrers' },
  },
  async run(args, values) {
    if (args.length !== 2) throw new JhError('E_USAGE', 'pull takes a reference and a folder', { hint: 'e.g. jhbuild pull registry.example:5000/team/jailhouse:qemu-arm64 ./qemu-arm64' });
    const ref = parseReference(args[0]!);
    const dir = resolve(args[1]!);
    const client = new RegistryClient(ref, { credentials: await findCredentials(ref.registry), plainHttp: values['plain-http'] === true, actions: 'pull' });
    const out = (line: string) => process.stdout.write(`${line}\n`);
    const emit = (e: PullEvent) => {
      if (values.json) out(JSON.stringify(e));
      else if (e.event === 'pull:file') out(`  ${e.path}  ${e.digest.slice(0, 19)}  verified`);
      else out(`  referrer ${e.artifactType} ${e.digest.slice(0, 19)}${e.path ? ` -> ${e.path}` : ''}`);
    };
    const { digest, annotations } = await pullArtifact(client, dir, { referrers: values.referrers === true }, emit);
    if (values.json) out(JSON.stringify({ event: 'pull:done', reference: formatReference(ref), digest, dir }));
    else out(`pulled ${formatReference(ref)} (${digest}) into ${dir}: ${annotations['org.opencontainers.image.title'] ?? ''}`);
    return 0;
  },
};
export default command;
