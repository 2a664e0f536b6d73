/**
 * QEMU x86 with an Intel CPU and QEMU's VT-d unit (intel-iommu): upstream's qemu-x86.c byte for
 * byte. VT-x inside a guest needs KVM with nested virtualization (kvm_intel nested=1), so the runner
 * refuses this machine on a host without it; qemu-x86 is the same system with an AMD CPU, which QEMU
 * also emulates (TCG).
 */
import { defineMachine, IOMMU_TYPE } from '../../src/index.ts';
import { q35, q35Platform, q35QemuArgs, q35RootCell, q35System } from '../qemu-x86/q35.ts';
import { UEFI_DISK } from '../x86-common.ts';

export default defineMachine({
  ...q35,
  name: 'qemu-x86-vtd',
  summary: 'QEMU x86_64 q35 with VT-x and VT-d, 1 GiB (needs nested KVM on an Intel host)',
  // VT-d belongs to the hypervisor: the root kernel must not take it.
  intelIommuOff: true,
  system: {
    ...q35System,
    platform: {
      ...q35Platform,
      // The emulated VT-d unit (intel-iommu).
      iommuUnits: [{ type: IOMMU_TYPE.INTEL, base: 0xfed90000, size: 0x1000, extra: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }],
    },
    rootCell: q35RootCell,
  },
  qemu: {
    binary: 'qemu-system-x86_64', machine: 'q35,kernel_irqchip=split', cpu: 'host,-kvm-pv-eoi,-kvm-pv-ipi,-kvm-asyncpf,-kvm-steal-time,-kvmclock',
    kvm: true,
    firmware: { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd' },
    diskInterface: 'virtio',
    args: ['-enable-kvm', '-device', 'intel-iommu,intremap=on,x-buggy-eim=on', ...q35QemuArgs],
  },
  image: UEFI_DISK,
  boot: 'grub-efi',
});
