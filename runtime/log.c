/* log.c: lwtp's messages: one line on stderr, "lwtp: " first. Apart from
 * main.c so that the decoder (decode_*.c, maps.c, elem.c) links without it. */
#include <stdarg.h>
#include <stdio.h>

#include "lwtp.h"

void p_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("lwtp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int p_usage(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("lwtp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'lwtp --help'.\n", stderr);
	return LWTP_EXIT_USAGE;
}

const char *p_escape(const char *name, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t len = 0;

	if (!size)
		return buf;
	for (; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\\') {
			if (len + 1 >= size)
				break;
			buf[len++] = *p;
			continue;
		}
		if (len + 4 >= size)
			break;
		snprintf(buf + len, size - len, "\\x%02x", *p);
		len += 4;
	}
	buf[len] = 0;
	return buf;
}
