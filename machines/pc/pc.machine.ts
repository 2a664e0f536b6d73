/**
 * A PC (x86 hardware). The root config is the target's own: run `jailhouse config create
 * --mem-hv 6M --mem-inmates 60M pc-root.cell` on it and point rootCellFile at the result (a layer
 * can override this machine). The sample is a 4-CPU, 1 GiB PC with the hypervisor and inmates at
 * 0x3b000000 (0x4200000 bytes), the seed user's layout. jhbuild adds the cells and the cmdline.
 */
import { CELL_FLAGS, cellDefaults, commRegion, consoles, defineMachine, ram } from '../../src/index.ts';
import { COM1, OXPCIE952, UEFI_DISK } from '../x86-common.ts';
import { board } from './board.ts';

export default defineMachine({
  name: 'pc',
  summary: 'x86 PC with VT-x/VT-d; root config from `jailhouse config create`',
  arch: 'x86',
  crossCompile: 'x86_64-linux-gnu-',
  cpus: 4,
  ram: [{ base: 0, size: 0x40000000 }],
  reservation: 'memmap',
  intelIommuOff: true,
  rootConsole: ['console=ttyS1,115200'],
  rootCellFile: 'sample-root.cell',
  board,
  cells: [
    {
      ...cellDefaults({
        name: 'apic-demo',
        flags: CELL_FLAGS.VIRTUAL_CONSOLE_PERMITTED,
        console: consoles.uart8250Pio(COM1, { size: 0 }),
        memory: [ram(0x3b600000, 0x100000, { virt: 0, loadable: true }), commRegion(0x100000)],
        // Not COM2: it is the root's console (cells check: E_ROOT_CONSOLE_TAKEN).
        pio: [{ base: COM1, length: 8 }, { base: OXPCIE952, length: 8 }],
      }),
      cpus: 1,
      inmate: 'apic-demo.bin',
    },
    { name: 'linux-x86-demo', ram: { size: 0x3a00000 }, cpus: 2, devices: ['com1', 'oxpcie952'], linux: { cmdline: 'console=ttyS0 8250.nr_uarts=1' } },
  ],
  kernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-root-x86.config', 'fragments/pc.config'], image: 'bzImage', dtbs: [] },
  qemu: {
    binary: 'qemu-system-x86_64', machine: 'q35', cpu: 'max',
    firmware: { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd' },
    diskInterface: 'virtio',
    // As on the PC: COM1 belongs to the hypervisor, the root's console is COM2, and that is this terminal.
    args: ['-serial', 'null', '-serial', 'mon:stdio'],
  },
  image: UEFI_DISK,
  boot: 'grub-efi',
});
