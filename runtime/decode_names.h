/* decode_names.h: the values the policy language names (ip.dscp "ef",
 * icmp.type "echo_request", ip.proto "udp"), as the runtime prints and
 * parses them. The lists are lwtp_contract.h's: lwtc reads the same ones.
 */
#ifndef LWTP_DECODE_NAMES_H
#define LWTP_DECODE_NAMES_H

#include <linux/types.h>

/* A value the policy language names: "ef" is ip.dscp 46. */
struct named_value {
	const char *name;
	__u64 value;
};

/* The IP protocols by name, ending with { NULL } */
extern const struct named_value decode_ip_protocols[];

/* The values the language names for the key member called member, or
 * NULL. A key member lwtc makes is named after its field (ip.dscp:
 * ip_dscp; the same field twice in one key: ip_dscp_2) and typed by its
 * width only, so the member's name says whose values it holds. */
const struct named_value *decode_member_names(const char *member);

/* The name of v among names (NULL: none), NULL when it has none. */
const char *decode_named(const struct named_value *names, __u64 v);

/* IP protocol names: "udp" for 17, NULL for unnamed numbers; and back
 * (-1 for unknown names). */
const char *decode_proto_name(unsigned proto);
int decode_proto_number(const char *name);

#endif
