/* empty.bpf.c: the cheapest LWT_OUT program, the benchmark's floor. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("empty")
int do_empty(struct __sk_buff *skb)
{
	return BPF_OK;
}

char _license[] SEC("license") = "GPL";
