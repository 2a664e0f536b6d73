import { JhError } from '../../errors.ts';
import { findCredentials } from '../../publish/oci/credentials.ts';
import { IN_TOTO_MEDIA_TYPE, provenanceStatement } from '../../publish/provenance.ts';
import { pushImage, type PushEvent } from '../../publish/oci/push.ts';
import { formatReference, parseReference } from '../../publish/oci/reference.ts';
import { RegistryClient, referrersTag } from '../../publish/oci/registry.ts';
import { spdxDocument, SPDX_MEDIA_TYPE } from '../../publish/spdx.ts';
import { describeBuiltImage, imageOptions, jhbuildVersion } from '../image-description.ts';
import type { Command } from '../common.ts';

/** Who built it: the CI job when there is one (for the provenance's builder id). */
function builderId(env: NodeJS.ProcessEnv): string {
  if (env.JHBUILD_BUILDER_ID) return env.JHBUILD_BUILDER_ID;
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) return `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  if (env.CI_JOB_URL) return env.CI_JOB_URL;
  return 'urn:jhbuild:local';
}

function size(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${bytes} B`;
}

const command: Command = {
  summary: "push a machine's built image to an OCI registry as an artifact, with its SBOM and provenance",
  usage: 'publish [--machine M] [--image NAME] [--plain-http] REGISTRY/REPOSITORY[:TAG]',
  options: { ...imageOptions, 'plain-http': { type: 'boolean', description: 'speak HTTP, not HTTPS, to a registry off loopback' } },
  async run(args, values) {
    if (args.length !== 1) throw new JhError('E_USAGE', 'publish takes one reference', { hint: 'e.g. jhbuild publish --machine qemu-arm64 registry.example:5000/team/jailhouse:qemu-arm64' });
    const ref = parseReference(args[0]!);
    if (ref.digest) throw new JhError('E_USAGE', `${args[0]}: publish pushes to a tag, not a digest`, { hint: 'drop the @sha256:… part' });
    const { description, acceptedLicenses } = await describeBuiltImage(values);
    const version = jhbuildVersion();
    const { record, revision } = description;
    const created = new Date(revision.sourceDateEpoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const annotations: Record<string, string> = {
      'org.opencontainers.image.created': created,
      'org.opencontainers.image.version': revision.version,
      'org.opencontainers.image.title': `${record.image} for ${record.machine}`,
      ...(revision.commit ? { 'org.opencontainers.image.revision': revision.commit } : {}),
      'dev.jhbuild.machine': record.machine,
      'dev.jhbuild.image': record.image,
      'dev.jhbuild.signature': record.signature,
      'dev.jhbuild.source-date-epoch': String(revision.sourceDateEpoch),
    };
    const json = (o: unknown) => Buffer.from(`${JSON.stringify(o, null, 2)}\n`);
    const attachments = [
      { artifactType: SPDX_MEDIA_TYPE, mediaType: SPDX_MEDIA_TYPE, name: `${record.image}.spdx.json`, bytes: json(spdxDocument(description, { tool: `jhbuild-${version}` })) },
      { artifactType: IN_TOTO_MEDIA_TYPE, mediaType: IN_TOTO_MEDIA_TYPE, name: `${record.image}.provenance.json`,
        bytes: json(provenanceStatement(description, { jhbuildVersion: version, builderId: builderId(process.env), acceptedLicenses })) },
    ];
    const client = new RegistryClient(ref, { credentials: await findCredentials(ref.registry), plainHttp: values['plain-http'] === true, actions: 'pull,push' });
    const out = (line: string) => process.stdout.write(`${line}\n`);
    if (!values.json) out(`publish ${record.image} for ${record.machine} to ${formatReference(ref)} (${client.base.startsWith('http:') ? 'plain HTTP' : 'HTTPS'})`);
    const emit = (e: PushEvent) => {
      if (values.json) { out(JSON.stringify(e)); return; }
      if (e.event === 'publish:blob') out(`  ${e.uploaded ? 'uploaded' : 'present '}  ${e.path}  ${size(e.size)}  ${e.digest.slice(0, 19)}`);
      if (e.event === 'publish:manifest') out(`  manifest  ${e.artifactType}  ${e.digest}`);
      if (e.event === 'publish:referrers') out(`  referrers of ${e.subject.slice(0, 19)} listed ${e.via === 'api' ? 'by the referrers API' : `under the tag ${referrersTag(e.subject)}`}`);
    };
    const { digest } = await pushImage(client, description, annotations, attachments, emit);
    if (values.json) out(JSON.stringify({ event: 'publish:done', reference: formatReference(ref), digest }));
    else out(`done: ${formatReference({ ...ref, tag: undefined, digest })}\n  fetch it back: jhbuild pull ${formatReference({ ...ref, tag: undefined, digest })} DIR`);
    return 0;
  },
};
export default command;
