/* What the inmate learns from Jailhouse's communication region (include/jailhouse/hypercall.h, COMM_REGION_ABI_REVISION 2, and the arm-common part). */
#ifndef JAILHOUSE_H
#define JAILHOUSE_H
#include <stdint.h>

#define COMM_REGION_BASE 0x80000000UL

struct jailhouse_console {
	uint64_t address;
	uint32_t size;
	uint16_t type;
	uint16_t flags;
	uint32_t divider;
	uint32_t gate_nr;
	uint64_t clock_reg;
} __attribute__((packed));

struct jailhouse_comm_region {
	char signature[6];
	uint16_t revision;
	volatile uint32_t cell_state;
	volatile uint32_t msg_to_cell;
	volatile uint32_t reply_from_cell;
	uint32_t flags;
	struct jailhouse_console console;
	uint64_t pci_mmconfig_base;
	uint8_t gic_version;
	uint8_t padding[7];
	uint64_t gicd_base;
	uint64_t gicc_base;
	uint64_t gicr_base;
	uint32_t vpci_irq_base;
} __attribute__((packed));

#define comm_region ((const struct jailhouse_comm_region *)COMM_REGION_BASE)

/* JAILHOUSE_CON_TYPE_* */
#define CON_TYPE_8250 0x0002
#define CON_TYPE_PL011 0x0003
#define CON_TYPE_IMX 0x0008
#define CON_FLAG_REGDIST_4 0x0002

static inline uint32_t mmio_read32(uint64_t addr) { return *(volatile uint32_t *)addr; }
static inline void mmio_write32(uint64_t addr, uint32_t value) { *(volatile uint32_t *)addr = value; }
static inline uint8_t mmio_read8(uint64_t addr) { return *(volatile uint8_t *)addr; }
static inline void mmio_write8(uint64_t addr, uint8_t value) { *(volatile uint8_t *)addr = value; }

void console_init(void);
void console_write(const char *text);
void printk(const char *format, ...);

#endif
