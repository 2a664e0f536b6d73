/*
 * Console output on whatever UART the cell config names (the communication region tells its type
 * and address): PL011 (QEMU virt), 8250 (the Raspberry Pi 4 mini UART), i.MX UART. Polled.
 */
#include <stdarg.h>
#include "jailhouse.h"

static uint64_t base;
static uint16_t type;
static unsigned int reg_dist;

void console_init(void)
{
	base = comm_region->console.address;
	type = comm_region->console.type;
	reg_dist = (comm_region->console.flags & CON_FLAG_REGDIST_4) ? 4 : 1;
}

static void put_8250(char c)
{
	if (reg_dist == 4) {
		while (!(mmio_read32(base + 5 * 4) & 0x20)) /* LSR.THRE */
			;
		mmio_write32(base, (uint8_t)c);
	} else {
		while (!(mmio_read8(base + 5) & 0x20))
			;
		mmio_write8(base, (uint8_t)c);
	}
}

static void put_char(char c)
{
	switch (type) {
	case CON_TYPE_PL011:
		while (mmio_read32(base + 0x18) & (1 << 5)) /* UARTFR.TXFF */
			;
		mmio_write32(base, (uint8_t)c);
		break;
	case CON_TYPE_8250:
		put_8250(c);
		break;
	case CON_TYPE_IMX:
		while (!(mmio_read32(base + 0xb4) & (1 << 6))) /* UTS.TXEMPTY */
			;
		mmio_write32(base + 0x40, (uint8_t)c); /* UTXD */
		break;
	default:
		break;
	}
}

void console_write(const char *text)
{
	for (; *text; text++) {
		if (*text == '\n')
			put_char('\r');
		put_char(*text);
	}
}

static char *format_number(char *end, unsigned long long value, unsigned int radix)
{
	*--end = '\0';
	do {
		*--end = "0123456789abcdef"[value % radix];
		value /= radix;
	} while (value);
	return end;
}

/* %s %c %d %u %x with l/ll, %%: what the demo prints; no floating point (the inmate runs without FP context). */
void printk(const char *format, ...)
{
	char line[160], digits[24];
	unsigned int at = 0;
	va_list args;

	va_start(args, format);
	for (const char *p = format; *p && at < sizeof(line) - 24; p++) {
		const char *piece = digits;
		if (*p != '%') {
			line[at++] = *p;
			continue;
		}
		p++;
		int longs = 0;
		while (*p == 'l') {
			longs++;
			p++;
		}
		switch (*p) {
		case 's': piece = va_arg(args, const char *); break;
		case 'c': digits[0] = (char)va_arg(args, int); digits[1] = '\0'; break;
		case 'd': {
			long long v = longs ? va_arg(args, long long) : va_arg(args, int);
			piece = format_number(digits + sizeof(digits), v < 0 ? -v : v, 10);
			if (v < 0)
				*(char *)--piece = '-';
			break;
		}
		case 'u': piece = format_number(digits + sizeof(digits), longs ? va_arg(args, unsigned long long) : va_arg(args, unsigned int), 10); break;
		case 'x': piece = format_number(digits + sizeof(digits), longs ? va_arg(args, unsigned long long) : va_arg(args, unsigned int), 16); break;
		default: digits[0] = *p; digits[1] = '\0'; break;
		}
		while (*piece && at < sizeof(line) - 1)
			line[at++] = *piece++;
	}
	va_end(args);
	line[at] = '\0';
	console_write(line);
}
