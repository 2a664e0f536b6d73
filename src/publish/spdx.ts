/** The SPDX 2.3 JSON document of an image: its sources (recipes), its files, and how they relate. Pure. */
import type { ContainedPackage } from '../image/contained.ts';
import { buildKeysOf, type DescribedRecipe, type ImageDescription } from './describe.ts';
import { spdxExpressionProblem } from './license.ts';

export const SPDX_MEDIA_TYPE = 'application/spdx+json';

function spdxId(kind: string, name: string): string {
  return `SPDXRef-${kind}-${name.replace(/[^A-Za-z0-9.-]/g, '-')}`;
}

function downloadLocation(r: DescribedRecipe): string {
  if (r.source.startsWith('tree:')) return 'NOASSERTION';
  const s = r.declared;
  if (s.type === 'tarball') return s.url ?? 'NOASSERTION';
  if (s.type === 'git') return `git+${s.url}@${s.rev}`;
  return 'NONE';
}

function sourceInfo(r: DescribedRecipe): string | undefined {
  if (r.source.startsWith('tree:')) return `built from a local source tree (--src); content hash ${r.source.slice(5)}`;
  const s = r.declared;
  if (s.type === 'tarball' && s.debian) {
    return `${s.debian.file} of Debian ${s.debian.binary ? 'binary' : 'source'} package ${s.debian.package} ${s.debian.version}${s.debian.component ? ` (${s.debian.component})` : ''}`;
  }
  return undefined;
}

function packageOf(r: DescribedRecipe): Record<string, unknown> {
  const s = r.declared;
  const external = s.type === 'tarball' && s.debian && !r.source.startsWith('tree:')
    ? [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl',
      referenceLocator: `pkg:deb/debian/${s.debian.package}@${encodeURIComponent(s.debian.version)}?arch=${s.debian.binary ? 'all' : 'source'}` }]
    : [];
  const info = sourceInfo(r);
  return {
    SPDXID: spdxId('Package', r.name),
    name: r.name,
    versionInfo: r.version || 'NOASSERTION',
    ...(r.summary ? { summary: r.summary } : {}),
    supplier: 'NOASSERTION',
    downloadLocation: downloadLocation(r),
    filesAnalyzed: false,
    ...(r.source.startsWith('sha256:') ? { checksums: [{ algorithm: 'SHA256', checksumValue: r.source.slice(7) }] } : {}),
    ...(info ? { sourceInfo: info } : {}),
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: r.license,
    copyrightText: 'NOASSERTION',
    ...(external.length ? { externalRefs: external } : {}),
    primaryPackagePurpose: 'SOURCE',
  };
}

const containedId = (recipe: string, p: ContainedPackage) => spdxId('Package', `${recipe}-${p.name}`);

/** A package a recipe's output holds (Buildroot's): the ids a CVE scanner matches (CPE, purl) and the sha256 of its source. */
const listed = (f: { path: string; sha256: string }) => `${f.path} (sha256 ${f.sha256})`;

function containedPackage(recipe: string, p: ContainedPackage): Record<string, unknown> {
  const refs = [
    ...(p.cpe ? [{ referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: p.cpe }] : []),
    ...(p.purl ? [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }] : []),
  ];
  return {
    SPDXID: containedId(recipe, p), name: p.name, versionInfo: p.version, supplier: 'NOASSERTION', downloadLocation: p.downloadLocation,
    filesAnalyzed: false, ...(p.sha256 ? { checksums: [{ algorithm: 'SHA256', checksumValue: p.sha256 }] } : {}),
    licenseConcluded: 'NOASSERTION', licenseDeclared: spdxExpressionProblem(p.license) ? 'NOASSERTION' : p.license, copyrightText: 'NOASSERTION',
    ...(refs.length ? { externalRefs: refs } : {}),
    sourceInfo: [`${p.role === 'host' ? 'a build tool of' : 'built into the output of'} recipe ${recipe}`,
      ...(p.sources?.length ? [`its source as Buildroot's legal-info saved it (legal-info/ beside the output): ${p.sources.map(listed).join(', ')}`] : [])].join('; '),
    ...(p.licenseFiles?.length ? { licenseComments: `licence texts in legal-info/ beside the output: ${p.licenseFiles.map(listed).join(', ')}` } : {}),
    primaryPackagePurpose: p.role === 'host' ? 'APPLICATION' : 'LIBRARY',
  };
}

