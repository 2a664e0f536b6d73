/** The PC devices both x86 machines hand to cells: the legacy COM ports and the OXPCIe952 card upstream's demos use. */
import { consoles, type BoardLayout, type MachineInput } from '../src/index.ts';

/** COM1, the hypervisor's debug console (the root kernel talks on COM2). */
export const COM1 = 0x3f8;
export const COM2 = 0x2f8;
/** The Oxford OXPCIe952 serial card's port (upstream's linux-x86-demo). */
export const OXPCIE952 = 0xe010;

/** COM2 is not offered: it is the root kernel's console on both x86 machines (console=ttyS1). */
export const pcDevices: BoardLayout['devices'] = {
  com1: { pio: [{ base: COM1, length: 8 }], irqs: [4], console: consoles.uart8250Pio(COM1, { size: 0 }) },
  oxpcie952: { pio: [{ base: OXPCIE952, length: 8 }] },
};

/** A PC's UEFI disk: GRUB (EFI/BOOT/BOOTX64.EFI) and the kernel on the ESP, the root file system on ext4. */
export const UEFI_DISK: NonNullable<MachineInput['image']> = {
  table: 'gpt',
  partitions: [
    { name: 'esp', type: 'esp', size: 64 * 0x100000, content: 'boot' },
    { name: 'root', type: 'linux-root-x86-64', size: 'fit', content: 'root' },
  ],
};
