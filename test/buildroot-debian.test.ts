/**
 * Buildroot from Debian 12's files: the table of pinned inputs (src/kinds/buildroot-debian.ts) and
 * the override file (templates/buildroot/debian-12.mk.hbs) say the same, package by package.
 */
import test from 'ava';
import { join } from 'node:path';
import { DEBIAN_12_INPUTS, DEBIAN_OVERRIDE_TEMPLATE } from '../src/kinds/buildroot-debian.ts';
import { renderTemplateFile } from '../src/render/index.ts';
import { repoRoot } from './helpers/cli.ts';

const mk = renderTemplateFile(join(repoRoot, 'templates', DEBIAN_OVERRIDE_TEMPLATE), { trees: '/T', patchDir: '/P' });
const assigned = (name: string) => new RegExp(`^override ${name}\\s*=\\s*(\\S+)\\s*$`, 'm').exec(mk)?.[1];

test('every Debian file taken under its own name is the _SOURCE the override file sets; those under Buildroot\'s name need none', (t) => {
  for (const input of DEBIAN_12_INPUTS) {
    if (input.as !== 'download' && input.as !== 'member') continue;
    const name = input.as === 'member' ? input.name : input.name ?? input.from.file;
    const sources = [...mk.matchAll(/^override (\w+)_SOURCE\s*=\s*(\S+)\s*$/gm)].filter((m) => m[2] === name);
    if (input.as === 'download' && input.name) t.is(sources.length, 0, `${name} is Buildroot's own file name`);
    else if (input.dl !== 'musl-compat-headers') t.is(sources.length, 1, `${name} is some package's _SOURCE`);
  }
  t.is(assigned('MUSL_COMPAT_HEADERS_QUEUE_H'), 'glibc-2.36-sys-queue.h');
});

test('every unpacked tree is some package\'s OVERRIDE_SRCDIR, and every OVERRIDE_SRCDIR is a tree the table unpacks', (t) => {
  const trees = DEBIAN_12_INPUTS.flatMap((i) => (i.as === 'tree' || i.as === 'debs' ? [i.dir] : []));
  const srcdirs = [...mk.matchAll(/^(\w+)_OVERRIDE_SRCDIR\s*=\s*\/T\/(\S+)\s*$/gm)].map((m) => m[2]!);
  t.deepEqual([...srcdirs].sort(), [...trees].sort());
  // A tree is its .dsc (unpacked first) with the files it lists.
  for (const input of DEBIAN_12_INPUTS) if (input.as === 'tree') t.regex(input.files[0]!.file, /\.dsc$/, input.dir);
});

test('the versions the override file sets are those of the pinned Debian files', (t) => {
  const version = (pkg: string) => assigned(`${pkg}_VERSION`);
  for (const [pkg, file] of [['DROPBEAR', 'dropbear_2022.83.orig.tar.bz2'], ['IPROUTE2', 'iproute2_6.1.0.orig.tar.xz'], ['BINUTILS', 'binutils_2.40.orig.tar.xz'],
    ['MUSL', 'musl_1.2.3.orig.tar.gz'], ['LINUX_HEADERS', 'linux_6.1.170.orig.tar.xz'], ['MPFR', 'mpfr4_4.2.0.orig.tar.xz']] as const) {
    t.true(DEBIAN_12_INPUTS.some((i) => i.as === 'download' && i.from.file === file), file);
    t.true(file.includes(`_${version(pkg)}.orig`), `${pkg}_VERSION ${version(pkg)} for ${file}`);
  }
  t.is(version('GCC'), '12.2.0');
  t.true(DEBIAN_12_INPUTS.some((i) => i.as === 'member' && i.name === `gcc-${version('GCC')}-dfsg.tar.xz`));
  // The legal-info hash files the override file points at are the global patch dir's.
  t.is(assigned('MUSL_HASH_FILES'), '/P/musl/musl.hash');
  t.is(assigned('HOST_TAR_HASH_FILES'), '/P/tar/tar.hash');
  t.false(/\{\{|\/tmp\//.test(mk), 'no placeholder left and no machine path');
});
