/* bad_access.bpf.c: reads the packet without a bounds check; the verifier
 * must reject it (the tools' suite checks that loadcheck says so). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("bad")
int bad_prog(struct __sk_buff *skb)
{
	unsigned char *data = (void *)(long)skb->data;

	return data[20] == 17 ? BPF_DROP : BPF_OK;
}

char _license[] SEC("license") = "GPL";
