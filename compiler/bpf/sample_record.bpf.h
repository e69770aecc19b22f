/* sample NAME: the record of a sampled packet in the ring NAME, as the
 * program ends (lwtp sample reads it) */
struct lwtp_sample {
	__u64 time_ns;         /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u32 len;             /* skb.len: bytes from the IP header on */
	__u32 caplen;          /* bytes of the packet in data[] */
	__u32 verdict;         /* 0 passed (BPF_OK), 2 dropped (BPF_DROP) */
	__u32 mark;            /* skb.mark as the packet leaves */
	__u16 protocol;        /* skb.protocol, host order: 0x0800, 0x86dd */
	__u16 lwtp_pad0;
	__u32 ifindex;         /* skb.ifindex: the route's device */
	__u8 data[];           /* the packet's first caplen bytes, from the IP header */
};
