/**
 * One description of a built image for the SBOM, the provenance and the OCI manifest: the build's
 * record joined with the recipes (licence, upstream location) and the project's revision.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readContained, type ContainedPackage } from '../image/contained.ts';
import { IMAGE_MANIFEST, readImageManifest } from '../image/manifest.ts';
import { JhError } from '../errors.ts';
import type { BuildLayout } from '../engine/layout.ts';
import { parseTaskKey, type Source } from '../engine/types.ts';
import type { Project } from '../project/load.ts';
import { runProcess } from '../exec/index.ts';
import { readDeployedFiles, type DeployedFile } from './files.ts';
import { spdxExpressionProblem } from './license.ts';
import { readBuildRecord, recordedRecipes, type BuildRecord, type RecordedRecipe } from './record.ts';

export interface DescribedRecipe extends RecordedRecipe {
  readonly license: string;
  readonly summary: string;
  /** The recipe's source as declared (upstream url, Debian origin, git url). */
  readonly declared: Source;
  /** Packages its output holds that are not recipes (Buildroot's), from its deploy folder's sbom-packages.json. */
  readonly contains: readonly ContainedPackage[];
}

export interface Revision {
  /** The project's commit, when it is a git checkout. */
  readonly commit?: string;
  /** git describe --always --dirty, or jhbuild's version outside git. */
  readonly version: string;
  /** SOURCE_DATE_EPOCH, else the commit's time, else 0. */
  readonly sourceDateEpoch: number;
}

/** A build key whose public half went into the image (an input of `task`); its private half never leaves the build folder. */
export interface PublishedBuildKey { readonly task: string; readonly key: string; readonly publicKeySha256: string }

/** The build keys the image's tasks were signed over (their input manifests list `build-key/NAME.pub`). */
export function buildKeysOf(record: BuildRecord): PublishedBuildKey[] {
  return [...record.tasks.entries()].flatMap(([task, t]) => Object.entries(t.manifest.files)
    .filter(([name]) => name.startsWith('build-key/'))
    .map(([name, sha256]) => ({ task, key: name.slice('build-key/'.length).replace(/\.pub$/, ''), publicKeySha256: sha256 })))
    .sort((a, b) => (a.task < b.task ? -1 : 1));
}

export interface ImageDescription {
  readonly record: BuildRecord;
  readonly files: readonly DeployedFile[];
  /** Deployed path -> the recipe that made it (from the folder's manifest.json). */
  readonly madeBy: ReadonlyMap<string, string>;
  readonly recipes: readonly DescribedRecipe[];
  readonly revision: Revision;
}

function sourceIdOf(source: Source): string | undefined {
  if (source.type === 'tarball') return `sha256:${source.sha256}`;
  if (source.type === 'git') return `git:${source.url}@${source.rev}`;
  return undefined;
}

async function git(root: string, args: string[]): Promise<string | undefined> {
  try { return (await runProcess('git', ['-C', root, ...args])).trim() || undefined; } catch { return undefined; }
}

export async function readRevision(root: string, fallbackVersion: string, env: NodeJS.ProcessEnv = process.env): Promise<Revision> {
  const commit = await git(root, ['rev-parse', '--verify', 'HEAD']);
  const version = (commit && await git(root, ['describe', '--always', '--dirty', '--tags'])) ?? fallbackVersion;
  const fromEnv = env.SOURCE_DATE_EPOCH;
  if (fromEnv !== undefined && !/^\d+$/.test(fromEnv)) {
    throw new JhError('E_USAGE', `SOURCE_DATE_EPOCH=${fromEnv} is not a whole number of seconds`, { hint: 'e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)' });
  }
  const commitTime = commit ? await git(root, ['log', '-1', '--format=%ct']) : undefined;
  return { commit, version, sourceDateEpoch: Number(fromEnv ?? commitTime ?? 0) };
}

/** What the recipe's deploy output (in the cache entry of its deploy task) says it contains. */
function containedOf(layout: BuildLayout, record: BuildRecord, recipe: string): ContainedPackage[] {
  const deploy = [...record.tasks.entries()].find(([key]) => { const id = parseTaskKey(key); return id?.recipe === recipe && id.step === 'deploy'; });
  return deploy ? readContained(join(layout.entry(deploy[1].signature), 'out')) : [];
}

export async function describeImage(project: Project, layout: BuildLayout, image: string, jhbuildVersion: string): Promise<ImageDescription> {
  const record = readBuildRecord(layout, image);
  const recipes: DescribedRecipe[] = [];
  for (const recorded of recordedRecipes(record)) {
    const recipe = await project.loadRecipe(recorded.name);
    const file = recipe.origins.license ?? recipe.codeFiles[0];
    if (recipe.license === 'unknown') {
      throw new JhError('E_RECIPE_LICENSE', `recipe ${recipe.name} declares no licence; an SBOM cannot be made without it`, {
        file, hint: "add license: 'GPL-2.0-only' (an SPDX expression) to the recipe" });
    }
    const problem = spdxExpressionProblem(recipe.license);
    if (problem) {
      throw new JhError('E_RECIPE_LICENSE', `recipe ${recipe.name}: license "${recipe.license}" ${problem}`, {
        file, hint: "use SPDX ids joined by AND/OR/WITH, e.g. 'GPL-2.0-only OR BSD-2-Clause'; LicenseRef-<name> for others" });
    }
    const pinned = sourceIdOf(recipe.source);
    if (pinned && !recorded.source.startsWith('tree:') && recorded.source !== pinned) {
      throw new JhError('E_PUBLISH_STALE', `recipe ${recipe.name} now pins ${pinned}, but the ${image} in ${layout.deploy} was built from ${recorded.source}`, {
        file: recipe.codeFiles[0], hint: `rebuild before publishing: jhbuild image --machine ${layout.machine}` });
    }
    recipes.push({ ...recorded, license: recipe.license, summary: recipe.summary, declared: recipe.source, contains: containedOf(layout, record, recorded.name) });
  }
  const files = await readDeployedFiles(record.dir);
  const madeBy = new Map<string, string>();
  if (existsSync(join(record.dir, IMAGE_MANIFEST))) {
    for (const f of readImageManifest(record.dir).files) madeBy.set(f.path, f.recipe);
  }
  return { record, files, madeBy, recipes, revision: await readRevision(project.root, jhbuildVersion) };
}
