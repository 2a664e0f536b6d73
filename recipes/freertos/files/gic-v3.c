/*
 * GICv3 for the FreeRTOS ARM_AARCH64_SRE port: the CPU interface through system registers, the
 * timer's PPI enabled in this CPU's redistributor (found by affinity, as Jailhouse's inmate library
 * does); the distributor and redistributor addresses come from the communication region.
 */
#include "jailhouse.h"
#include "platform.h"

#define GICR_TYPER 0x0008
#define GICR_PIDR2 0xffe8
#define GICR_SGI_BASE 0x10000
#define GICR_ISENABLER0 0x0100
#define GICR_STRIDE 0x20000

static uint64_t gicr;

static uint64_t find_redistributor(void)
{
	uint64_t mpidr, at = comm_region->gicr_base;
	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	uint32_t aff = (uint32_t)(((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff));
	for (;;) {
		if (((mmio_read32(at + GICR_PIDR2) >> 4) & 0xf) != 3)
			return 0;
		uint64_t typer = mmio_read32(at + GICR_TYPER) | (uint64_t)mmio_read32(at + GICR_TYPER + 4) << 32;
		if ((typer >> 32) == aff)
			return at;
		if (typer & (1 << 4)) /* Last */
			return 0;
		at += GICR_STRIDE;
	}
}

int gic_init(void)
{
	gicr = find_redistributor();
	if (!gicr)
		return -1;
	__asm__ volatile("msr S3_0_C12_C12_4, %0" : : "r"(0UL));	/* ICC_CTLR_EL1: EOI also deactivates */
	__asm__ volatile("msr S3_0_C4_C6_0, %0" : : "r"(0xffUL));	/* ICC_PMR_EL1: let all priorities in */
	__asm__ volatile("msr S3_0_C12_C12_3, %0" : : "r"(0UL));	/* ICC_BPR1_EL1 */
	__asm__ volatile("msr S3_0_C12_C12_7, %0" : : "r"(1UL));	/* ICC_IGRPEN1_EL1 */
	__asm__ volatile("isb");
	return 0;
}

/*
 * Only enable: the priority in the redistributor is the physical one, which the hypervisor's own
 * priority mask (0xf0) must let through; Jailhouse injects the virtual interrupt at priority 0.
 */
void gic_enable_ppi(unsigned int irq)
{
	mmio_write32(gicr + GICR_SGI_BASE + GICR_ISENABLER0, 1U << irq);
}
