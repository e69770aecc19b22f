/* replay_select.h: which packets `lwtp replay --route PREFIX` replays: those
 * whose destination is in one of the prefixes, "what this route would
 * carry". Prefixes are read with include/lwtp_literal.h, as lwtc and
 * `lwtp set` read addresses.
 */
#ifndef LWTP_REPLAY_SELECT_H
#define LWTP_REPLAY_SELECT_H

#include <stdbool.h>
#include <linux/types.h>

struct replay_prefix {
	int family;                     /* 4 or 6 */
	unsigned char bytes[16];
	unsigned len;
};

/* Read text ("198.51.100.0/24", "2001:db8::/32", an address alone: its
 * host route). -EINVAL, with a usage message printed, for anything else or
 * for a prefix with bits set past its length. */
int replay_prefix_parse(const char *text, struct replay_prefix *p);

/* Whether the destination of an IP packet (ethertype ETH_P_IP or
 * ETH_P_IPV6, len bytes from L3 on) is in one of the n prefixes. */
bool replay_prefix_match(const struct replay_prefix *p, unsigned n, __u16 ethertype,
			 const void *l3, __u32 len);
/* The same for a destination address of family 4 or 6. */
bool replay_prefix_match_addr(const struct replay_prefix *p, unsigned n, int family,
			      const unsigned char *dst);

#endif
