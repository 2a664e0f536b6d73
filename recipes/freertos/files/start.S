/*
 * Entry of the FreeRTOS inmate: Jailhouse starts the cell's CPU at guest address 0 in EL1 with
 * the MMU off. Set the exception stack, allow FP/SIMD, clear .bss, run main. The port installs
 * _freertos_vector_table itself when the scheduler starts.
 */
	.section ".boot", "ax"
	.globl _start
_start:
	ldr	x0, =__stack_top
	msr	spsel, #1
	mov	sp, x0
	mov	x0, #(3 << 20)		/* CPACR_EL1.FPEN: no trap on FP/SIMD */
	msr	cpacr_el1, x0
	isb
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8
	b	1b
2:	bl	main
3:	wfi
	b	3b

/* Exceptions: tasks run on SP_EL0, the kernel on SP_EL1; both take SVCs (yield) and IRQs (tick). */
.macro ventry target
	.align	7
	b	\target
.endm

	.text
	.align	11
	.globl	_freertos_vector_table
_freertos_vector_table:
	ventry	FreeRTOS_SWI_Handler	/* current EL, SP_EL0: synchronous */
	ventry	FreeRTOS_IRQ_Handler	/* IRQ */
	ventry	unexpected		/* FIQ */
	ventry	unexpected		/* SError */
	ventry	FreeRTOS_SWI_Handler	/* current EL, SP_ELx: synchronous */
	ventry	FreeRTOS_IRQ_Handler	/* IRQ */
	ventry	unexpected
	ventry	unexpected
	ventry	unexpected		/* lower EL, AArch64 */
	ventry	unexpected
	ventry	unexpected
	ventry	unexpected
	ventry	unexpected		/* lower EL, AArch32 */
	ventry	unexpected
	ventry	unexpected
	ventry	unexpected

unexpected:
	mrs	x0, esr_el1
	mrs	x1, elr_el1
	bl	vUnexpectedException
	b	.
