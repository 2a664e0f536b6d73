/* FreeRTOS for a Jailhouse cell on AArch64 (EL1, GICv3 system registers or GICv2 MMIO, virtual timer tick). */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#define configUSE_PREEMPTION 1
#define configUSE_PORT_OPTIMISED_TASK_SELECTION 0
#define configTICK_RATE_HZ 1000
#define configMAX_PRIORITIES 8
#define configMINIMAL_STACK_SIZE 512
#define configTOTAL_HEAP_SIZE (192 * 1024)
#define configMAX_TASK_NAME_LEN 12
#define configTICK_TYPE_WIDTH_IN_BITS TICK_TYPE_WIDTH_64_BITS
#define configUSE_IDLE_HOOK 0
#define configUSE_TICK_HOOK 0
#define configUSE_MUTEXES 1
#define configUSE_TIMERS 0
#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define configSUPPORT_STATIC_ALLOCATION 0
#define configCHECK_FOR_STACK_OVERFLOW 0
#define configUSE_TASK_FPU_SUPPORT 1
#define INCLUDE_vTaskDelay 1
#define INCLUDE_xTaskDelayUntil 1
#define INCLUDE_xTaskGetSchedulerState 1

/* 32 priority levels in the GIC; FreeRTOS API calls allowed from priority 18 (shifted) downwards. */
#define configUNIQUE_INTERRUPT_PRIORITIES 32
/* GICv2 (ARM_AARCH64 port): configINTERRUPT_CONTROLLER_BASE_ADDRESS and _CPU_INTERFACE_OFFSET come
 * from the build (the machine's distributor and CPU interface). */
#define configMAX_API_CALL_INTERRUPT_PRIORITY 18

void vConfigureTickInterrupt(void);
void vClearTickInterrupt(void);
#define configSETUP_TICK_INTERRUPT() vConfigureTickInterrupt()
#define configCLEAR_TICK_INTERRUPT() vClearTickInterrupt()

void vAssertCalled(const char *file, unsigned long line);
#define configASSERT(x) do { if (!(x)) vAssertCalled(__FILE__, __LINE__); } while (0)

#endif
