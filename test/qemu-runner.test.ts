/**
 * A scripted run passes only when every expectation was met. The runner is driven with real
 * processes: a shell that dies at once (what QEMU does when a ROM or device is missing) and real
 * QEMU refusing a device, through the CLI as CI uses it.
 */
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { whichSync } from '../src/exec/which.ts';
import { runScripted } from '../src/qemu/runner.ts';
import { runCli } from './helpers/cli.ts';
import { tempDir } from './helpers/fixture.ts';

const script = (expect: RegExp[], extra: Partial<Parameters<typeof runScripted>[1]> = {}) => ({
  expect, fail: [], timeoutSeconds: 20, log: join(tempDir(), 'console.log'), signal: new AbortController().signal, echo: false, ...extra,
});

test('a process that exits before the expectations is a failure naming its status, the pattern and its output', async (t) => {
  const result = await runScripted(['sh', '-c', 'echo "failed to find romfile \\"efi-virtio.rom\\"" >&2; exit 1'], script([/NEVER-APPEARS/]));
  t.false(result.ok);
  if (result.ok) return;
  t.regex(result.reason, /exited with status 1 before \/NEVER-APPEARS\/ appeared/);
  t.true(result.tail.some((line) => line.includes('efi-virtio.rom')));
});

test('expectations met by the last output before a clean exit pass; unmet ones after it fail', async (t) => {
  t.true((await runScripted(['sh', '-c', 'echo one; echo two'], script([/one/, /two/]))).ok);
  const partly = await runScripted(['sh', '-c', 'echo one'], script([/one/, /two/]));
  t.false(partly.ok);
  t.deepEqual(partly.matched, ['one']);
});

test('a timeout names the expectation still waited for; the process is killed', async (t) => {
  const result = await runScripted(['sh', '-c', 'echo booting; exec sleep 30'], script([/booting/, /login/], { timeoutSeconds: 1 }));
  t.false(result.ok);
  if (!result.ok) t.regex(result.reason, /timeout after 1 s waiting for \/login\//);
});

test('without expectations a run passes when it lasts without a failure pattern, and fails on one', async (t) => {
  t.true((await runScripted(['sh', '-c', 'echo fine; exec sleep 30'], script([], { timeoutSeconds: 1 }))).ok);
  const failed = await runScripted(['sh', '-c', 'echo "Kernel panic - not syncing"; exec sleep 30'], script([], { fail: [/Kernel panic/] }));
  t.false(failed.ok);
});

const qemu = whichSync('qemu-system-aarch64');
if (!qemu) console.log('SKIP run qemu exit-status test: qemu-system-aarch64 is not installed (apt-get install qemu-system-arm)');
(qemu ? test : test.skip)('run qemu exits 2 when QEMU dies at start, naming the unmet expectation and QEMU\'s status', async (t) => {
  const build = tempDir();
  const image = join(build, 'deploy/qemu-arm64/image');
  mkdirSync(image, { recursive: true });
  writeFileSync(join(image, 'Image'), '');
  writeFileSync(join(image, 'cmdline.txt'), 'console=ttyAMA0\n');
  writeFileSync(join(image, 'manifest.json'), JSON.stringify({ machine: 'qemu-arm64', image: 'image',
    files: [{ path: 'initrd.cpio.gz', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', recipe: 'initrd', version: '1', signature: null }] }));
  writeFileSync(join(image, 'initrd.cpio.gz'), '');
  const run = await runCli(['run', 'qemu', '--machine', 'qemu-arm64', '--build-dir', build, '--expect', 'NEVER-APPEARS', '--timeout', '30',
    '--', '-device', 'no-such-device-model'], { timeoutMs: 60_000 });
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /QEMU exited with status 1 before \/NEVER-APPEARS\/ appeared/);
  t.regex(run.stderr, /no-such-device-model/);
});

test('run qemu refuses an image manifest whose file path leaves the deploy folder, naming the field', async (t) => {
  const build = tempDir();
  const image = join(build, 'deploy/qemu-arm64/image');
  mkdirSync(image, { recursive: true });
  writeFileSync(join(image, 'manifest.json'), JSON.stringify({ machine: 'qemu-arm64', image: 'image',
    files: [{ path: '../../../../etc/passwd.cpio.gz', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', recipe: 'initrd', version: '1', signature: null }] }));
  const run = await runCli(['run', 'qemu', '--machine', 'qemu-arm64', '--build-dir', build, '--timeout', '5'], { timeoutMs: 60_000 });
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /E_IMAGE_MANIFEST: files\[0\]\.path: ".*" is not a path inside the folder/);
  t.regex(run.stderr, /in .*manifest\.json/);
});
