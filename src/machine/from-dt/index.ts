/** A machine from a board's compiled device tree: parse, read the hardware, plan the memory map, render the files. Pure. */
import { parseFdt } from '../../devicetree/fdt.ts';
import { readHardware, type Hardware } from './hardware.ts';
import { planLayout, type Layout } from './layout.ts';
import { renderMachineFiles, type RenderOptions } from './render.ts';

export interface MachineFromDt {
  readonly hardware: Hardware;
  readonly layout: Layout;
  /** File name (NAME.machine.ts, board.ts) -> text. */
  readonly files: ReadonlyMap<string, string>;
}

export function machineFromDtb(bytes: Uint8Array, file: string, options: RenderOptions & { ram?: readonly { base: number; size: number }[] }): MachineFromDt {
  const hardware = readHardware(parseFdt(bytes, file), file, options.ram);
  const layout = planLayout(hardware);
  const { machine, board } = renderMachineFiles(hardware, layout, options);
  return { hardware, layout, files: new Map([[`${options.name}.machine.ts`, machine], ['board.ts', board]]) };
}

/** vendor/board.dtb when the path runs through a kernel tree's arch/<arch>/boot/dts/ (or dts/). */
export function kernelDtbOf(path: string): string | undefined {
  return /\/boot\/dts\/([\w.-]+\/[\w.,+-]+\.dtb)$/.exec(path.replaceAll('\\', '/'))?.[1];
}
