/* check_sample.c: the numbers of 'sample NAME M/N [snaplen B] [size N]'. */
#include <inttypes.h>

#include "check_priv.h"
#include "diag.h"
#include "lwtp_contract.h"
#include "stat_size.h"

/* M/N: a share of the packets, from 1/2^32 to all of them. */
static void check_ratio(const struct stmt *s)
{
	uint64_t m = s->u.stat.ratio_num, n = s->u.stat.ratio_den;
	const struct loc *loc = &s->u.stat.ratio_loc;

	if (n == 0 || m == 0)
		diag_error(loc, "a sample takes M/N of the packets, with M and N at least 1, "
			   "as in 'sample %s 1/100'", s->u.stat.name);
	else if (m > n)
		diag_error(loc, "a sample cannot take more than all the packets: %" PRIu64
			   "/%" PRIu64 " is more than 1/1", m, n);
	else if (n > UINT32_MAX)
		diag_error(loc, "a sample takes at least 1 packet in %" PRIu32 ", but %" PRIu64
			   "/%" PRIu64 " takes fewer", UINT32_MAX, m, n);
}

void check_sample(const struct stmt *s)
{
	uint64_t snaplen = stat_snaplen(s);
	uint64_t size = stat_size(s);

	check_ratio(s);
	if (s->u.stat.snaplen_loc.first_line &&
	    (s->u.stat.snaplen < 1 || s->u.stat.snaplen > LWTP_SAMPLE_MAX_SNAPLEN)) {
		diag_error(&s->u.stat.snaplen_loc, "snaplen must be 1..%d bytes, but it is %"
			   PRIu64, LWTP_SAMPLE_MAX_SNAPLEN, s->u.stat.snaplen);
		return;
	}
	if (s->u.stat.has_size && size < 1) {
		diag_error(&s->u.stat.size_loc, "a sample's size is the number of packets its "
			   "ring holds: at least 1");
		return;
	}
	if (!stat_ring_bytes(snaplen, size))
		diag_error(s->u.stat.has_size ? &s->u.stat.size_loc : &s->u.stat.snaplen_loc,
			   "a ring of %" PRIu64 " samples of %" PRIu64 " bytes would be larger "
			   "than %u MiB: lower the size or the snaplen", size, snaplen,
			   LWTP_SAMPLE_MAX_RING >> 20);
}
