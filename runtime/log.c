/* log.c: lwtp's messages: one line on stderr, "lwtp: " first. Apart from
 * main.c so that the decoder (decode.c, maps.c, elem.c) links without it. */
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
