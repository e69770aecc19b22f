/* stat_size.h: the sizes a statistic statement means, with the defaults of
 * the contract (lwtp_contract.h) filled in where the policy wrote none.
 * Pure functions of the syntax tree, read by the checker (its limits and the
 * "same statistic, same definition" rule) and by the resources pass (the
 * maps' sizes), so that both mean the same numbers. */
#ifndef LWTC_STAT_SIZE_H
#define LWTC_STAT_SIZE_H

#include <stdint.h>

#include "ast.h"

/* Keys a keyed statistic holds, records a sample's ring holds ('size N' or
 * the default); 0 for an unkeyed count, hist, limit or quota. */
uint64_t stat_size(const struct stmt *s);
/* Bytes of each packet a sample keeps ('snaplen B' or the default). */
uint64_t stat_snaplen(const struct stmt *s);
/* The bytes of a sample's ring buffer for size records of snaplen bytes: a
 * power of two of at least a page; 0 when it would pass
 * LWTP_SAMPLE_MAX_RING (or snaplen passes LWTP_SAMPLE_MAX_SNAPLEN). */
uint64_t stat_ring_bytes(uint64_t snaplen, uint64_t size);

#endif
