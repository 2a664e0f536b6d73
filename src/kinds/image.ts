/** The image kind: the image recipe's data; the assembly itself is src/image/assemble.ts. */
import type { Kind } from '../engine/recipe.ts';
import { BOOT_TOOLS } from '../boot/index.ts';
import { DISK_TOOLS } from '../image/disk/tools.ts';
import { assembleImage, SOURCE_DATE_EPOCH, type ImageParts } from '../image/assemble.ts';

export type { ImageParts } from '../image/assemble.ts';

export function bootImage(parts: ImageParts): Kind {
  return {
    name: 'image',
    machineKeys: ['name', 'arch', 'boot', 'bootFirmware', 'kernel', 'system', 'cells', 'ram', 'reservation', 'rootConsole', 'rootCmdline', 'rootDtProperties', 'intelIommuOff', 'image', 'guestRootfs'],
    tools: [...DISK_TOOLS, ...BOOT_TOOLS],
    vars: { initrd: parts.initrd, root: [...parts.root], sourceDateEpoch: SOURCE_DATE_EPOCH },
    tasks: {
      deploy: (ctx) => assembleImage(ctx, parts),
    },
  };
}
