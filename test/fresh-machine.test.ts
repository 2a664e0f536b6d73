/**
 * The fresh-machine tier: a minimal Debian 12 root (mmdebstrap --variant=minbase) made from the
 * host's own apt sources, given the host's npm configuration and locally added CA certificates
 * (the archive, registry and trust a user's machine is set up for) and nothing else. In it, a clean
 * copy of this project runs the commands CI runs: the exact `./jhbuild doctor --install ...` line of
 * .ci/run (every machine CI builds; it must bootstrap Node and install every package by name), the
 * same doctor without --install, which must pass, the base image of one machine per architecture
 * (qemu-arm64, pc) from Debian's sources alone, and a boot of the qemu-arm64 one by `run qemu` with
 * no extra QEMU arguments. A warm developer machine cannot hide a missing package here.
 */
import test from 'ava';
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { whichSync } from '../src/exec/which.ts';
import { repoRoot } from './helpers/cli.ts';

const work = process.env.JHBUILD_FRESH_DIR ?? join(tmpdir(), 'jhbuild-fresh');
const root = join(work, 'root');
const jailhouseSrc = process.env.JHBUILD_JAILHOUSE_SRC;
const freertosSrc = process.env.JHBUILD_FREERTOS_SRC;
const ivshmemNetSrc = process.env.JHBUILD_IVSHMEM_NET_SRC;

function missing(): string | undefined {
  if (process.env.JHBUILD_FRESH === '0') return 'JHBUILD_FRESH=0';
  if (process.getuid?.() !== 0) return 'needs root (mmdebstrap --mode=root, chroot)';
  for (const tool of ['mmdebstrap', 'unshare', 'chroot']) if (!whichSync(tool)) return `${tool} is not installed (apt-get install mmdebstrap util-linux coreutils)`;
  return undefined;
}

/** The host's apt source files, less the deb-src entries jhbuild itself may have added. */
function hostAptSources(): string[] {
  const dir = '/etc/apt/sources.list.d';
  const files = existsSync('/etc/apt/sources.list') && readFileSync('/etc/apt/sources.list', 'utf8').trim() ? ['/etc/apt/sources.list'] : [];
  for (const name of readdirSync(dir).sort()) if (/\.(list|sources)$/.test(name) && !name.startsWith('jhbuild-deb-src')) files.push(join(dir, name));
  return files;
}

/** What a user's machine is set up with besides Debian itself: npm config, local CAs, name resolution. */
function copyHostSetup(): void {
  const files = ['/etc/npmrc', '/root/.npmrc', '/etc/resolv.conf', '/etc/hosts'];
  if (existsSync('/usr/local/share/ca-certificates')) {
    for (const name of readdirSync('/usr/local/share/ca-certificates')) files.push(join('/usr/local/share/ca-certificates', name));
  }
  for (const file of files.filter((f) => existsSync(f))) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    rmSync(join(root, file), { force: true });
    copyFileSync(file, join(root, file));
  }
}

/** A clean copy of the project: the files git knows (tracked or new, not ignored), as a clone would have. */
function copyProject(to: string): void {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(repoRoot, file))) continue;
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(to, file), { verbatimSymlinks: true });
  }
}

interface Step { code: number | null; output: string; seconds: number }

