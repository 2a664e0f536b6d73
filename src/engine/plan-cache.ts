/**
 * The no-op fast path. A full plan imports every recipe and machine module and hashes every
 * input; when none of the files it read has changed (by stat), nor a source tree, a tool or a
 * download, the saved signatures still hold. If then every task has its cache entry, and each
 * entry still matches the record of its files, the build is a no-op and is reported without
 * loading a single recipe. Entries are checked by stat alone (one digest over all of them) while
 * nothing in them changed since they were last verified; otherwise each is checked in full.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { canonicalJson, sha256 } from './hash.ts';
import { writeAtomic } from './atomic.ts';
import { checkEntry, statEntry } from './entry-check.ts';
import type { BuildLayout } from './layout.ts';
import type { TaskKey } from './types.ts';
import { isRecordedVerified } from '../fetch/verified.ts';
import { whichSync } from '../exec/which.ts';
import { hashTree } from './tree.ts';

export interface CachedPlan {
  readonly files: readonly [string, string][];
  /** Inputs outside the watched folders (e.g. a machine's root .cell given by absolute path). */
  readonly extraFiles: readonly [string, string][];
  readonly trees: readonly [string, string][];
  readonly tools: readonly [string, string][];
  readonly downloads: readonly string[];
  readonly tasks: readonly { readonly key: TaskKey; readonly signature: string }[];
  /** deploy/<machine>/<recipe> links of a complete build (re-pointed by a no-op build). */
  readonly deployLinks: readonly [string, string][];
  /** sha256 over the stat of every task's entry when all were last verified, and which have out/ (entry-check.ts). */
  readonly entries?: { readonly digest: string; readonly withOut: readonly TaskKey[] };
}

export const statKey = (path: string) => {
  try { const st = statSync(path); return `${st.size}:${st.mtimeMs}`; } catch { return 'missing'; }
};

/** Every file a plan may read: the project's recipes, machines, templates, layers and jhbuild's own code. */
export function watchedFiles(roots: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries;
    try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full); else out.push(full);
    }
  };
  for (const root of roots) walk(root);
  return out.sort();
}

export function planCacheFile(layout: BuildLayout, identity: unknown): string {
  return join(layout.buildDir, 'plans', `${sha256(canonicalJson(identity)).slice(0, 32)}.json`);
}

export function toolStamp(tool: string): string {
  const path = whichSync(tool);
  return path ? `${path}:${statKey(path)}` : 'missing';
}

export function writeCachedPlan(file: string, plan: CachedPlan): void {
  writeAtomic(file, JSON.stringify(plan));
}

export function snapshotFiles(roots: readonly string[]): [string, string][] {
  return watchedFiles(roots).map((f) => [f, statKey(f)]);
}

/** The saved tasks when nothing the plan depends on changed and every result is cached; else undefined. */
export function readNoopPlan(file: string, roots: readonly string[], layout: BuildLayout, treeCache: (tree: string) => string): CachedPlan | undefined {
  let plan: CachedPlan;
  try { plan = JSON.parse(readFileSync(file, 'utf8')) as CachedPlan; } catch { return undefined; }
  const now = snapshotFiles(roots);
  if (now.length !== plan.files.length || now.some(([f, k], i) => plan.files[i]![0] !== f || plan.files[i]![1] !== k)) return undefined;
  if (plan.extraFiles.some(([f, k]) => statKey(f) !== k)) return undefined;
  if (plan.tools.some(([tool, stamp]) => toolStamp(tool) !== stamp)) return undefined;
  // A download changed since it was verified (by stat against its record) needs the full plan, which checks it.
  if (plan.downloads.some((d) => !isRecordedVerified(d))) return undefined;
  if (plan.trees.some(([tree, hash]) => hashTree(tree, treeCache(tree)) !== hash)) return undefined;
  return entriesVerified(file, plan, layout) ? plan : undefined;
}

/**
 * Whether every task's entry matches its record. When all of them are stat-for-stat as they were
 * last verified, no file is read; else each is checked in full (a bad one sends the build down the
 * full path, which reports it, drops it and runs its task) and the digest of the now verified
 * entries is saved for the next no-op.
 */
function entriesVerified(file: string, plan: CachedPlan, layout: BuildLayout): boolean {
  if (plan.entries !== undefined) {
    const withOut = new Set(plan.entries.withOut);
    const now = createHash('sha256');
    for (const t of plan.tasks) now.update(statEntry(layout.entry(t.signature), withOut.has(t.key)));
    if (now.digest('hex') === plan.entries.digest) return true;
  }
  const verified = createHash('sha256');
  const withOut: TaskKey[] = [];
  let racy = false;
  for (const t of plan.tasks) {
    const check = checkEntry(layout.entry(t.signature), t.signature);
    if (check.state !== 'ok') return false;
    if (check.stat === undefined) racy = true;
    else {
      verified.update(check.stat.text);
      if (check.stat.out) withOut.push(t.key);
    }
  }
  if (!racy) {
    try { writeCachedPlan(file, { ...plan, entries: { digest: verified.digest('hex'), withOut } }); } catch { /* a read-only build folder: checked in full again */ }
  }
  return true;
}

/** Points each link at its target, replacing it atomically only when it differs. */
export function applyDeployLinks(links: readonly [string, string][]): void {
  for (const [link, target] of links) {
    try {
      if (lstatSync(link).isSymbolicLink() && readlinkSync(link) === target) continue;
    } catch { /* not there yet */ }
    mkdirSync(dirname(link), { recursive: true });
    const temp = `${link}.tmp-${process.pid}`;
    rmSync(temp, { force: true });
    symlinkSync(target, temp);
    renameSync(temp, link);
  }
}
