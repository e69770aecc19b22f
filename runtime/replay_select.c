/* replay_select.c: --route PREFIX for lwtp replay (see replay_select.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <linux/if_ether.h>

#include "lwtp.h"
#include "lwtp_literal.h"
#include "replay_select.h"

/* Whether the first len bits of a and b are the same. */
static bool same_bits(const unsigned char *a, const unsigned char *b, unsigned len)
{
	unsigned full = len / 8, rest = len % 8;

	if (memcmp(a, b, full))
		return false;
	return !rest || !((a[full] ^ b[full]) & (0xff00u >> rest));
}

int replay_prefix_parse(const char *text, struct replay_prefix *p)
{
	struct lwtp_addr_lit a;
	unsigned char net[16] = {};
	char buf[INET6_ADDRSTRLEN];
	unsigned i;

	memset(p, 0, sizeof(*p));
	if (lwtp_addr(text, 0, &a) != LWTP_LIT_OK) {
		p_usage("--route wants an IPv4 or IPv6 prefix (198.51.100.0/24, 2001:db8::/32), "
			"not '%s'", text);
		return -EINVAL;
	}
	for (i = 0; i < a.prefix_len / 8; i++)
		net[i] = a.bytes[i];
	if (a.prefix_len % 8)
		net[i] = a.bytes[i] & (0xff00u >> (a.prefix_len % 8));
	if (memcmp(net, a.bytes, 16)) {
		inet_ntop(a.family == 4 ? AF_INET : AF_INET6, net, buf, sizeof(buf));
		p_usage("--route %s: the address has bits set past /%u (a route's prefix "
			"would be %s/%u)", text, a.prefix_len, buf, a.prefix_len);
		return -EINVAL;
	}
	p->family = a.family;
	memcpy(p->bytes, a.bytes, 16);
	p->len = a.prefix_len;
	return 0;
}

bool replay_prefix_match(const struct replay_prefix *p, unsigned n, __u16 ethertype,
			 const void *l3, __u32 len)
{
	const unsigned char *b = l3;

	if (ethertype == ETH_P_IP && len >= 20)
		return replay_prefix_match_addr(p, n, 4, b + 16);
	if (ethertype == ETH_P_IPV6 && len >= 40)
		return replay_prefix_match_addr(p, n, 6, b + 24);
	return false;
}

bool replay_prefix_match_addr(const struct replay_prefix *p, unsigned n, int family,
			      const unsigned char *dst)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (p[i].family == family && same_bits(dst, p[i].bytes, p[i].len))
			return true;
	return false;
}
