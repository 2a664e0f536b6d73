/* What the Jailhouse kernel queue adds to or renamed in the kernel, for a plain 6.1 tree. */
#ifndef JHBUILD_IVSHMEM_NET_COMPAT_H
#define JHBUILD_IVSHMEM_NET_COMPAT_H

#include <linux/pci.h>

/* pci_ids.h of the queue: the IVSHMEM device Jailhouse's virtual PCI host exposes. */
#ifndef PCI_VENDOR_ID_SIEMENS
#define PCI_VENDOR_ID_SIEMENS	0x110a
#endif
#ifndef PCI_DEVICE_ID_IVSHMEM
#define PCI_DEVICE_ID_IVSHMEM	0x4106
#endif

/* Renamed from PCI_IRQ_LEGACY in 6.8. */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX		PCI_IRQ_LEGACY
#endif

#endif
