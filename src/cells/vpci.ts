/**
 * The window Jailhouse's driver gives the root's virtual PCI host (driver/pci.c): one bus of
 * MMCONFIG, then 2 pages of BAR space per IVSHMEM device of the root. Root Linux claims it as a
 * device; anything else the root kernel knows at those addresses makes the probe fail.
 */
import { PCI_TYPE, type SystemConfig } from './model.ts';

const MMCONFIG_BUS = 0x100000;
const BAR_PAGES_PER_DEVICE = 2 * 0x1000;

export function vpciWindow(system: SystemConfig): { start: number; end: number } | undefined {
  const pf = system.platform;
  if (!pf.pciIsVirtual || !pf.pciMmconfigBase) return undefined;
  const devices = system.rootCell.pciDevices.filter((d) => d.type === PCI_TYPE.IVSHMEM).length;
  return { start: pf.pciMmconfigBase, end: pf.pciMmconfigBase + (pf.pciMmconfigEndBus + 1) * MMCONFIG_BUS + devices * BAR_PAGES_PER_DEVICE };
}
