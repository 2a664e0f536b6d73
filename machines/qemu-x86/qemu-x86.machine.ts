/**
 * QEMU x86 with an AMD CPU (SVM with nested paging): the system of upstream's qemu-x86.c, run where
 * no hardware virtualization reaches (QEMU's TCG emulates SVM and NPT), or under KVM on an AMD host
 * with nested SVM. The kernel and initramfs boot directly (SeaBIOS), so `run qemu --demo` drives it.
 *
 * No IOMMU: QEMU 7.2's amd-iommu reports no SMI filter in its extended features (0x29d3), which the
 * hypervisor requires (amd_iommu_init_features: -EIO), and an Intel unit is refused on AMD. With no
 * unit the hypervisor runs (upstream's "HACK for QEMU" paths) and confines CPUs and memory, but not
 * DMA: a device the root owns can reach every cell's memory, and interrupts are not remapped.
 */
import { defineMachine } from '../../src/index.ts';
import { q35, q35Platform, q35QemuArgs, q35RootCell, q35System } from './q35.ts';

export default defineMachine({
  ...q35,
  name: 'qemu-x86',
  summary: 'QEMU x86_64 q35 with an AMD CPU, 1 GiB: TCG anywhere, KVM on an AMD host with nested SVM (no IOMMU)',
  system: {
    ...q35System,
    platform: { ...q35Platform, iommuUnits: [] },
    rootCell: q35RootCell,
  },
  qemu: {
    binary: 'qemu-system-x86_64', machine: 'q35',
    // EPYC: SVM with NPT under TCG, and no 5-level paging (`max` has la57, which the hypervisor's paging does not know).
    cpu: 'EPYC',
    kvmWhenHost: { hostFlag: 'svm', cpu: 'host,-kvm-pv-eoi,-kvm-pv-ipi,-kvm-asyncpf,-kvm-steal-time,-kvmclock' },
    args: q35QemuArgs,
  },
  boot: 'qemu',
});
