/** What each PCI device of a cell points at exists in the cell: its capabilities, and an IVSHMEM device's regions and dev_id. */
import { hex } from '../describe.ts';
import { PCI_TYPE } from '../model.ts';
import { ivshmemRegionCount } from './ivshmem.ts';
import type { CellRule } from './rule.ts';

export const pciDevicesRule: CellRule = {
  name: 'pci-devices',
  forCells(_ctx, add) {
    return (cell) => cell.pciDevices.forEach((d, i) => {
      if (d.numCaps > 0 && d.capsStart + d.numCaps > cell.pciCaps.length) {
        add({ code: 'E_PCI_CAPS_RANGE', cell: cell.name, message: `PCI device ${i} (bdf ${hex(d.bdf)}) uses caps ${d.capsStart}..${d.capsStart + d.numCaps - 1}, the cell has ${cell.pciCaps.length}`,
          hint: 'fix caps_start/num_caps or add the missing capabilities' });
      }
      if (d.type !== PCI_TYPE.IVSHMEM) return;
      const needed = ivshmemRegionCount(d);
      if (d.shmemRegionsStart + needed > cell.memory.length) {
        add({ code: 'E_IVSHMEM_REGIONS', cell: cell.name, message: `IVSHMEM device ${i} (bdf ${hex(d.bdf)}) needs ${needed} regions from index ${d.shmemRegionsStart}, the cell has ${cell.memory.length}`,
          hint: 'point shmem_regions_start at the device\'s state table region' });
      }
      if (d.shmemDevId >= d.shmemPeers) {
        add({ code: 'E_IVSHMEM_DEV_ID', cell: cell.name, message: `IVSHMEM device ${i} (bdf ${hex(d.bdf)}) has dev_id ${d.shmemDevId} but only ${d.shmemPeers} peers`,
          hint: 'dev_id must be below the peer count' });
      }
    });
  },
};
