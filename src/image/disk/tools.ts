/** The host tools that write disk images (doctor checks them for machines with a disk layout). */
export const DISK_TOOLS = ['mke2fs', 'debugfs', 'mkfs.vfat', 'mmd', 'mcopy', 'sfdisk', 'bmaptool'] as const;