/** Runs a shell command in the root, in a private mount namespace (its mounts vanish with it). */
function inRoot(name: string, script: string, timeoutMs: number): Promise<Step> {
  const log = join(work, `${name}.log`);
  const mounts = [`mount -t proc proc ${root}/proc`, `mount -t sysfs sys ${root}/sys`, `mount --rbind /dev ${root}/dev`, `mount -t tmpfs tmp ${root}/tmp`].join(' && ');
  const env = ['HOME=/root', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8', 'CI=1', 'NO_COLOR=1'];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c',
      `${mounts} && exec chroot ${root} /usr/bin/env -i ${env.join(' ')} sh -c "$1"`, 'sh', `cd /root/jhbuild && ${script}`],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out = createWriteStream(log);
    let output = '';
    const keep = (d: Buffer) => { out.write(d); output = (output + d.toString()).slice(-200_000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      out.end();
      console.log(`fresh-machine: ${name}: exit ${code} after ${Math.round((Date.now() - started) / 1000)} s (log ${log})`);
      resolve({ code, output, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const tail = (text: string) => text.split('\n').slice(-40).join('\n');

/** The doctor line of .ci/run, word for word: the tier proves what CI itself will run. */
function ciDoctorLine(): string {
  const line = readFileSync(join(repoRoot, '.ci/run'), 'utf8').split('\n').find((l) => /^\.\/jhbuild doctor --install\b/.test(l.trim()));
  if (!line) throw new Error('.ci/run has no ./jhbuild doctor --install line');
  return line.trim();
}

const reason = missing();
if (reason) console.log(`SKIP fresh-machine tier: ${reason}`);
if (!reason && (!jailhouseSrc || !freertosSrc || !ivshmemNetSrc)) {
  console.log('SKIP fresh-machine Jailhouse demo: set JHBUILD_JAILHOUSE_SRC (siemens/jailhouse), JHBUILD_FREERTOS_SRC (FreeRTOS-Kernel V11.1.0) '
    + 'and JHBUILD_IVSHMEM_NET_SRC (a Jailhouse kernel-queue tree) to build the full image and run --demo in the fresh root');
}

(reason ? test.skip : test.serial)('a bare Debian 12 root: doctor --install, the qemu-arm64 image from Debian sources, and its boot', async (t) => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const started = Date.now();
  execFileSync('mmdebstrap', ['--variant=minbase', '--mode=root', '--quiet', 'bookworm', root, ...hostAptSources()], { stdio: 'pipe' });
  console.log(`fresh-machine: minbase root in ${Math.round((Date.now() - started) / 1000)} s`);
  t.false(existsSync(join(root, 'usr/bin/node')), 'the root starts without Node');
  t.false(existsSync(join(root, 'usr/bin/git')), 'and without git');
  copyHostSetup();
  copyProject(join(root, 'root/jhbuild'));

  const doctorLine = ciDoctorLine();
  const doctor = await inRoot('doctor-install', doctorLine, 30 * 60_000);
  t.is(doctor.code, 0, tail(doctor.output));
  const again = await inRoot('doctor', doctorLine.replace(' --install', ''), 5 * 60_000);
  t.is(again.code, 0, tail(again.output));
  t.regex(again.output, /every check passed/);

  const image = await inRoot('image-base', './jhbuild image --image image-base --machine qemu-arm64', 60 * 60_000);
  t.is(image.code, 0, tail(image.output));
  const pc = await inRoot('image-base-pc', './jhbuild image --image image-base --machine pc', 60 * 60_000);
  t.is(pc.code, 0, tail(pc.output));
  t.true(existsSync(join(root, 'root/jhbuild/build/deploy/pc/image-base/pc.img')), 'the pc disk image is made in the fresh root');
  const boot = await inRoot('boot', "./jhbuild run qemu --machine qemu-arm64 --image image-base --expect 'jhbuild-init: ready' --fail 'Kernel panic' --timeout 300", 10 * 60_000);
  t.is(boot.code, 0, tail(boot.output));
  t.regex(boot.output, /every expectation met/);
  console.log(`fresh-machine: whole tier ${Math.round((Date.now() - started) / 1000)} s`);
});

(reason || !jailhouseSrc || !freertosSrc || !ivshmemNetSrc ? test.skip : test.serial)('the fresh root builds the Jailhouse image (--src jailhouse, freertos, ivshmem-net) and runs the demo with no extra QEMU arguments', async (t) => {
  t.true(existsSync(join(root, 'root/jhbuild/build/deploy/qemu-arm64/image-base')), 'runs after the base tier');
  cpSync(jailhouseSrc!, join(root, 'root/jailhouse'), { recursive: true });
  cpSync(freertosSrc!, join(root, 'root/freertos'), { recursive: true });
  cpSync(ivshmemNetSrc!, join(root, 'root/ivshmem-net'), { recursive: true });
  const image = await inRoot('image', './jhbuild image --machine qemu-arm64 --src jailhouse=/root/jailhouse --src freertos=/root/freertos --src ivshmem-net=/root/ivshmem-net', 30 * 60_000);
  t.is(image.code, 0, tail(image.output));
  const demo = await inRoot('demo', "./jhbuild run qemu --machine qemu-arm64 --demo --fail 'Kernel panic|Unhandled|FATAL' --timeout 300", 10 * 60_000);
  t.is(demo.code, 0, tail(demo.output));
  t.regex(demo.output, /Timer fired/);
});
