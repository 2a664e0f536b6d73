/** IVSHMEM links between cells: the ends of one link (peers pair by bdf) agree on peers, protocol and memory, and no end maps another link's memory. */
import { hex } from '../describe.ts';
import { PCI_TYPE, SHMEM_PROTO, type Cell, type MemoryRegion, type PciDevice } from '../model.ts';
import { overlaps, span } from './finding.ts';
import type { CheckRule } from './rule.ts';

/** Regions an IVSHMEM device uses from shmem_regions_start: ivshmem-net (VETH) always has four; the rest have state table, read/write section and one output per peer. */
export const ivshmemRegionCount = (d: PciDevice) => d.shmemProtocol === SHMEM_PROTO.VETH ? 4 : 2 + d.shmemPeers;

/** One end of a link: a device of the cell at `pos` in the root-first list. */
interface End { cell: Cell; pos: number; index: number; bdf: number; start: number; regions: MemoryRegion[]; peers: number; protocol: number; devId: number }

/** Every IVSHMEM device of every cell (root first), with the regions it maps. */
function ivshmemEnds(all: readonly Cell[]): End[] {
  return all.flatMap((cell, pos) => cell.pciDevices.flatMap((d, index) => d.type !== PCI_TYPE.IVSHMEM ? [] : [{
    cell, pos, index, bdf: d.bdf, start: d.shmemRegionsStart, peers: d.shmemPeers, protocol: d.shmemProtocol, devId: d.shmemDevId,
    regions: cell.memory.slice(d.shmemRegionsStart, d.shmemRegionsStart + ivshmemRegionCount(d)),
  }]));
}

const where = (e: End) => `"${e.cell.name}" (PCI device ${e.index})`;

export const ivshmemPeersRule: CheckRule = {
  name: 'ivshmem-peers',
  check({ all }, add) {
    const byBdf = new Map<number, End[]>();
    for (const e of ivshmemEnds(all)) byBdf.set(e.bdf, [...(byBdf.get(e.bdf) ?? []), e]);
    for (const [bdf, ends] of byBdf) {
      const first = ends[0]!;
      const layout = (e: End) => e.regions.filter((m) => m.size > 0).map((m) => `${hex(m.phys)}+${hex(m.size)}`).join(',');
      const ids = new Map<number, End>();
      for (const e of ends) {
        const base = { cell: e.cell.name, hint: `make every endpoint of IVSHMEM bdf ${hex(bdf)} agree with ${where(first)}` };
        if (e.peers !== first.peers) add({ ...base, code: 'E_IVSHMEM_PEER_COUNT', message: `IVSHMEM bdf ${hex(bdf)}: ${where(e)} has ${e.peers} peers, ${where(first)} has ${first.peers}` });
        if (!protocolsPair(e.protocol, first.protocol)) add({ ...base, code: 'E_IVSHMEM_PROTOCOL', message: `IVSHMEM bdf ${hex(bdf)}: ${where(e)} speaks protocol ${hex(e.protocol)}, ${where(first)} ${hex(first.protocol)}` });
        if (e.peers === first.peers && layout(e) !== layout(first)) add({ ...base, code: 'E_IVSHMEM_LAYOUT', message: `IVSHMEM bdf ${hex(bdf)}: ${where(e)} maps regions ${layout(e)}, ${where(first)} maps ${layout(first)}` });
        const dup = ids.get(e.devId);
        if (dup) add({ ...base, code: 'E_IVSHMEM_DEV_ID', message: `IVSHMEM bdf ${hex(bdf)}: ${where(e)} and ${where(dup)} both use dev_id ${e.devId}`, hint: 'give each peer its own dev_id (0 is the root cell)' });
        ids.set(e.devId, e);
      }
    }
  },
};

/** Equal protocols match, and so do a virtio front-end and back-end of the same device type. */
function protocolsPair(a: number, b: number): boolean {
  if (a === b) return true;
  const kinds = new Set([a & 0xc000, b & 0xc000]);
  return (a & 0x3fff) === (b & 0x3fff) && kinds.has(0x8000) && kinds.has(0xc000);
}

/**
 * An end that maps another cell's IVSHMEM memory on another bdf: the hypervisor links devices by
 * bdf only (ivshmem.c ivshmem_init), so each end waits for a peer on its own bdf and the link never
 * comes up, though both cells start. Reported on the later cell, once per bdf it should share.
 */
export const ivshmemUnpairedRule: CheckRule = {
  name: 'ivshmem-unpaired',
  check({ all }, add) {
    const ends = ivshmemEnds(all);
    for (const e of ends) {
      const earlier = ends.filter((o) => o.pos < e.pos && o.bdf !== e.bdf);
      const named = new Set<number>();
      for (const o of earlier) {
        if (named.has(o.bdf)) continue;
        const k = e.regions.findIndex((m) => m.size > 0 && o.regions.some((n) => n.size > 0 && overlaps(m.phys, m.phys + m.size, n.phys, n.phys + n.size)));
        if (k < 0) continue;
        named.add(o.bdf);
        const m = e.regions[k]!;
        add({ code: 'E_IVSHMEM_UNPAIRED', cell: e.cell.name, region: e.start + k, range: span(m),
          message: `IVSHMEM device ${e.index} (bdf ${hex(e.bdf)}) maps the shared memory of ${where(o)} on bdf ${hex(o.bdf)}; peers pair by bdf, so each end waits for a peer on its own bdf and the link never comes up`,
          hint: `give both ends the same bdf (${hex(o.bdf)} in "${e.cell.name}", or ${hex(e.bdf)} in "${o.cell.name}"), or give device ${e.index} memory of its own` });
      }
    }
  },
};
