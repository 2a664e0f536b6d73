/*
 * GICv2 for the FreeRTOS ARM_AARCH64 port: Jailhouse maps the virtual CPU interface where the
 * cell expects the CPU interface (comm region gicc_base); the port itself reads IAR and writes EOIR
 * and the priority mask there (configINTERRUPT_CONTROLLER_* from the machine). The timer's PPI is
 * enabled in the banked distributor register, as Jailhouse's inmate library does.
 */
#include "jailhouse.h"
#include "platform.h"

#define GICC_CTLR 0x0000
#define GICC_PMR 0x0004
#define GICD_ISENABLER0 0x0100

int gic_init(void)
{
	mmio_write32(comm_region->gicc_base + GICC_CTLR, 1);
	mmio_write32(comm_region->gicc_base + GICC_PMR, 0xff);
	return 0;
}

void gic_enable_ppi(unsigned int irq)
{
	mmio_write32(comm_region->gicd_base + GICD_ISENABLER0, 1U << irq);
}
