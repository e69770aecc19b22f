/* kernel.c: kernel versions and the target (kernel.h). */
#include <stdio.h>
#include <stdlib.h>

#include "kernel.h"

static unsigned target = KERNEL_FLOOR;

/* A decimal number of at most 3 digits at *p, moving past it; -1 if none. */
static long small_number(const char **p)
{
	long n = 0;
	int digits = 0;

	while (**p >= '0' && **p <= '9' && digits < 4) {
		n = n * 10 + (**p - '0');
		(*p)++;
		digits++;
	}
	return digits == 0 || digits > 3 ? -1 : n;
}

int kernel_parse(const char *text, unsigned *v)
{
	const char *p = text;
	long major, minor;

	major = small_number(&p);
	if (major < 1 || *p != '.')
		return -1;
	p++;
	minor = small_number(&p);
	if (minor < 0 || minor > 0xffff)
		return -1;
	if (*p == '.') {
		p++;
		if (small_number(&p) < 0)
			return -1;
	}
	/* what uname -r adds: "6.1.0-57-amd64", "6.12.118+deb12-amd64" */
	if (*p && *p != '-' && *p != '+')
		return -1;
	*v = KERNEL(major, minor);
	return *v < KERNEL_FLOOR ? -2 : 0;
}

void kernel_set_target(unsigned v)
{
	target = v;
}

unsigned kernel_target(void)
{
	return target;
}

bool kernel_target_has(unsigned since)
{
	return since <= target;
}

const char *kernel_text(unsigned v, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u", KERNEL_MAJOR(v), KERNEL_MINOR(v));
	return buf;
}
