/**
 * The host's apt source entries, and entries derived from them: same archives and suites, another
 * type (deb-src) or another component (non-free-firmware). No archive is ever named in this project.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AptSourceFile { readonly name: string; readonly text: string }

const APT = '/etc/apt';
/** Files jhbuild itself writes into sources.list.d: never read back as the host's own. */
export const OWN_SOURCES_PREFIX = 'jhbuild-';

export function readAptSources(): AptSourceFile[] {
  const files: AptSourceFile[] = [];
  try { files.push({ name: 'sources.list', text: readFileSync(join(APT, 'sources.list'), 'utf8') }); } catch { /* none */ }
  const dir = join(APT, 'sources.list.d');
  let names: string[] = [];
  try { names = readdirSync(dir).sort(); } catch { /* none */ }
  for (const name of names) {
    if (name.startsWith(OWN_SOURCES_PREFIX) || !/\.(sources|list)$/.test(name)) continue;
    files.push({ name, text: readFileSync(join(dir, name), 'utf8') });
  }
  return files;
}

/** The enabled `deb` stanzas of deb822 files. */
export function debStanzas(files: readonly AptSourceFile[]): string[] {
  return files.filter((f) => f.name.endsWith('.sources')).flatMap((f) => f.text.split(/\n\s*\n/)).filter((stanza) => {
    const types = /^Types:\s*(.*)$/mi.exec(stanza)?.[1]?.split(/\s+/) ?? [];
    return types.includes('deb') && !/^Enabled:\s*no/mi.test(stanza);
  }).map((s) => s.trim());
}

/** The `deb ...` lines of one-line .list files, without the leading "deb ". */
export function debLines(files: readonly AptSourceFile[]): string[] {
  return files.filter((f) => f.name.endsWith('.list')).flatMap((f) => f.text.split('\n')).filter((l) => l.startsWith('deb ')).map((l) => l.slice(4).trim());
}

/**
 * Entries for `component` (binary and source) on every archive and suite the host uses, e.g. the
 * non-free-firmware twin of a host configured for main only. Pure.
 */
export function componentEntries(files: readonly AptSourceFile[], component: string): string {
  const stanzas = debStanzas(files).map((s) => s.replace(/^Types:.*$/mi, 'Types: deb deb-src').replace(/^Components:.*$/mi, `Components: ${component}`));
  const lines = debLines(files).flatMap((entry) => {
    // [options] URI SUITE COMPONENT...
    const m = /^(\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(entry);
    return m ? [`Types: deb deb-src\nURIs: ${m[2]}\nSuites: ${m[3]}\nComponents: ${component}${signedBy(m[1])}`] : [];
  });
  return [...stanzas, ...lines].map((s) => `${s}\n`).join('\n');
}

function signedBy(options: string | undefined): string {
  const key = /signed-by=(\S+?)[\s\]]/.exec(options ?? '')?.[1];
  return key ? `\nSigned-By: ${key}` : '';
}
