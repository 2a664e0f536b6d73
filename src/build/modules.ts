/**
 * The code a recipe runs: its own module and the project modules it imports (kinds, cells,
 * cmdline, image writers...), found by following relative imports. jhbuild's engine (core,
 * build, project, exec, fetch, render, ui, cli and the index that re-exports them) is the
 * tool, not recipe code, and is not followed — as BitBake does not hash itself.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

// By path inside any jhbuild src/ (the running one, or a copy a project's recipes import).
const ENGINE = /(^|[\\/])src[\\/](index\.ts$|(core|build|project|exec|fetch|render|ui|cli)[\\/])/;
// Value imports only: `import type` brings no code.
const IMPORT = /(?:import|export)\s(?!type\s)[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

const isEngine = (file: string) => ENGINE.test(file);

/** Files (absolute) of a module and its relative imports, engine modules excluded, sorted. */
export function moduleClosure(entry: string, cache = new Map<string, string[]>()): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || isEngine(file)) return;
    seen.add(file);
    let imports = cache.get(file);
    if (!imports) {
      let text = '';
      try { text = readFileSync(file, 'utf8'); } catch { return; }
      imports = [...text.matchAll(IMPORT)].map((m) => resolve(dirname(file), m[1] ?? m[2]!)).filter((f) => f.endsWith('.ts'));
      cache.set(file, imports);
    }
    for (const next of imports) visit(next);
  };
  visit(resolve(entry));
  return [...seen].sort();
}
