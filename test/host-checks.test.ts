/** doctor's probes prove the host by use: real compilers that lack their C library, real QEMU missing a ROM. */
import test from 'ava';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { whichSync } from '../src/exec/which.ts';
import { toolchainPackages } from '../src/exec/packages.ts';
import { debSrcEntries } from '../src/host/deb-src.ts';
import { qemuCheck } from '../src/host/qemu.ts';
import { toolchainCheck } from '../src/host/toolchain.ts';
import { qemuArgv } from '../src/qemu/argv.ts';
import { machine } from './helpers/machines.ts';
import { tempDir } from './helpers/fixture.ts';

const ctx = () => ({ work: mkdtempSync(join(tempDir(), 'probe-')), signal: new AbortController().signal });

test('toolchain packages: the compiler and its libc; native prefixes are Debian\'s gcc and libc6-dev', (t) => {
  t.deepEqual(toolchainPackages('aarch64-linux-gnu-', 'x64'), { compiler: 'gcc-aarch64-linux-gnu', libc: 'libc6-dev-arm64-cross' });
  t.deepEqual(toolchainPackages('x86_64-linux-gnu-', 'x64'), { compiler: 'gcc', libc: 'libc6-dev' });
  t.deepEqual(toolchainPackages('x86_64-linux-gnu-', 'arm64'), { compiler: 'gcc-x86-64-linux-gnu', libc: 'libc6-dev-amd64-cross' });
  t.deepEqual(toolchainPackages('arm-linux-gnueabihf-', 'x64'), { compiler: 'gcc-arm-linux-gnueabihf', libc: 'libc6-dev-armhf-cross' });
});

const cross = whichSync('aarch64-linux-gnu-gcc');
if (!cross) console.log('SKIP toolchain probe tests: aarch64-linux-gnu-gcc is not installed (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross)');
(cross ? test : test.skip)('a cross compiler proves itself; without its C library it fails naming the libc package', async (t) => {
  t.is(await toolchainCheck('aarch64-linux-gnu-', 'test').probe(ctx()), undefined);
  // The same compiler without its C headers is what a missing libc6-dev-arm64-cross looks like.
  const bin = tempDir();
  const gcc = join(bin, 'aarch64-linux-gnu-gcc');
  writeFileSync(gcc, `#!/bin/sh\nexec ${cross} -nostdinc "$@"\n`);
  chmodSync(gcc, 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  t.teardown(() => { process.env.PATH = path; });
  const finding = await toolchainCheck('aarch64-linux-gnu-', 'test').probe(ctx());
  t.truthy(finding);
  t.regex(finding!.problem, /stdio\.h/);
  t.deepEqual(finding!.packages, ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross']);
});

const qemu = whichSync('qemu-system-aarch64');
if (!qemu) console.log('SKIP QEMU probe tests: qemu-system-aarch64 is not installed (apt-get install qemu-system-arm)');
(qemu ? test : test.skip)('QEMU started with the runner\'s argv answers its monitor; a missing ROM names ipxe-qemu', async (t) => {
  const m = await machine('qemu-arm64');
  const argv = qemuArgv(m, undefined);
  t.false(argv.includes('-kernel'), 'no boot media needed');
  t.is(await qemuCheck(m).probe(ctx()), undefined);
  const finding = await qemuCheck(m, ['-device', 'virtio-net-pci,romfile=efi-jhbuild-missing.rom']).probe(ctx());
  t.truthy(finding);
  t.regex(finding!.problem, /failed to find romfile "efi-jhbuild-missing\.rom"/);
  t.deepEqual(finding!.packages, ['ipxe-qemu']);
});

test('deb-src twins are derived from the host\'s own deb entries, deb822 and one-line', (t) => {
  const { sources, list } = debSrcEntries([
    { name: 'debian.sources', text: 'Types: deb\nURIs: http://archive.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb deb-src\nURIs: http://other.example/x\nSuites: s\nComponents: main\n\nTypes: deb\nEnabled: no\nURIs: http://off.example\nSuites: s\nComponents: main\n' },
    { name: 'sources.list', text: 'deb http://archive.example/debian-security bookworm-security main\ndeb-src http://have.example/d s main\ndeb http://have.example/d s main\n' },
    { name: 'ignored.list.disabled', text: 'deb http://no.example s main\n' },
  ]);
  t.is(sources, 'Types: deb-src\nURIs: http://archive.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n');
  t.is(list, 'deb-src http://archive.example/debian-security bookworm-security main\n');
});
