/**
 * Debian source packages resolve through the host's apt: this needs deb-src entries. They are
 * derived from the host's own `deb` entries (same archives, suites and components), so no archive
 * is ever named here, and the pinned files are looked up as a fetch would look them up.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebianOrigin } from '../engine/types.ts';
import { isJhError } from '../errors.ts';
import { debLines, debStanzas, OWN_SOURCES_PREFIX, readAptSources, type AptSourceFile } from '../fetch/apt-sources.ts';
import type { HostCheck } from './check.ts';

const APT = '/etc/apt';
export const DEB_SRC_FILE = `${OWN_SOURCES_PREFIX}deb-src`;

/** deb-src twins of the `deb` entries that have none (deb822 stanzas and one-line entries). Pure. */
export function debSrcEntries(files: readonly AptSourceFile[]): { sources: string; list: string } {
  const stanzas = debStanzas(files).filter((s) => !(/^Types:\s*(.*)$/mi.exec(s)?.[1]?.split(/\s+/) ?? []).includes('deb-src'))
    .map((s) => s.replace(/^Types:.*$/mi, 'Types: deb-src'));
  const have = new Set(files.filter((f) => f.name.endsWith('.list')).flatMap((f) => f.text.split('\n')).filter((l) => l.startsWith('deb-src ')).map((l) => l.slice(8).trim()));
  const lines = debLines(files).filter((l) => !have.has(l)).map((l) => `deb-src ${l}`);
  return { sources: stanzas.map((s) => `${s}\n`).join('\n'), list: lines.map((l) => `${l}\n`).join('') };
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
    packages: [],
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
