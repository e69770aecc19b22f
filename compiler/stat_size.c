/* stat_size.c: the sizes a statistic statement means (see stat_size.h). */
#include "lwtp_contract.h"
#include "stat_size.h"

uint64_t stat_size(const struct stmt *s)
{
	if (s->kind == STMT_SAMPLE)
		return s->u.stat.has_size ? s->u.stat.size : LWTP_SAMPLE_DEFAULT_SIZE;
	if (s->u.stat.keys.len == 0)
		return 0;
	return s->u.stat.has_size ? s->u.stat.size : LWTP_DEFAULT_SIZE;
}

uint64_t stat_snaplen(const struct stmt *s)
{
	return s->u.stat.snaplen ? s->u.stat.snaplen : LWTP_SAMPLE_DEFAULT_SNAPLEN;
}

uint64_t stat_ring_bytes(uint64_t snaplen, uint64_t size)
{
	/* a record: the ring's 8-byte header, then ours, 8-byte aligned */
	uint64_t record = 8 + (LWTP_SAMPLE_HEADER + snaplen + 7) / 8 * 8;
	uint64_t ring = 4096;

	if (snaplen > LWTP_SAMPLE_MAX_SNAPLEN || size > LWTP_SAMPLE_MAX_RING / record)
		return 0;
	while (ring < record * size)
		ring *= 2;
	return ring <= LWTP_SAMPLE_MAX_RING ? ring : 0;
}
