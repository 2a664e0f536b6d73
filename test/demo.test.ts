/**
 * What `run qemu --demo` runs and expects, from the machine alone: which cell, which inmate talks to
 * the root over the demo link (and how it is told to), the order of the console lines, and an /init
 * that a shell parses.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { renderTemplateFile } from '../src/render/index.ts';
import { demoCell, demoExpect, rootPeerOf, SOLO_INMATES, SSH_CLIENT, sshTarget } from '../src/system/demo.ts';
import { repoRoot } from './helpers/cli.ts';
import { machine } from './helpers/machines.ts';

test('qemu-x86: ivshmem-demo is the root\'s peer on the 3-peer demo device (01:0e.0) and is told to ring dev_id 0', async (t) => {
  const m = await machine('qemu-x86');
  const cell = demoCell(m, 'ivshmem');
  t.is(cell.name, 'ivshmem-demo');
  t.deepEqual(rootPeerOf(m, cell), { slot: '01:0e.0', rootDevId: 0, cmdline: 'target=0', inmateExpect: ['IVSHMEM: got interrupt 1 (#1)'] });
  t.true(SOLO_INMATES.has(cell.inmate!), 'it runs only when asked for: it rings and prints every second');
  t.deepEqual(demoExpect(m, cell), ['Activating hypervisor', 'Created cell "ivshmem-demo"', 'IVSHMEM: initialized device', 'IVSHMEM: got interrupt 1 (#1)',
    'jhbuild-demo: ivshmem-demo stopped', 'jhbuild-peer: ID = 0', 'jhbuild-peer: Interrupt #1', 'The Jailhouse was closed', 'jhbuild-demo: done']);
  // The default demo stays apic-demo, with no peer; the Linux cell is the demo link's third peer, not a root peer.
  t.is(demoCell(m, undefined).name, 'apic-demo');
  t.is(rootPeerOf(m, demoCell(m, undefined)), undefined);
  t.is(rootPeerOf(m, demoCell(m, 'linux')), undefined);
  t.deepEqual(demoCell(m, 'linux').pciDevices.filter((d) => d.bdf === 0x170).map((d) => [d.shmemDevId, d.shmemPeers]), [[2, 3]]);
});

test('an inmate on the demo device that does not talk to the root (ARM\'s gic-demo) has no root peer', async (t) => {
  const m = await machine('qemu-arm64');
  const cell = demoCell(m, 'inmate');
  t.true(cell.pciDevices.some((d) => d.shmemPeers === 3));
  t.is(rootPeerOf(m, cell), undefined);
});

test('the /init of a machine with a root peer is a shell script sh parses, loading uio_ivshmem and starting the peer on its slot', (t) => {
  const init = renderTemplateFile(join(repoRoot, 'templates/initrd/init.hbs'), {
    machine: 'qemu-x86', jailhouse: true, systemCell: 'qemu-x86.cell', demoSeconds: 5, rootNets: [], rootPeers: true, ssh: undefined,
    demos: [{ name: 'ivshmem-demo', always: false, pings: [], rootPeer: { slot: '01:0e.0' }, ssh: undefined, start: "start_cell ivshmem-demo qemu-x86-ivshmem-demo.cell ivshmem-demo.bin 'target=0'" }],
  });
  t.regex(init, /insmod \/usr\/lib\/jailhouse\/uio_ivshmem\.ko/);
  t.regex(init, /\[ "\$1" = ivshmem-demo \] && \{ peer_start 01:0e\.0 \|\| return 1; \}/);
  t.regex(init, /\[ "\$1" = ivshmem-demo \] && peer_stop/);
  t.notThrows(() => execFileSync('sh', ['-n'], { input: init }));
});

test('qemu-arm64: the Buildroot guest answers over ssh from the root after the pings; the busybox guest has no ssh', async (t) => {
  const m = await machine('qemu-arm64');
  t.is(m.guestRootfs, 'buildroot', 'the default guest');
  const linux = demoCell(m, 'linux');
  t.is(sshTarget(m, linux), '192.168.19.2');
  t.deepEqual(demoExpect(m, linux).slice(-5), ['3 packets transmitted, 3 packets received', 'jhbuild-ssh: PRETTY_NAME="Buildroot ',
    'jhbuild-demo: linux-demo stopped', 'The Jailhouse was closed', 'jhbuild-demo: done']);
  t.is(sshTarget(m, demoCell(m, 'inmate')), undefined);
  const busybox = { ...m, guestRootfs: 'busybox' as const };
  t.is(sshTarget(busybox, linux), undefined);
  t.false(demoExpect(busybox, linux).some((line) => line.startsWith('jhbuild-ssh')));
});

test('the /init of a machine with a Buildroot guest logs in with the key QEMU hands over, after the ping, and sh parses it', (t) => {
  const init = renderTemplateFile(join(repoRoot, 'templates/initrd/init.hbs'), {
    machine: 'qemu-arm64', jailhouse: true, systemCell: 'qemu-arm64.cell', demoSeconds: 5, rootNets: [{ slot: '00:01.0', address: '192.168.19.1', prefix: 24 }], rootPeers: false,
    ssh: { key: '/sys/firmware/qemu_fw_cfg/by_name/opt/jhbuild/guest-ssh-key/raw', client: SSH_CLIENT, command: 'grep PRETTY_NAME /etc/os-release' },
    demos: [{ name: 'linux-demo', always: false, pings: ['192.168.19.2'], rootPeer: undefined, ssh: '192.168.19.2', start: '/usr/libexec/jailhouse/linux/linux-demo/boot.sh' }],
  });
  t.regex(init, /ping_peer 192\.168\.19\.2 \|\| return 1; \}\n\t\[ "\$1" = linux-demo \] && \{ ssh_peer 192\.168\.19\.2 \|\| return 1; \}/);
  t.regex(init, /dbclient -y -i \/tmp\/jhbuild-guest-key "root@\$1" 'grep PRETTY_NAME \/etc\/os-release'/);
  t.notThrows(() => execFileSync('sh', ['-n'], { input: init }));
});
