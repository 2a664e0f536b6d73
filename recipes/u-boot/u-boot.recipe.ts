/**
 * U-Boot for boards booted by it (machine.bootFirmware.ubootDefconfig), from the orig tarball of
 * Debian's u-boot source package. For the i.MX8M Mini, binman assembles flash.bin (SPL + DDR
 * firmware + FIT with U-Boot and TF-A BL31), as U-Boot documents for imx8mm_evk. Without the DDR
 * firmware (its licence not accepted) binman still assembles the image around placeholders and
 * says so; the deploy carries the list of what is missing, and the image is marked not bootable.
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { debian, defineRecipe, JhError, REPRODUCIBLE_KBUILD } from '../../src/index.ts';
import type { TaskContext } from '../../src/index.ts';

const DDR_FIRMWARE = ['lpddr4_pmu_train_1d_imem.bin', 'lpddr4_pmu_train_1d_dmem.bin', 'lpddr4_pmu_train_2d_imem.bin', 'lpddr4_pmu_train_2d_dmem.bin'];
export const MISSING_FILE = 'flash.bin.missing';

const makeArgs = (ctx: TaskContext) => ['-C', ctx.dirs.src, `O=${ctx.dirs.build}`, `CROSS_COMPILE=${ctx.machine.crossCompile}`];

export default defineRecipe({
  name: 'u-boot',
  version: '2023.01',
  license: 'GPL-2.0-or-later',
  summary: 'U-Boot boot loader (flash.bin for i.MX8M boards)',
  source: debian({
    package: 'u-boot',
    version: '2023.01+dfsg-2+deb12u3',
    file: 'u-boot_2023.01+dfsg.orig.tar.xz',
    sha256: 'e75da6f089d063aaef39a1c17f1631791d87700662624e18de2121fa39a1ed44',
  }),
  depends: [
    { recipe: 'tf-a', task: 'deploy', for: 'compile' },
    { recipe: 'imx-firmware', task: 'install', for: 'compile', when: { licensesAccepted: ['imx-firmware'] } },
  ],
  machineKeys: ['name', 'crossCompile', 'bootFirmware', 'licensesAccepted'],
  // binman needs Python's libfdt (built from U-Boot's dtc with swig) and pyelftools; tools/ need OpenSSL.
  tools: ['make', 'gcc', 'bison', 'flex', 'swig', 'python3'],
  tasks: {
    async configure(ctx) {
      const defconfig = ctx.machine.bootFirmware?.ubootDefconfig;
      if (!defconfig) throw new JhError('E_MACHINE_FIELD', `machine ${ctx.machine.name} names no bootFirmware.ubootDefconfig`, { file: ctx.machine.file, hint: 'e.g. bootFirmware: { ubootDefconfig: \'imx8mm_evk_defconfig\' }' });
      await ctx.exec('make', [...makeArgs(ctx), defconfig]);
    },
    async compile(ctx) {
      copyFileSync(join(ctx.deps['tf-a']!.deploy, 'bl31.bin'), join(ctx.dirs.build, 'bl31.bin'));
      const ddr = ctx.deps['imx-firmware'] && join(ctx.deps['imx-firmware'].dest, 'lib/firmware/imx/ddr');
      for (const f of DDR_FIRMWARE) if (ddr && existsSync(join(ddr, f))) copyFileSync(join(ddr, f), join(ctx.dirs.build, f));
      const missing = DDR_FIRMWARE.filter((f) => !existsSync(join(ctx.dirs.build, f)));
      await ctx.exec('make', [...makeArgs(ctx), `-j${ctx.jobs}`, ...(missing.length ? ['BINMAN_ALLOW_MISSING=1'] : [])], { env: REPRODUCIBLE_KBUILD });
      writeFileSync(join(ctx.dirs.build, MISSING_FILE), missing.length
        ? `flash.bin lacks NXP's DDR training firmware (${missing.join(', ')}): binman filled placeholders and the board will not start. Accept NXP's licence with --accept-license imx-firmware (or licensesAccepted: ['imx-firmware'] in the machine), or put firmware-imx-8.9.bin in a --mirror folder and accept it.\n`
        : '');
    },
    deploy(ctx) {
      for (const f of ['flash.bin', MISSING_FILE]) copyFileSync(join(ctx.dirs.build, f), join(ctx.dirs.deploy, f));
      copyFileSync(join(ctx.dirs.build, 'u-boot.itb'), join(ctx.dirs.deploy, 'u-boot.itb'));
    },
  },
});
