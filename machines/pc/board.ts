/** Where jhbuild may place cells on the sample PC (the board layout) and the devices it can give them. */
import type { BoardLayout } from '../../src/index.ts';
import { pcDevices } from '../x86-common.ts';

export const board: BoardLayout = {
  // The inmate area `jailhouse config create --mem-inmates 60M` left after the hypervisor.
  cellRam: [{ base: 0x3b600000, size: 0x3c00000 }],
  sharedMemory: [],
  devices: pcDevices,
};
