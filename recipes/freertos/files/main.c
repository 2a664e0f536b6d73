/*
 * The FreeRTOS demo cell: two periodic tasks of different priorities and a queue between them.
 * "sampler" (higher priority, every 250 ticks) sends its tick count; "reporter" (lower priority,
 * every 1000 ticks) drains the queue and prints; every line carries the tick count and the
 * virtual counter's time, so the console shows the scheduler keeping time.
 */
#include "FreeRTOS.h"
#include "task.h"
#include "queue.h"
#include "jailhouse.h"
#include "platform.h"

#define SAMPLER_PERIOD 250
#define REPORTER_PERIOD 1000

static QueueHandle_t samples;
static uint64_t started;

static unsigned long long elapsed_ms(void)
{
	return (timer_count() - started) * 1000 / timer_frequency();
}

static void sampler(void *unused)
{
	(void)unused;
	TickType_t wake = xTaskGetTickCount();
	for (;;) {
		vTaskDelayUntil(&wake, SAMPLER_PERIOD);
		TickType_t late = xTaskGetTickCount() - wake;
		xQueueSend(samples, &wake, 0);
		printk("sampler: tick %llu, %llu ms, %llu ticks late\n", (unsigned long long)wake, elapsed_ms(), (unsigned long long)late);
	}
}

static void reporter(void *unused)
{
	(void)unused;
	TickType_t wake = xTaskGetTickCount();
	for (;;) {
		vTaskDelayUntil(&wake, REPORTER_PERIOD);
		TickType_t sample, last = 0;
		unsigned int count = 0;
		while (xQueueReceive(samples, &sample, 0) == pdPASS) {
			last = sample;
			count++;
		}
		printk("reporter: tick %llu, %llu ms, %llu ticks late, %u samples from the queue, last at tick %llu\n",
		       (unsigned long long)wake, elapsed_ms(), (unsigned long long)(xTaskGetTickCount() - wake), count, (unsigned long long)last);
	}
}

int main(void)
{
	console_init();
	printk("FreeRTOS %s on Jailhouse: GICv%u, timer %llu Hz, tick %u Hz\n", tskKERNEL_VERSION_NUMBER,
	       (unsigned int)comm_region->gic_version, (unsigned long long)timer_frequency(), (unsigned int)configTICK_RATE_HZ);
	if (comm_region->gic_version != GIC_VERSION || gic_init() != 0) {
		printk("FreeRTOS: built for GICv%u, the cell has GICv%u (or no redistributor for this CPU); stopping\n",
		       (unsigned int)GIC_VERSION, (unsigned int)comm_region->gic_version);
		return 1;
	}
	samples = xQueueCreate(16, sizeof(TickType_t));
	xTaskCreate(sampler, "sampler", configMINIMAL_STACK_SIZE, NULL, 3, NULL);
	xTaskCreate(reporter, "reporter", configMINIMAL_STACK_SIZE, NULL, 2, NULL);
	started = timer_count();
	vTaskStartScheduler();
	printk("FreeRTOS: the scheduler returned (out of heap?)\n");
	return 1;
}

void vAssertCalled(const char *file, unsigned long line)
{
	printk("FreeRTOS: assertion failed at %s:%llu\n", file, (unsigned long long)line);
	for (;;)
		__asm__ volatile("wfi");
}

void vUnexpectedException(uint64_t esr, uint64_t elr)
{
	printk("FreeRTOS: unexpected exception, ESR %llx at %llx\n", (unsigned long long)esr, (unsigned long long)elr);
	for (;;)
		__asm__ volatile("wfi");
}

/* The compiler may call these for struct copies and zeroing; there is no C library. */
void *memset(void *to, int value, unsigned long size)
{
	unsigned char *p = to;
	while (size--)
		*p++ = (unsigned char)value;
	return to;
}

void *memcpy(void *to, const void *from, unsigned long size)
{
	unsigned char *d = to;
	const unsigned char *s = from;
	while (size--)
		*d++ = *s++;
	return to;
}
