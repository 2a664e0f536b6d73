/** Device-tree work shared by the boot methods that hand the root kernel a dtb (rpi-firmware, uboot-imx). */
import { writeFileSync } from 'node:fs';
import { runProcess } from '../exec/index.ts';

interface DtcRun { readonly log: string; readonly signal?: AbortSignal }

/** An overlay source compiled with symbols (-@), as firmware and fdtoverlay expect. */
export async function compileOverlay(source: string, dtbo: string, run: DtcRun): Promise<void> {
  const dts = dtbo.replace(/\.dtbo$/, '.dtso');
  writeFileSync(dts, source);
  await runProcess('dtc', ['-@', '-q', '-I', 'dts', '-O', 'dtb', '-o', dtbo, dts], { log: run.log, signal: run.signal });
}

/** The board dtb with the overlay applied: what the root kernel boots with when no firmware applies overlays. */
export async function applyOverlay(dtb: string, dtbo: string, out: string, run: DtcRun): Promise<void> {
  await runProcess('fdtoverlay', ['-i', dtb, '-o', out, dtbo], { log: run.log, signal: run.signal });
}
