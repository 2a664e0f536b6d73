/**
 * Debian source packages resolve through the host's apt: this needs deb-src entries. They are
 * derived from the host's own `deb` entries (same archives, suites and components), so no archive
 * is ever named here, and the pinned files are looked up as a fetch would look them up.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebianOrigin } from '../core/types.ts';
import { isJhError } from '../errors.ts';
import type { HostCheck } from './check.ts';

const APT = '/etc/apt';
export const DEB_SRC_FILE = 'jhbuild-deb-src';

export interface AptSourceFile { readonly name: string; readonly text: string }

/** deb-src twins of the `deb` entries that have none (deb822 stanzas and one-line entries). Pure. */
export function debSrcEntries(files: readonly AptSourceFile[]): { sources: string; list: string } {
  const stanzas: string[] = [];
  const lines: string[] = [];
  for (const file of files) {
    if (file.name.endsWith('.sources')) {
      for (const stanza of file.text.split(/\n\s*\n/)) {
        const types = /^Types:\s*(.*)$/mi.exec(stanza)?.[1]?.split(/\s+/) ?? [];
        if (!types.includes('deb') || types.includes('deb-src') || /^Enabled:\s*no/mi.test(stanza)) continue;
        stanzas.push(stanza.trim().replace(/^Types:.*$/mi, 'Types: deb-src'));
      }
    } else if (file.name.endsWith('.list')) {
      const have = new Set(file.text.split('\n').filter((l) => l.startsWith('deb-src ')).map((l) => l.slice(8).trim()));
      for (const line of file.text.split('\n')) {
        if (line.startsWith('deb ') && !have.has(line.slice(4).trim())) lines.push(`deb-src ${line.slice(4).trim()}`);
      }
    }
  }
  return { sources: stanzas.map((s) => `${s}\n`).join('\n'), list: lines.map((l) => `${l}\n`).join('') };
}

function readAptSources(): AptSourceFile[] {
  const files: AptSourceFile[] = [];
  try { files.push({ name: 'sources.list', text: readFileSync(join(APT, 'sources.list'), 'utf8') }); } catch { /* none */ }
  const dir = join(APT, 'sources.list.d');
  let names: string[] = [];
  try { names = readdirSync(dir).sort(); } catch { /* none */ }
  for (const name of names) {
    if (name.startsWith(DEB_SRC_FILE) || !/\.(sources|list)$/.test(name)) continue;
    files.push({ name, text: readFileSync(join(dir, name), 'utf8') });
  }
  return files;
}

/** Writes the deb-src twins next to the host's own entries (doctor --install; needs root). */
export async function enableDebSrc(): Promise<void> {
  const { sources, list } = debSrcEntries(readAptSources());
  if (sources) writeFileSync(join(APT, 'sources.list.d', `${DEB_SRC_FILE}.sources`), `# Written by jhbuild doctor: deb-src twins of this host's deb entries.\n${sources}`);
  if (list) writeFileSync(join(APT, 'sources.list.d', `${DEB_SRC_FILE}.list`), `# Written by jhbuild doctor: deb-src twins of this host's deb entries.\n${list}`);
}

export function debianSourceCheck(recipe: string, origin: DebianOrigin, sha256: string): HostCheck {
  return {
    what: `${origin.file} (recipe ${recipe}) resolvable through apt`,
    async probe({ work, signal }) {
      const { locateDebianFile } = await import('../fetch/debian.ts');
      try {
        await locateDebianFile(origin, sha256, work, signal);
        return undefined;
      } catch (error) {
        if (!isJhError(error)) throw error;
        if (error.code === 'E_FETCH_DEBIAN_NO_SRC') return { problem: 'apt lists no deb-src entries', packages: [], fix: enableDebSrc };
        // Often only a stale index: doctor --install runs apt-get update and looks again.
        return { problem: `${error.message}${error.details.length ? ` (${error.details.join('; ')})` : ''}`, packages: [] };
      }
    },
  };
}
