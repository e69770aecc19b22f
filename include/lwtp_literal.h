/* lwtp_literal.h: the words that lwtc and lwtp both read from people:
 * unsigned integers, decimal or 0x hex, and IPv4 and IPv6 addresses with
 * an optional /prefix. lwtc reads them in policies (lexer.l) and set files
 * (setfile.c), lwtp in 'lwtp set' elements (runtime/elem.c); one parser
 * means one set of rules for what a number or a prefix is.
 *
 * The functions say what they found and never print: each caller words
 * its own message, at its own location. Header only, as the functions are
 * small and both programs (and any test tool) build from include/.
 */
#ifndef LWTP_LITERAL_H
#define LWTP_LITERAL_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Which forms an integer may be written in: OR them. */
#define LWTP_DEC 1u     /* 0-9 */
#define LWTP_HEX 2u     /* 0x or 0X, then 0-9, a-f, A-F */

/* What reading a literal found. */
enum lwtp_lit {
	LWTP_LIT_OK = 0,
	LWTP_LIT_BAD,           /* not such a literal: no digits, a stray character,
				   not an address */
	LWTP_LIT_TOO_LARGE,     /* a number above the maximum; a prefix longer than
				   its address */
	LWTP_LIT_BAD_PREFIX,    /* an address, but no decimal number that fits in
				   64 bits after its '/' */
};

/* The value of digit c in base, or -1. */
static inline int lwtp_digit(char c, unsigned base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (base == 16 && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The unsigned integer at the start of s, in one of forms, at most max.
 * *end (when end is not NULL) is set to the first character past the
 * digits read: on TOO_LARGE the digit that passed max; on BAD without
 * digits s, or just past a "0x" that no hex digit follows. *v is written
 * only when the result is LWTP_LIT_OK. */
static inline enum lwtp_lit lwtp_uint_prefix(const char *s, unsigned forms, uint64_t max,
					     uint64_t *v, const char **end)
{
	bool hex = (forms & LWTP_HEX) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	unsigned base = hex ? 16 : 10;
	const char *p = hex ? s + 2 : s;
	enum lwtp_lit res = LWTP_LIT_OK;
	uint64_t r = 0;
	int d;

	if ((!hex && !(forms & LWTP_DEC)) || lwtp_digit(*p, base) < 0)
		res = LWTP_LIT_BAD;
	while (res == LWTP_LIT_OK && (d = lwtp_digit(*p, base)) >= 0) {
		if ((uint64_t)d > max || r > (max - (uint64_t)d) / base) {
			res = LWTP_LIT_TOO_LARGE;
			break;
		}
		r = r * base + (uint64_t)d;
		p++;
	}
	if (end)
		*end = p;
	if (res == LWTP_LIT_OK)
		*v = r;
	return res;
}

/* The same for all of s: a character after the digits makes it BAD. */
static inline enum lwtp_lit lwtp_uint(const char *s, unsigned forms, uint64_t max, uint64_t *v)
{
	const char *end;
	uint64_t r;
	enum lwtp_lit res = lwtp_uint_prefix(s, forms, max, &r, &end);

	if (res == LWTP_LIT_OK && *end)
		return LWTP_LIT_BAD;
	if (res == LWTP_LIT_OK)
		*v = r;
	return res;
}

/* An address as written: ADDR or ADDR/LEN. */
struct lwtp_addr_lit {
	int family;                 /* 4 or 6 */
	unsigned char bytes[16];    /* network order; IPv4 in bytes[0..3], the rest 0 */
	unsigned prefix_len;        /* LEN; 32 or 128 when not written */
	bool has_prefix;            /* written with /LEN */
};

/* Read text as an address of family 4 or 6, or of either (0: IPv4 tried
 * first), with an optional /LEN in decimal. BAD: the part before '/' is no
 * such address; BAD_PREFIX: LEN is not a decimal number of 64 bits;
 * TOO_LARGE: LEN is above 32 or 128. *a is filled as far as it was read. */
static inline enum lwtp_lit lwtp_addr(const char *text, int family, struct lwtp_addr_lit *a)
{
	char buf[INET6_ADDRSTRLEN];     /* longer is no address */
	size_t n = strcspn(text, "/");
	uint64_t len;

	memset(a, 0, sizeof(*a));
	if (n >= sizeof(buf))
		return LWTP_LIT_BAD;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (family != 6 && inet_pton(AF_INET, buf, a->bytes) == 1)
		a->family = 4;
	else if (family != 4 && inet_pton(AF_INET6, buf, a->bytes) == 1)
		a->family = 6;
	else
		return LWTP_LIT_BAD;
	a->prefix_len = a->family == 4 ? 32 : 128;
	if (!text[n])
		return LWTP_LIT_OK;
	a->has_prefix = true;
	if (lwtp_uint(text + n + 1, LWTP_DEC, UINT64_MAX, &len) != LWTP_LIT_OK)
		return LWTP_LIT_BAD_PREFIX;
	if (len > a->prefix_len)
		return LWTP_LIT_TOO_LARGE;
	a->prefix_len = (unsigned)len;
	return LWTP_LIT_OK;
}

#endif
