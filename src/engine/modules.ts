/**
 * The code a recipe runs: its own module and the project modules it imports (kinds, cells,
 * system, image writers...), found by following relative imports. jhbuild's engine (src/engine/,
 * one folder) is the tool, not recipe code, and is not followed — as BitBake does not hash itself. Through a facade (a
 * module that only re-exports, like src/index.ts) only the modules of the names imported are
 * followed, so a recipe that imports `kconfig` from the public API is not signed over `publish`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

// The engine is one folder: src/engine/ of any jhbuild (the running one, or a copy a project's recipes import).
const ENGINE = /(^|[\\/])src[\\/]engine[\\/]/;
// One import or re-export statement with a relative specifier: what it names and from where.
const STATEMENT = /(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

const isEngine = (file: string) => ENGINE.test(file);

interface ModuleFacts {
  /** Relative imports: the file and the names taken ('*' for all of it). */
  readonly imports: readonly { readonly file: string; readonly names: readonly string[] | '*' }[];
  /** For a facade: each re-exported name and the file that defines it. */
  readonly facade: ReadonlyMap<string, string> | undefined;
}

/** The value names of `{ a, b as c, type T }`, `* as X` or `X` (a default import). Types bring no code. */
function valueNames(clause: string): readonly string[] | '*' {
  const braces = /\{([^}]*)\}/.exec(clause);
  if (!braces) return clause.trim() === '' ? [] : '*';
  const names = braces[1]!.split(',').map((n) => n.trim()).filter((n) => n && !n.startsWith('type '))
    .map((n) => n.split(/\s+as\s+/)[0]!.trim());
  return /^\s*[\w$]+\s*,/.test(clause) || clause.includes('*') ? '*' : names;
}

function readFacts(file: string): ModuleFacts {
  let text = '';
  try { text = readFileSync(file, 'utf8'); } catch { return { imports: [], facade: undefined }; }
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const imports: { file: string; names: readonly string[] | '*' }[] = [];
  const reexports = new Map<string, string>();
  let statements = 0;
  for (const m of code.matchAll(STATEMENT)) {
    const target = resolve(dirname(file), m[4] ?? m[5]!);
    if (!target.endsWith('.ts')) continue;
    if (m[5]) { imports.push({ file: target, names: '*' }); continue; }
    statements++;
    if (m[2]) continue;
    const names = valueNames(m[3]!);
    if (m[1] === 'export' && names !== '*') for (const n of names) reexports.set(n, target);
    imports.push({ file: target, names });
  }
  // A facade holds nothing but `export ... from` statements.
  const rest = code.replace(STATEMENT, '').replace(/[\s;]/g, '');
  const facade = rest === '' && statements > 0 && !imports.some((i) => i.names === '*') ? reexports : undefined;
  return { imports, facade };
}

/** Files (absolute) of a module and its relative imports, engine modules excluded, sorted. */
export function moduleClosure(entry: string, cache = new Map<string, ModuleFacts>()): string[] {
  const facts = (file: string) => {
    let f = cache.get(file);
    if (!f) cache.set(file, f = readFacts(file));
    return f;
  };
  const seen = new Set<string>();
  const visit = (file: string, names: readonly string[] | '*') => {
    if (isEngine(file)) return;
    const { facade, imports } = facts(file);
    if (facade && names !== '*') {
      // Only the modules behind the names taken: the facade only says where each name lives.
      for (const name of names) {
        const from = facade.get(name);
        if (from) visit(from, '*');
      }
      return;
    }
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of imports) visit(next.file, next.names);
  };
  visit(resolve(entry), '*');
  return [...seen].sort();
}
