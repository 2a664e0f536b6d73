/**
 * The root (and guest) kernel. The source is the orig tarball of Debian's `linux` source package
 * (6.1), fetched through the host's own apt sources and accepted only with the pinned sha256; or
 * any 6.1 tree with --src linux=PATH (e.g. Debian's linux-source-6.1). The patches export what the
 * Jailhouse driver links against and let it run the hypervisor from ioremapped memory. Config
 * fragments (fragments/) are chosen by each machine's kernel.fragments.
 */
import { debian, defineRecipe, linuxKernel } from '../../src/index.ts';

export default defineRecipe({
  name: 'linux',
  version: '6.1.170',
  license: 'GPL-2.0-only',
  summary: 'Linux kernel for the Jailhouse root cell',
  source: debian({
    package: 'linux',
    version: '6.1.170-3',
    file: 'linux_6.1.170.orig.tar.xz',
    sha256: 'd97c2b2683633677fa1f41bf5cc58cfac7664b84ca885ce6546d40fee87ba7fe',
  }),
  patches: [
    'patches/6.1/0001-mm-vmalloc-export-for-jailhouse.patch',
    'patches/6.1/0002-arm64-export-hyp-stub-vectors.patch',
    'patches/6.1/0003-x86-apic-export-lapic-timer-period.patch',
  ],
  kind: linuxKernel(),
});
