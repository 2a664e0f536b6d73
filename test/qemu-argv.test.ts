/** QEMU argv from the machine profile: pure, so checked directly. */
import test from 'ava';
import { chooseAccel, qemuArgv } from '../src/qemu/argv.ts';
import { machine } from './helpers/machines.ts';

test('memory, -smp and the cmdline follow the machine; headless; extra args last', async (t) => {
  const m = await machine('qemu-arm64');
  const argv = qemuArgv(m, { kernel: '/d/Image', initrd: '/d/initrd.cpio.gz', cmdline: ['mem=768M', 'console=ttyAMA0'] }, ['-s']);
  t.is(argv[0], 'qemu-system-aarch64');
  const value = (flag: string) => argv[argv.indexOf(flag) + 1];
  t.is(value('-machine'), 'virt,gic-version=3,virtualization=on,its=off');
  t.is(value('-cpu'), 'cortex-a57');
  t.is(value('-smp'), '5');
  t.is(value('-m'), '1024M');
  t.is(value('-append'), 'mem=768M console=ttyAMA0');
  t.true(argv.includes('-nographic'));
  t.false(argv.some((a) => a.includes('vc')), 'no vc devices');
  t.is(value('-nic'), 'none', 'no implicit NIC (its boot ROM would be one more package)');
  const networked = qemuArgv({ ...m, qemu: { ...m.qemu!, network: ['-nic', 'user,model=virtio-net-pci'] } }, { kernel: 'k', initrd: 'i', cmdline: [] });
  t.is(networked[networked.indexOf('-nic') + 1], 'user,model=virtio-net-pci', 'a declared network replaces -nic none');
  t.is(argv.at(-1), '-s');
  const more = qemuArgv({ ...m, cpus: 8 }, { kernel: 'k', initrd: 'i', cmdline: [] });
  t.is(more[more.indexOf('-smp') + 1], '8', 'the one CPU count drives -smp');
});

test('a machine without a qemu profile is refused with a hint', async (t) => {
  const m = await machine('rpi4');
  t.throws(() => qemuArgv(m, { kernel: 'k', initrd: 'i', cmdline: [] }), { message: /has no qemu profile/ });
});

test('a disk boots through a throwaway overlay unless a writable copy is given', async (t) => {
  const m = await machine('pc');
  const drive = (argv: string[]) => argv.find((a) => a.startsWith('file=/d/'));
  t.is(drive(qemuArgv(m, { disk: '/d/pc.img' })), 'file=/d/pc.img,format=raw,if=virtio,snapshot=on', 'the deployed image is never written');
  t.is(drive(qemuArgv(m, { disk: '/d/copy.img', writable: true })), 'file=/d/copy.img,format=raw,if=virtio');
});

test('qemu-x86 takes KVM where the host has /dev/kvm and svm, TCG with the emulated EPYC otherwise; --accel decides when given', async (t) => {
  const m = await machine('qemu-x86');
  const amdHost = { device: true, vmx: false, svm: true };
  const bare = { device: false, vmx: false, svm: false };
  const kvm = chooseAccel(m, amdHost);
  t.is(kvm.accel, 'kvm');
  const fast = qemuArgv(m, { kernel: 'k', initrd: 'i', cmdline: [] }, [], { accel: kvm });
  t.is(fast[fast.indexOf('-accel') + 1], 'kvm');
  t.regex(fast[fast.indexOf('-cpu') + 1]!, /^host,/);
  const tcg = chooseAccel(m, bare);
  t.is(tcg.accel, 'tcg');
  t.regex(tcg.why, /\/dev\/kvm does not exist/);
  const slow = qemuArgv(m, { kernel: 'k', initrd: 'i', cmdline: [] }, [], { accel: tcg });
  t.is(slow[slow.indexOf('-accel') + 1], 'tcg');
  t.is(slow[slow.indexOf('-cpu') + 1], 'EPYC');
  t.is(chooseAccel(m, { device: true, vmx: true, svm: false }).accel, 'tcg', 'an Intel host cannot run the AMD guest under KVM');
  t.is(chooseAccel(m, amdHost, 'tcg').accel, 'tcg', 'asked for');
  t.throws(() => chooseAccel(m, bare, 'kvm'), { message: /--accel kvm: \/dev\/kvm does not exist/ });
  t.is(chooseAccel(await machine('qemu-x86-vtd'), bare).accel, 'kvm', 'qemu-x86-vtd only runs under KVM (checkKvm refuses the host)');
});
