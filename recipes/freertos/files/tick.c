/*
 * The FreeRTOS tick from the EL1 virtual timer (PPI 27), for either port. The compare value advances by whole
 * periods, so ticks do not drift with the time the handler takes.
 */
#include "FreeRTOS.h"
#include "task.h"
#include "platform.h"

static uint64_t period;

uint64_t timer_frequency(void)
{
	uint64_t freq;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	return freq;
}

uint64_t timer_count(void)
{
	uint64_t count;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(count));
	return count;
}

static void set_compare(uint64_t value)
{
	__asm__ volatile("msr cntv_cval_el0, %0; isb" : : "r"(value));
}

void vConfigureTickInterrupt(void)
{
	period = timer_frequency() / configTICK_RATE_HZ;
	set_compare(timer_count() + period);
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" : : "r"(1UL)); /* enabled, not masked */
	gic_enable_ppi(TIMER_PPI);
}

void vClearTickInterrupt(void)
{
	uint64_t next;
	__asm__ volatile("mrs %0, cntv_cval_el0" : "=r"(next));
	set_compare(next + period);
}

void vApplicationIRQHandler(uint32_t iar)
{
	if (GIC_INTID(iar) == TIMER_PPI)
		FreeRTOS_Tick_Handler();
}
