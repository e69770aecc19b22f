/* skb->FIELD, and skb->FIELD = value for 'set'. The verifier accepts a
 * context access only at the context pointer plus a constant, and clang
 * may merge the loads or stores of two statements into one through a
 * computed address ("dereference of modified ctx ptr"): each access is
 * written in assembly so that it stays where and as it is. */
#define lwtp_ctx_read(skb, field) ({ \
	__u32 lwtp_r; \
	asm volatile("%[r] = *(u32 *)(%[ctx] + %[off])" \
		     : [r] "=r"(lwtp_r) \
		     : [ctx] "r"(skb), \
		       [off] "i"(__builtin_offsetof(struct __sk_buff, field))); \
	lwtp_r; \
})

#define lwtp_ctx_write(skb, field, value) \
	asm volatile("*(u32 *)(%[ctx] + %[off]) = %[val]" \
		     :: [ctx] "r"(skb), \
			[off] "i"(__builtin_offsetof(struct __sk_buff, field)), \
			[val] "r"((__u32)(value)) \
		     : "memory")