export interface SpdxOptions {
  /** Name of the tool in creationInfo, e.g. "jhbuild-0.1.0". */
  readonly tool: string;
}

export function spdxDocument(d: ImageDescription, options: SpdxOptions): Record<string, unknown> {
  const { machine, image, signature } = d.record;
  const root = spdxId('Package', `${image}-${machine}`);
  const packages = [
    {
      SPDXID: root, name: `${image} for ${machine}`, versionInfo: d.revision.version, supplier: 'NOASSERTION',
      downloadLocation: 'NOASSERTION', filesAnalyzed: false, licenseConcluded: 'NOASSERTION', licenseDeclared: 'NOASSERTION',
      copyrightText: 'NOASSERTION', primaryPackagePurpose: 'FIRMWARE', comment: [`jhbuild task signature ${signature}`,
        ...buildKeysOf(d.record).map((k) => `${k.task} put the public key of the build folder's ${k.key} pair into it (sha256 of the key line ${k.publicKeySha256}); `
          + 'the private key stays in the build folder: it is in no image and no published file')].join('. '),
    },
    ...d.recipes.map(packageOf),
    ...d.recipes.flatMap((r) => r.contains.map((p) => containedPackage(r.name, p))),
  ];
  const files = d.files.map((f, i) => ({
    SPDXID: spdxId('File', `${i + 1}-${f.path}`), fileName: `./${f.path}`,
    checksums: [{ algorithm: 'SHA1', checksumValue: f.sha1 }, { algorithm: 'SHA256', checksumValue: f.sha256 }],
    licenseConcluded: 'NOASSERTION', copyrightText: 'NOASSERTION',
  }));
  const known = new Set(d.recipes.map((r) => r.name));
  const relationships = [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: root },
    ...files.map((f) => ({ spdxElementId: root, relationshipType: 'CONTAINS', relatedSpdxElement: f.SPDXID })),
    ...d.files.flatMap((f, i) => {
      const recipe = d.madeBy.get(f.path);
      return recipe && known.has(recipe) ? [{ spdxElementId: files[i]!.SPDXID, relationshipType: 'GENERATED_FROM', relatedSpdxElement: spdxId('Package', recipe) }] : [];
    }),
    ...d.recipes.map((r) => ({ spdxElementId: root, relationshipType: 'DEPENDS_ON', relatedSpdxElement: spdxId('Package', r.name) })),
    ...d.recipes.flatMap((r) => r.contains.map((p) => (p.role === 'host'
      ? { spdxElementId: containedId(r.name, p), relationshipType: 'BUILD_TOOL_OF', relatedSpdxElement: spdxId('Package', r.name) }
      : { spdxElementId: spdxId('Package', r.name), relationshipType: 'CONTAINS', relatedSpdxElement: containedId(r.name, p) }))),
    ...d.recipes.flatMap((r) => r.needs.filter((n) => known.has(n))
      .map((n) => ({ spdxElementId: spdxId('Package', r.name), relationshipType: 'DEPENDS_ON', relatedSpdxElement: spdxId('Package', n) }))),
  ];
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${image}-${machine}`,
    // Unique per build: the image task's signature names exactly these inputs.
    documentNamespace: `urn:jhbuild:spdx:${machine}:${image}:${signature}`,
    creationInfo: { created: new Date(d.revision.sourceDateEpoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'), creators: [`Tool: ${options.tool}`] },
    documentDescribes: [root],
    packages,
    files,
    relationships,
  };
}
