/** The boot methods jhbuild has, by the SoC a tree's root compatible names; any other board gets none (a finding). */

export interface BootChoice {
  readonly soc: string;
  /** TypeScript text of the machine's boot, bootFirmware and image fields. */
  readonly fields: readonly string[];
}

const SD_MBR = (offset: string) => [
  '  image: {',
  "    table: 'mbr',",
  '    partitions: [',
  `      { name: 'boot', type: 'fat32',${offset} size: 64 * MiB, bootable: true, content: 'boot' },`,
  "      { name: 'root', type: 'linux', size: 'fit', content: 'root' },",
  '    ],',
  '  },',
];

const BOOTS: readonly (readonly [string, BootChoice])[] = [
  ['brcm,bcm2711', { soc: 'BCM2711', fields: [
    "  // The Pi's firmware boots an SD card's FAT partition; TF-A's BL31 (armstub) gives the PSCI Jailhouse needs.",
    "  boot: 'rpi-firmware',",
    "  bootFirmware: { tfaPlatform: 'rpi4' },",
    ...SD_MBR(''),
  ] }],
  ['fsl,imx8mm', { soc: 'i.MX8M Mini', fields: [
    '  // The boot ROM reads flash.bin at 33 KiB of an SD card; the first partition starts at 8 MiB, after it.',
    "  boot: 'uboot-imx',",
    "  bootFirmware: { tfaPlatform: 'imx8mm', ubootDefconfig: 'imx8mm_evk_defconfig', loaderOffset: 33 * 1024 },",
    ...SD_MBR(' offset: 8 * MiB,'),
  ] }],
];

export function bootFor(compatible: readonly string[]): BootChoice | undefined {
  return BOOTS.find(([c]) => compatible.includes(c))?.[1];
}
