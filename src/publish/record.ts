/**
 * What a deployed image was built from, read back from the build's own record: the deploy link
 * names the image task's signature, and every cached task keeps its input manifest (sources by
 * sha256, commit or tree hash; versions; tools; the signatures it depended on).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { JhError } from '../errors.ts';
import { signManifest, type InputManifest } from '../engine/hash.ts';
import type { BuildLayout } from '../engine/layout.ts';
import { parseTaskKey } from '../engine/types.ts';

export interface BuildRecord {
  readonly machine: string;
  readonly image: string;
  /** The deploy output folder itself (inside the cache). */
  readonly dir: string;
  /** Signature of the task that made the folder. */
  readonly signature: string;
  /** Every task the image depended on, by key. */
  readonly tasks: ReadonlyMap<string, { readonly signature: string; readonly manifest: InputManifest }>;
}

/** Per recipe: the version, source identity and tools the build recorded. */
export interface RecordedRecipe {
  readonly name: string;
  readonly version: string;
  /** sha256:<hex>, git:<url>@<commit>, tree:<hash>, or none. */
  readonly source: string;
  readonly tools: Readonly<Record<string, string>>;
  /** Recipes this one's tasks needed. */
  readonly needs: readonly string[];
}

export function readBuildRecord(layout: BuildLayout, image: string): BuildRecord {
  const link = join(layout.deploy, image);
  if (!existsSync(link)) {
    throw new JhError('E_PUBLISH_NOT_BUILT', `no ${image} has been built for ${layout.machine} in ${layout.buildDir}`, {
      hint: `build it first: jhbuild image --machine ${layout.machine}${image === 'image' ? '' : ` --image ${image}`}` });
  }
  const dir = realpathSync(link);
  const signature = basename(dirname(dir));
  const tasks = new Map<string, { signature: string; manifest: InputManifest }>();
  const pending = [signature];
  while (pending.length > 0) {
    const sig = pending.pop()!;
    const file = join(layout.entry(sig), 'manifest.json');
    if (!existsSync(file)) {
      throw new JhError('E_PUBLISH_RECORD', `the build record ${sig.slice(0, 12)} behind ${link} is gone from the cache`, {
        hint: `rebuild the image (jhbuild image --machine ${layout.machine}) so that what is published can be described` });
    }
    // What is published is described from this record: it must be the one the signature names.
    let manifest: InputManifest | undefined;
    try { manifest = JSON.parse(readFileSync(file, 'utf8')) as InputManifest; } catch { manifest = undefined; }
    if (!manifest || typeof manifest !== 'object' || signManifest(manifest) !== sig) {
      throw new JhError('E_PUBLISH_RECORD', `the build record ${sig.slice(0, 12)} behind ${link} is corrupt: ${file} ${manifest ? 'does not hash to its signature' : 'is not JSON'}`, {
        file, hint: `rebuild the image (jhbuild image --machine ${layout.machine}); a rebuild replaces the damaged entry` });
    }
    if (tasks.has(manifest.task)) continue;
    tasks.set(manifest.task, { signature: sig, manifest });
    pending.push(...Object.values(manifest.deps));
  }
  return { machine: layout.machine, image, dir, signature, tasks };
}

export function recordedRecipes(record: BuildRecord): RecordedRecipe[] {
  const byName = new Map<string, { version: string; source: string; tools: Record<string, string>; needs: Set<string> }>();
  for (const [key, { manifest }] of record.tasks) {
    const id = parseTaskKey(key);
    if (!id) continue;
    const r = byName.get(id.recipe) ?? { version: '', source: 'none', tools: {}, needs: new Set<string>() };
    if (id.step === 'fetch') r.source = manifest.source || 'none';
    if (manifest.version) r.version = manifest.version;
    Object.assign(r.tools, manifest.tools);
    for (const dep of Object.keys(manifest.deps)) {
      const other = parseTaskKey(dep)?.recipe;
      if (other && other !== id.recipe) r.needs.add(other);
    }
    byName.set(id.recipe, r);
  }
  return [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, r]) => ({ name, version: r.version, source: r.source, tools: r.tools, needs: [...r.needs].sort() }));
}
