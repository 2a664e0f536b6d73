/**
 * Trusted Firmware-A BL31 for the machine's platform (machine.bootFirmware.tfaPlatform): the
 * Raspberry Pi 4 armstub, the i.MX8M Mini EL3 firmware inside flash.bin. Source: the orig tarball of
 * Debian's arm-trusted-firmware source package, built the way Debian builds it (release, not debug).
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { debian, defineRecipe, JhError } from '../../src/index.ts';
import type { TaskContext } from '../../src/index.ts';

const platformOf = (ctx: TaskContext) => {
  const platform = ctx.machine.bootFirmware?.tfaPlatform;
  if (!platform) throw new JhError('E_MACHINE_FIELD', `machine ${ctx.machine.name} names no bootFirmware.tfaPlatform (TF-A's PLAT=)`, { file: ctx.machine.file, hint: 'e.g. bootFirmware: { tfaPlatform: \'rpi4\' }' });
  return platform;
};

// GCC 12 and binutils 2.40 warn where TF-A 2.8 builds with -Werror and --fatal-warnings (Debian's rules do the same).
const TOOLCHAIN_ENV = { CFLAGS: '--param=min-pagesize=0', LDFLAGS: '', TF_LDFLAGS: '--no-warn-rwx-segments' };

export default defineRecipe({
  name: 'tf-a',
  version: '2.8.0',
  license: 'BSD-3-Clause',
  summary: 'Trusted Firmware-A BL31 (EL3 runtime) for the board',
  source: debian({
    package: 'arm-trusted-firmware',
    version: '2.8.0+dfsg-1',
    file: 'arm-trusted-firmware_2.8.0+dfsg.orig.tar.xz',
    sha256: 'a4ecc35e0b893fe8682c075fc1bdb858de87e4cb18fbed9a1597e2c9f6d320de',
  }),
  machineKeys: ['name', 'crossCompile', 'bootFirmware'],
  tools: ['make'],
  tasks: {
    compile: (ctx) => ctx.exec('make', ['-C', ctx.dirs.src, `-j${ctx.jobs}`, `CROSS_COMPILE=${ctx.machine.crossCompile}`,
      `PLAT=${platformOf(ctx)}`, `BUILD_BASE=${ctx.dirs.build}`, 'bl31'], { env: TOOLCHAIN_ENV }).then(() => undefined),
    deploy(ctx) {
      copyFileSync(join(ctx.dirs.build, platformOf(ctx), 'release', 'bl31.bin'), join(ctx.dirs.deploy, 'bl31.bin'));
    },
  },
});
