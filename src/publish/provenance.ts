/**
 * A SLSA v1 provenance statement (in-toto Statement v1) for an image: its files as subjects, the
 * machine and options as external parameters, every source by digest as resolved dependencies.
 * Self-attested by the machine that publishes (SLSA Build L1). Pure.
 */
import { buildKeysOf, type ImageDescription } from './describe.ts';

export const IN_TOTO_MEDIA_TYPE = 'application/vnd.in-toto+json';
export const BUILD_TYPE = 'urn:jhbuild:build-type:image:v1';

export interface ProvenanceOptions {
  readonly jhbuildVersion: string;
  /** Who ran the build: a CI job URL, or urn:jhbuild:local. */
  readonly builderId: string;
  readonly acceptedLicenses: readonly string[];
  readonly invocationId?: string;
}

function dependencyOf(name: string, version: string, source: string): Record<string, unknown> | undefined {
  if (source.startsWith('sha256:')) return { name, uri: `urn:jhbuild:recipe:${name}@${version}`, digest: { sha256: source.slice(7) } };
  if (source.startsWith('git:')) {
    const at = source.lastIndexOf('@');
    return { name, uri: `git+${source.slice(4, at)}`, digest: { gitCommit: source.slice(at + 1) } };
  }
  if (source.startsWith('tree:')) return { name, uri: `urn:jhbuild:local-tree:${name}`, digest: { sha256: source.slice(5) } };
  return undefined;
}

export function provenanceStatement(d: ImageDescription, options: ProvenanceOptions): Record<string, unknown> {
  const tools: Record<string, string> = {};
  for (const r of d.recipes) Object.assign(tools, r.tools);
  const project = d.revision.commit ? [{ name: 'project', uri: 'urn:jhbuild:project', digest: { gitCommit: d.revision.commit } }] : [];
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: d.files.map((f) => ({ name: f.path, digest: { sha256: f.sha256 } })),
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: BUILD_TYPE,
        externalParameters: {
          machine: d.record.machine, image: d.record.image, acceptedLicenses: [...options.acceptedLicenses],
          localSources: d.recipes.filter((r) => r.source.startsWith('tree:')).map((r) => r.name),
        },
        internalParameters: {
          jhbuild: options.jhbuildVersion, sourceDateEpoch: d.revision.sourceDateEpoch, tools,
          // Public halves only: each private key stays in the build folder, never in the image or a publication.
          buildKeys: buildKeysOf(d.record).map((k) => ({ ...k, privateKey: 'kept in the build folder, not published' })),
        },
        resolvedDependencies: [...project, ...d.recipes.flatMap((r) => dependencyOf(r.name, r.version, r.source) ?? [])],
      },
      runDetails: {
        builder: { id: options.builderId },
        metadata: { invocationId: options.invocationId ?? `urn:jhbuild:task:${d.record.signature}` },
        byproducts: [...d.record.tasks.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([task, t]) => ({ name: task, digest: { sha256: t.signature } })),
      },
    },
  };
}
