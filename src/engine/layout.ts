/** Where things live under the build folder. */
import { join } from 'node:path';
import type { Step } from './types.ts';

export interface BuildLayout {
  readonly buildDir: string;
  readonly downloads: string;
  readonly cache: string;
  readonly machine: string;
  work(recipe: string): string;
  log(recipe: string, step: Step): string;
  /** The saved input manifest of a recipe's step from its last build (for explain). */
  lastManifest(recipe: string, step: Step): string;
  workState(recipe: string): string;
  entry(signature: string): string;
  deploy: string;
}

export function buildLayout(buildDir: string, machine: string, downloads = join(buildDir, 'downloads')): BuildLayout {
  const cache = join(buildDir, 'cache');
  const work = (recipe: string) => join(buildDir, 'work', machine, recipe);
  return {
    buildDir,
    downloads,
    cache,
    machine,
    work,
    log: (recipe, step) => join(work(recipe), 'log', `${step}.log`),
    lastManifest: (recipe, step) => join(work(recipe), 'sig', `${step}.json`),
    workState: (recipe) => join(work(recipe), 'state.json'),
    entry: (signature) => join(cache, signature.slice(0, 2), signature),
    deploy: join(buildDir, 'deploy', machine),
  };
}
