/**
 * IP addresses on the machine's IVSHMEM networks, derived from the cells: every veth device (one
 * per `net` link end) gets 192.168.<19 + n>.<dev_id + 1>/24, n counting the machine's distinct
 * veth bdfs in order. Jailhouse's own demos use 192.168.19.1 for the root and .2 for its peer:
 * a machine with one net link gets exactly that.
 */
import { bdfName } from '../../cells/describe.ts';
import { PCI_TYPE, SHMEM_PROTO } from '../../cells/model.ts';
import type { Cell } from '../../cells/model.ts';
import type { Machine } from '../../machine/types.ts';

export interface NetEnd {
  /** The device's slot on the cell's virtual PCI bus, as sysfs names it after the domain ("00:01.0"). */
  readonly slot: string;
  readonly address: string;
  readonly prefix: number;
  readonly peers: number;
}

const FIRST_SUBNET = 19;

const isVeth = (d: Cell['pciDevices'][number]) => d.type === PCI_TYPE.IVSHMEM && d.shmemProtocol === SHMEM_PROTO.VETH;

/** The veth ends of one cell (the root cell's name is the machine's system cell name). */
export function netEnds(machine: Machine, cellName: string): NetEnd[] {
  const cells: Pick<Cell, 'name' | 'pciDevices'>[] = [machine.system.rootCell, ...machine.cells];
  const bdfs = [...new Set(cells.flatMap((c) => c.pciDevices.filter(isVeth).map((d) => d.bdf)))].sort((a, b) => a - b);
  const cell = cells.find((c) => c.name === cellName);
  return (cell?.pciDevices ?? []).filter(isVeth).map((d) => ({
    slot: bdfName(d.bdf),
    address: `192.168.${FIRST_SUBNET + bdfs.indexOf(d.bdf)}.${d.shmemDevId + 1}`,
    prefix: 24,
    peers: d.shmemPeers,
  }));
}

/** The ends of a cell the root can reach: those on a subnet the root has an end on (what the demo pings). */
export function rootReachable(machine: Machine, cellName: string): NetEnd[] {
  const subnet = (address: string) => address.replace(/\.\d+$/, '');
  const rootSubnets = new Set(netEnds(machine, machine.system.rootCell.name).map((n) => subnet(n.address)));
  return netEnds(machine, cellName).filter((n) => rootSubnets.has(subnet(n.address)));
}
