/** Signatures: sha256 over a canonical manifest of a task's declared inputs. Pure. */
import { createHash } from 'node:crypto';
import type { Json, TaskKey } from './types.ts';

/** Everything that may change a task's result, and nothing else (no clock, no environment). */
export interface InputManifest {
  readonly task: TaskKey;
  readonly version: string;
  /** Source identity: tarball sha256, git commit, or a local tree's content hash. */
  readonly source: string;
  /** Input files by name (patches/..., files/..., templates/...) -> sha256 of contents. */
  readonly files: Readonly<Record<string, string>>;
  /** The machine values this recipe declares it reads. */
  readonly machine: Json;
  /** Other declared values (recipe vars, build options). */
  readonly vars: Json;
  /** sha256 of the recipe module and of the step's code. */
  readonly code: Readonly<Record<string, string>>;
  /** Host tools by name -> version text. */
  readonly tools: Readonly<Record<string, string>>;
  /** Signatures of the tasks this one needs. */
  readonly deps: Readonly<Record<string, string>>;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with sorted keys, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function signManifest(manifest: InputManifest): string {
  return sha256(canonicalJson(manifest));
}

export interface InputChange {
  readonly input: string;
  readonly before: string | undefined;
  readonly after: string | undefined;
}

/** Which inputs differ between two manifests, named as `files/patches/x.patch`, `deps/linux:compile`... */
export function diffManifests(before: InputManifest, after: InputManifest): InputChange[] {
  const changes: InputChange[] = [];
  const flat = (m: InputManifest) => {
    const out = new Map<string, string>();
    out.set('version', m.version);
    out.set('source', m.source);
    out.set('machine', canonicalJson(m.machine));
    out.set('vars', canonicalJson(m.vars));
    for (const group of ['files', 'code', 'tools', 'deps'] as const) {
      for (const [k, v] of Object.entries(m[group])) out.set(`${group}/${k}`, v);
    }
    return out;
  };
  const a = flat(before);
  const b = flat(after);
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    if (a.get(key) !== b.get(key)) changes.push({ input: key, before: a.get(key), after: b.get(key) });
  }
  return changes;
}
