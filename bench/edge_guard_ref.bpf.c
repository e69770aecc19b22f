/* edge_guard_ref.bpf.c: policies/edge_guard.lwtp by hand. Destinations in
 * edge_deny.txt (its four prefixes, written out) are dropped and counted;
 * every other destination gets a token bucket of 1000 packets/s, burst
 * 100, and a budget of 1 GB; 1 packet in 100 is sampled with its first 128
 * bytes. The record and state structs are the contract's (lwtc's), so that
 * lwtp stat and lwtp sample read them. See ref.h. */
#include "ref.h"

#define SNAPLEN         128
#define RATE_SCALE      1000000ULL              /* tokens a packet; 1 a ns: 1000 packets/s */
#define RATE_CAP        (100 * RATE_SCALE)      /* burst 100 */
#define QUOTA_BYTES     1000000000ULL

struct edge_key {
	lwtp_ip_t ip_dst;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 262144);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} edge_samples SEC(".maps");

REF_MAP(edge_denied, BPF_MAP_TYPE_PERCPU_HASH, struct edge_key, struct lwtp_counter, 65536);
REF_MAP(edge_rate, BPF_MAP_TYPE_LRU_HASH, struct edge_key, struct lwtp_limit_state, 65536);
REF_MAP(edge_quota, BPF_MAP_TYPE_HASH, struct edge_key, struct lwtp_quota_state, 65536);
REF_MAP(lwtp_locks, BPF_MAP_TYPE_ARRAY, __u32, struct lwtp_lock, LWTP_LOCKS);

/* 203.0.113.0/24, 198.51.100.128/25, 2001:db8:bad::/48, 2001:db8:dead:beef::/64 */
static __always_inline int denied(const struct ref_ip *ip)
{
	const __be32 *a = ip->daddr;

	if (ip->family == 4)
		return (a[3] & bpf_htonl(0xffffff00)) == bpf_htonl(0xcb007100) ||
		       (a[3] & bpf_htonl(0xffffff80)) == bpf_htonl(0xc6336480);
	return a[0] == bpf_htonl(0x20010db8) &&
	       ((a[1] & bpf_htonl(0xffff0000)) == bpf_htonl(0x0bad0000) ||
		a[1] == bpf_htonl(0xdeadbeef));
}

/* The destination's bucket, made full when new */
static __always_inline struct lwtp_limit_state *bucket(const struct edge_key *key, __u64 now)
{
	struct lwtp_limit_state *s = bpf_map_lookup_elem(&edge_rate, key);
	struct lwtp_limit_state init = {
		.tokens = RATE_CAP, .scale = RATE_SCALE, .last_ns = now, .rate = 1000,
		.period_ns = 1000000000, .burst = 100, .lock = bpf_get_prandom_u32() % LWTP_LOCKS,
	};

	if (s)
		return s;
	bpf_map_update_elem(&edge_rate, key, &init, BPF_NOEXIST);
	return bpf_map_lookup_elem(&edge_rate, key);
}

/* Take a packet from the destination's bucket: 1 when it had one */
static __always_inline int rate_ok(const struct edge_key *key)
{
	__u64 now = bpf_ktime_get_ns();
	struct lwtp_limit_state *s = bucket(key, now);
	struct lwtp_lock *l;
	__u32 stripe;
	int ok;

	if (!s)
		return 0;
	stripe = s->lock % LWTP_LOCKS;
	l = bpf_map_lookup_elem(&lwtp_locks, &stripe);
	if (!l)
		return 0;
	bpf_spin_lock(&l->lock);
	if (now > s->last_ns) {
		s->tokens += now - s->last_ns < RATE_CAP ? now - s->last_ns : RATE_CAP;
		if (s->tokens > RATE_CAP)
			s->tokens = RATE_CAP;
		s->last_ns = now;
	}
	ok = s->tokens >= RATE_SCALE;
	if (ok) {
		s->tokens -= RATE_SCALE;
		s->passed++;
	} else {
		s->exceeded++;
	}
	bpf_spin_unlock(&l->lock);
	return ok;
}

/* Spend len bytes of the destination's budget: 1 while it lasts */
static __always_inline int quota_ok(const struct edge_key *key, __u32 len)
{
	struct lwtp_quota_state *s = bpf_map_lookup_elem(&edge_quota, key);
	struct lwtp_quota_state init = { .limit = QUOTA_BYTES, .unit = 1 };

	if (!s) {
		bpf_map_update_elem(&edge_quota, key, &init, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&edge_quota, key);
		if (!s)
			return 0;
	}
	if (__sync_fetch_and_add(&s->used, len) < QUOTA_BYTES)
		return 1;
	__sync_fetch_and_add(&s->over, 1);
	return 0;
}

static __always_inline void sample(struct __sk_buff *skb, int verdict)
{
	struct lwtp_sample *r = bpf_ringbuf_reserve(&edge_samples, sizeof(*r) + SNAPLEN, 0);
	__u64 len = skb->len;   /* 64-bit: a 32-bit n > 0 test does not bound it */
	__u64 n = len < SNAPLEN ? len : SNAPLEN;

	if (!r)
		return;
	r->time_ns = bpf_ktime_get_ns();
	r->len = len;
	r->caplen = 0;
	r->verdict = verdict;
	r->mark = skb->mark;
	r->protocol = bpf_ntohs(skb->protocol);
	r->lwtp_pad0 = 0;
	r->ifindex = skb->ifindex;
	if (n > 0 && bpf_skb_load_bytes(skb, 0, r->data, n) == 0)
		r->caplen = n;
	bpf_ringbuf_submit(r, 0);
}

SEC("edge_guard")
int do_edge_guard(struct __sk_buff *skb)
{
	int sampled = bpf_get_prandom_u32() < 0xffffffffU / 100;
	int verdict = BPF_OK;
	struct edge_key key;
	struct ref_ip ip;

	ref_ip(skb, &ip);
	if (ip.family) {
		__builtin_memcpy(key.ip_dst, ip.daddr, sizeof(key.ip_dst));
		if (denied(&ip)) {
			ref_count_key(&edge_denied, &key, skb->len);
			verdict = BPF_DROP;
		} else if (!rate_ok(&key) || !quota_ok(&key, skb->len)) {
			verdict = BPF_DROP;
		}
	}
	if (sampled)
		sample(skb, verdict);
	return verdict;
}

char _license[] SEC("license") = "GPL";
