/* decode_format.h: an lwtp map's keys and values as text: key fields (with
 * the names the policy language gives values), the canonical entry text the
 * tests compare, histogram buckets, "by ip.dst" labels.
 */
#ifndef LWTP_DECODE_FORMAT_H
#define LWTP_DECODE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "decode_layout.h"
#include "decode_read.h"

/* One key field as text; returns the length or -ENOSPC. An integer the
 * policy language names prints by that name, as the policy writes it: a
 * protocol ("udp"), and the value of a key member lwtc named after a field
 * whose values the language names (compiler/fields.c): ip_dscp "ef",
 * icmp_type and icmp6_type "echo_request", ip_ecn "ce", ip6_nexthdr
 * "fragment", skb_pkt_type "host", skb_protocol "ipv6"; other values as
 * numbers. */
int decode_field(const struct field *f, const void *key, char *buf, size_t size);
/* Whether decode_field() text is always a number (JSON prints it bare); a
 * field whose values may print as names is not. */
bool decode_field_is_number(const struct field *f);

/* The key fields but the bucket, with decode_field(): "198.51.100.7, 53",
 * or with labels "ip.dst=198.51.100.7, udp.dport=53"; cut short when buf
 * is too small. */
void decode_key_text(const struct layout *l, const void *key, bool labels, char *buf,
		     size_t size);
/* "by ip.dst, l4.dport" ("" when unkeyed) */
void decode_by_text(const struct layout *l, char *buf, size_t size);

/* The canonical one-line text of an entry that tests compare
 * (tests/tools/mapdec.h): "KEY => VALUE", KEY a scalar ("5") or
 * "member=value" per key member, bucket included ("ip_dst=198.51.100.7
 * l4_dport=53"; protocols by name, other named values such as ip_dscp as
 * numbers), VALUE "packets=N bytes=N" (counters), "N" (histograms) or
 * "member=N" per member of a limit, quota or keys value ("used=5 limit=3
 * over=2 unit=0").
 * Returns the length or -ENOSPC. */
int decode_entry_text(const struct layout *l, const struct entry *e, char *buf, size_t size);

/* The values a histogram bucket holds: [lo, hi), has_hi false when there is
 * no upper bound. -EINVAL for FK_INDEX, -ERANGE past the last bucket. */
int decode_bucket_range(const struct field *f, __u64 bucket, __u64 *lo, __u64 *hi,
			bool *has_hi);

/* The number of buckets a histogram's bucket field has (0 .. n-1): 64 for
 * log2, the finite ones and the two open ends for linear; 0 for FK_INDEX.
 * A key past them is a map's own business, never a reason to print
 * billions of empty buckets. */
__u64 decode_bucket_count(const struct field *f);

#endif
