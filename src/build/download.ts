/** Where a recipe's fetched source lives (no fetching code loaded: planning needs only the path). */
import { basename, join } from 'node:path';
import { sha256 } from '../core/hash.ts';
import type { Recipe } from '../core/recipe.ts';

export function gitMirrorPath(downloads: string, url: string): string {
  const name = basename(url.replace(/\/+$/, '')).replace(/\.git$/, '');
  return join(downloads, 'git', `${name}-${sha256(url).slice(0, 12)}.git`);
}

/** The downloaded file or git mirror, or undefined when the source is a local tree or none. */
export function downloadOf(recipe: Recipe, downloads: string, localTree: string | undefined): string | undefined {
  if (localTree) return undefined;
  const source = recipe.source;
  if (source.type === 'tarball') return join(downloads, source.filename);
  if (source.type === 'git') return gitMirrorPath(downloads, source.url);
  return undefined;
}
