/* The glue between FreeRTOS's port and the hardware Jailhouse gives the cell. */
#ifndef PLATFORM_H
#define PLATFORM_H
#include <stdint.h>

/* The EL1 virtual timer's PPI on every ARMv8 board. */
#define TIMER_PPI 27

/* GIC_VERSION (2 or 3) comes from the build: it picks the FreeRTOS port and the glue. */
#if GIC_VERSION == 3
#define GIC_INTID(iar) ((iar) & 0xffffff)
#else
#define GIC_INTID(iar) ((iar) & 0x3ff)
#endif

int gic_init(void);
void gic_enable_ppi(unsigned int irq);
uint64_t timer_frequency(void);
uint64_t timer_count(void);

#endif
