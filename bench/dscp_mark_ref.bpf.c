/* dscp_mark_ref.bpf.c: policies/dscp_mark.lwtp by hand: traffic per DSCP,
 * skb->priority from the DSCP, skb->mark = 0x100 | DSCP when still 0.
 * See ref.h. */
#include "ref.h"

struct dscp_seen_key {
	lwtp_u8_t ip_dscp;
};

REF_MAP(dscp_seen, BPF_MAP_TYPE_PERCPU_HASH, struct dscp_seen_key, struct lwtp_counter, 64);

/* The TC_PRIO_* value a DSCP asks for, 0 for best effort */
static __always_inline __u32 dscp_priority(__u8 dscp)
{
	switch (dscp) {
	case 48: case 56:                               /* cs6 cs7 */
		return 7;                               /* TC_PRIO_CONTROL */
	case 46: case 44: case 40:                      /* ef va cs5 */
		return 6;                               /* TC_PRIO_INTERACTIVE */
	case 16: case 18: case 20: case 22: case 24: case 26:
	case 28: case 30: case 32: case 34: case 36: case 38: /* af21..af43, cs2..cs4 */
		return 4;                               /* TC_PRIO_INTERACTIVE_BULK */
	case 10: case 12: case 14:                      /* af11 af12 af13 */
		return 2;                               /* TC_PRIO_BULK */
	case 1: case 8:                                 /* le cs1 */
		return 1;                               /* TC_PRIO_FILLER */
	default:
		return 0;
	}
}

SEC("dscp_mark")
int do_dscp_mark(struct __sk_buff *skb)
{
	struct dscp_seen_key key;
	struct ref_ip ip;
	__u32 prio;

	ref_ip(skb, &ip);
	if (!ip.family)
		return BPF_OK;
	key.ip_dscp = ip.tos >> 2;
	ref_count_key(&dscp_seen, &key, skb->len);
	prio = dscp_priority(key.ip_dscp);
	if (prio)
		skb->priority = prio;
	if (skb->mark == 0)
		skb->mark = 0x100 | key.ip_dscp;
	return BPF_OK;
}

char _license[] SEC("license") = "GPL";
