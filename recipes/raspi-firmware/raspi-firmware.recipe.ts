/**
 * The Raspberry Pi 4 GPU firmware that starts the board: start4*.elf and fixup4*.dat from Debian's
 * raspi-firmware binary package (component non-free-firmware, looked up on the host's own archives
 * without changing its apt configuration). Debian ships no overlays and no config.txt: jhbuild
 * renders those from the machine.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { debian, defineRecipe } from '../../src/index.ts';

export default defineRecipe({
  name: 'raspi-firmware',
  version: '1.20220830',
  license: 'LicenseRef-Broadcom-RPi-firmware',
  summary: 'Raspberry Pi GPU firmware and bootloader (start4.elf, fixup4.dat)',
  source: debian({
    package: 'raspi-firmware',
    version: '1.20220830+ds-1',
    file: 'raspi-firmware_1.20220830+ds-1_all.deb',
    sha256: '0094ced47a7fbb6a220ff83e7b43aa637a5d8f6802461e2e4e474597fb796f62',
    binary: true,
    component: 'non-free-firmware',
  }),
  tools: ['dpkg-deb'],
  tasks: {
    install(ctx) {
      const from = join(ctx.dirs.src, 'usr/lib/raspi-firmware');
      const to = join(ctx.dirs.dest, 'boot');
      mkdirSync(to, { recursive: true });
      // The Pi 4 family's loaders only (start4*, fixup4*); the licence travels with them.
      for (const f of readdirSync(from).filter((f) => /^(start4.*\.elf|fixup4.*\.dat)$/.test(f)).sort()) copyFileSync(join(from, f), join(to, f));
      copyFileSync(join(ctx.dirs.src, 'usr/share/doc/raspi-firmware/copyright'), join(to, 'LICENCE.raspi-firmware'));
    },
  },
});
