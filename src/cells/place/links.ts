/** IVSHMEM links: the regions and the device each peer gets, generated or taken over from a pinned peer. */
import { IVSHMEM_BAR_MASK_INTX, IVSHMEM_BAR_MASK_MSIX, MEM, PCI_TYPE, SHMEM_PROTO, type Arch, type Cell, type MemoryRegion, type PciDevice } from '../model.ts';
import { mem, pciDevice } from '../helpers.ts';
import type { LinkKind, LinkNeeds } from './needs.ts';

const EMPTY: MemoryRegion = { phys: 0, virt: 0, size: 0, flags: 0 };
const NET_OUTPUT = 0x7f000;
const VIRTIO_ID: Partial<Record<LinkKind, number>> = { 'virtio-blk': 2, 'virtio-console': 3 };
/** MSI-X vectors per kind on x86 (upstream's qemu-x86 choices); ARM uses INTx. */
const MSIX: Record<LinkKind, number> = { net: 2, shmem: 16, 'virtio-blk': 2, 'virtio-console': 3 };

/** Where a link's memory lies: the state table, the read/write section and one output section per peer. */
export interface LinkLayout {
  readonly state: { readonly phys: number; readonly size: number };
  readonly rw: { readonly phys: number; readonly size: number };
  readonly outputs: readonly { readonly phys: number; readonly size: number }[];
}

export function linkSizes(link: LinkNeeds): { rw: number; out: number } {
  switch (link.kind) {
    case 'net': return { rw: 0, out: NET_OUTPUT };
    case 'virtio-blk': return { rw: link.rwSize ?? 0xdf000, out: 0 };
    case 'virtio-console': return { rw: link.rwSize ?? 0xf000, out: 0 };
    case 'shmem': return { rw: link.rwSize ?? 0x9000, out: link.outSize ?? 0x2000 };
  }
}

/** A fresh layout at `start`: state table, read/write section, outputs in peer order. */
export function layoutAt(link: LinkNeeds, start: number): LinkLayout {
  const { rw, out } = linkSizes(link);
  const outStart = start + 0x1000 + rw;
  return {
    state: { phys: start, size: 0x1000 },
    rw: { phys: start + 0x1000, size: rw },
    outputs: link.peers.map((_, i) => ({ phys: out ? outStart + i * out : 0, size: out })),
  };
}

export const layoutSize = (link: LinkNeeds) => 0x1000 + linkSizes(link).rw + link.peers.length * linkSizes(link).out;

/** The layout a pinned peer's device already uses (its regions from regionsStart on). */
export function layoutOf(cell: Pick<Cell, 'memory'>, device: PciDevice): LinkLayout {
  const at = (i: number) => cell.memory[device.shmemRegionsStart + i] ?? EMPTY;
  return {
    state: { phys: at(0).phys, size: at(0).size },
    rw: { phys: at(1).phys, size: at(1).size },
    outputs: Array.from({ length: device.shmemPeers }, (_, i) => ({ phys: at(2 + i).phys, size: at(2 + i).size })),
  };
}

/** The regions one peer maps: read-only state table and other outputs, its own output writable. */
export function peerRegions(link: LinkNeeds, layout: LinkLayout, devId: number, rootShared: boolean): MemoryRegion[] {
  const rs = rootShared ? MEM.ROOTSHARED : 0;
  const part = (p: { phys: number; size: number }, flags: number, comment: string): MemoryRegion =>
    (p.size === 0 ? EMPTY : mem(p.phys, p.size, flags | rs, { comment }));
  return [
    part(layout.state, MEM.READ, `IVSHMEM ${link.name}: state table`),
    part(layout.rw, MEM.READ | MEM.WRITE, `IVSHMEM ${link.name}: read/write section`),
    ...layout.outputs.map((out, peer) => part(out, MEM.READ | (peer === devId ? MEM.WRITE : 0), `IVSHMEM ${link.name}: output of ${link.peers[peer]}`)),
  ];
}

function protocolOf(link: LinkNeeds, devId: number): number {
  const virtio = VIRTIO_ID[link.kind];
  if (virtio !== undefined) return (devId === 0 ? SHMEM_PROTO.VIRTIO_BACK : SHMEM_PROTO.VIRTIO_FRONT) | virtio;
  return link.kind === 'net' ? SHMEM_PROTO.VETH : SHMEM_PROTO.UNDEFINED;
}

/** The device of one peer; a pinned peer's device (template) gives domain, BAR mask and vectors. */
export function peerDevice(arch: Arch, link: LinkNeeds, options: { domain: number; bdf: number; devId: number; regionsStart: number; template?: PciDevice }): PciDevice {
  const msix = options.template ? options.template.numMsixVectors : arch === 'x86' ? MSIX[link.kind] : 0;
  return pciDevice({
    type: PCI_TYPE.IVSHMEM, domain: options.template?.domain ?? options.domain, bdf: options.bdf,
    barMask: [...(options.template?.barMask ?? (msix ? IVSHMEM_BAR_MASK_MSIX : IVSHMEM_BAR_MASK_INTX))],
    numMsixVectors: msix, shmemRegionsStart: options.regionsStart, shmemDevId: options.devId, shmemPeers: link.peers.length,
    shmemProtocol: protocolOf(link, options.devId), comment: `IVSHMEM ${link.name} (${link.kind})`,
  });
}
