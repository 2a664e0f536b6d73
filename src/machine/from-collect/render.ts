/** The machine file and board layout of an imported PC, every value commented with where it came from. Pure. */
import { hex } from '../../cells/describe.ts';
import type { ConfigCreateOptions } from './upstream.ts';

export interface PcFacts {
  readonly name: string;
  readonly cpus: number;
  readonly ram: readonly { base: number; size: number }[];
  /** console= arguments of the target's root kernel. */
  readonly rootConsole: readonly string[];
  /** Port-I/O UARTs a cell may take (the root's console left out). */
  readonly uarts: readonly { tty: string; port: number; name: string; irq?: number }[];
  /** The inmate memory config create reserved beside the hypervisor (--mem-inmates). */
  readonly cellRam: { base: number; size: number };
  /** First of four free device slots on bus 0, for IVSHMEM devices. */
  readonly pciSlot?: number;
  readonly iommu: boolean;
  readonly vendor: 'AMD' | 'Intel';
}

export function renderPcMachine(facts: PcFacts, context: { rootCellFile: string; indexImport: string; notes: readonly string[]; options: ConfigCreateOptions }): { machine: string; board: string } {
  const console1 = facts.uarts[0];
  const cells = console1 ? [
    // apic-demo polls its console: the port without its interrupt, which the Linux cell takes.
    `    { name: 'apic-demo', ram: { size: 0x100000 }, cpus: 1, console: '${console1.name}', inmate: 'apic-demo.bin' },`,
    `    { name: 'linux-x86-demo', ram: { size: 0x3a00000 }, cpus: 1, devices: ['${console1.name}'], linux: { cmdline: 'console=${console1.tty} 8250.nr_uarts=1' } },`,
  ] : ['    // FINDING: the archive shows no serial port a cell could take besides the root\'s console: declare cells by hand.'];
  const machine = `/**
 * ${facts.name}: imported from \`jailhouse config collect\` with \`jhbuild machine import\` (upstream's config create,
 * --mem-hv ${context.options.memHv} --mem-inmates ${context.options.memInmates}). The root cell is ${context.rootCellFile}
 * (its C source beside it); jhbuild adds the cells, placed by needs in the inmate memory, and the cmdline.
${context.notes.map((n) => ` * NOTE: ${n}\n`).join('')} */
import { defineMachine } from '${context.indexImport}';
import { board } from './board.ts';

export default defineMachine({
  name: '${facts.name}',
  summary: 'x86 PC (${facts.vendor}) from its collected hardware${facts.iommu ? '' : ', no IOMMU'}',
  arch: 'x86',
  crossCompile: 'x86_64-linux-gnu-',
  // The root cell's CPU set.
  cpus: ${facts.cpus},
  // /proc/iomem's System RAM.
  ram: [${facts.ram.map((r) => `{ base: ${hex(r.base)}, size: ${hex(r.size)} }`).join(', ')}],
  reservation: 'memmap',${facts.vendor === 'Intel' && facts.iommu ? '\n  // VT-d belongs to the hypervisor.\n  intelIommuOff: true,' : ''}
  // The target's own console= (/proc/cmdline).
  rootConsole: [${facts.rootConsole.map((c) => `'${c}'`).join(', ')}],
  rootCellFile: '${context.rootCellFile}',
  board,
  cells: [
${cells.join('\n')}
  ],
  kernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-root-x86.config', 'fragments/pc.config'], image: 'bzImage', dtbs: [] },
  guestKernel: { base: 'allnoconfig', fragments: ['fragments/jailhouse-guest-x86.config'], image: 'bzImage', dtbs: [] },
  guestRootfs: 'busybox',
  // A UEFI disk as machines/pc's: GRUB and the kernel on the ESP, the root file system on ext4.
  image: {
    table: 'gpt',
    partitions: [
      { name: 'esp', type: 'esp', size: 64 * 0x100000, content: 'boot' },
      { name: 'root', type: 'linux-root-x86-64', size: 'fit', content: 'root' },
    ],
  },
  boot: 'grub-efi',
});
`;
  const board = `/** Where jhbuild may place cells on ${facts.name}, from its collected hardware. */
import { consoles, type BoardLayout } from '${context.indexImport}';

export const board: BoardLayout = {
  // The inmate memory config create reserved after the hypervisor's (memmap=).
  cellRam: [{ base: ${hex(facts.cellRam.base)}, size: ${hex(facts.cellRam.size)} }],
  // No memory outside the root's RAM is known to be free: IVSHMEM links need a range here.
  sharedMemory: [],
${facts.pciSlot === undefined ? '' : `  // Device slots no collected device uses on bus 0, for IVSHMEM devices.\n  pciSlots: { bus: 0, first: ${hex(facts.pciSlot)}, count: 4 },\n`}  devices: {
${facts.uarts.map((u) => `    // ${u.tty} (/sys/class/tty/${u.tty}/port)\n    ${u.name}: { pio: [{ base: ${hex(u.port)}, length: 8 }]${u.irq === undefined ? '' : `, irqs: [${u.irq}]`}, console: consoles.uart8250Pio(${hex(u.port)}, { size: 0 }) },`).join('\n')}
  },
};
`;
  return { machine, board };
}
