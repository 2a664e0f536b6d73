/**
 * NXP's LPDDR4 training firmware for the i.MX8M Mini, which U-Boot's SPL loads into the DDR PHY.
 * NXP ships it in a self-extracting archive under its EULA; jhbuild fetches and unpacks it only
 * when the user accepted that licence (`--accept-license imx-firmware`, or licensesAccepted in the
 * machine or a layer). The sha256 pins the file named by U-Boot's imx8mm_evk documentation.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineRecipe, tarball } from '../../src/index.ts';

const VERSION = '8.9';

export default defineRecipe({
  name: 'imx-firmware',
  version: VERSION,
  license: 'LicenseRef-NXP-EULA',
  summary: 'NXP i.MX LPDDR4 training firmware (lpddr4_pmu_train_*), under NXP\'s EULA',
  source: tarball({
    url: `https://www.nxp.com/lgfiles/NMG/MAD/YOCTO/firmware-imx-${VERSION}.bin`,
    sha256: 'a72f70fd2ecaa58800bb88ed672fddc322ab9843ee7777eb89b82016b0aa3614',
  }),
  tools: ['sh'],
  tasks: {
    // A shell self-extractor, not a tarball: it asks for the EULA unless told it was accepted.
    async unpack(ctx) {
      mkdirSync(ctx.dirs.src, { recursive: true });
      await ctx.exec('sh', [ctx.download!, '--auto-accept', '--force'], { cwd: ctx.dirs.src });
    },
    install(ctx) {
      const ddr = join(ctx.dirs.src, `firmware-imx-${VERSION}`, 'firmware/ddr/synopsys');
      const to = join(ctx.dirs.dest, 'lib/firmware/imx/ddr');
      mkdirSync(to, { recursive: true });
      for (const f of readdirSync(ddr).filter((f) => /^lpddr4_pmu_train_.*\.bin$/.test(f)).sort()) copyFileSync(join(ddr, f), join(to, f));
    },
  },
});
