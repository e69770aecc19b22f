/* decode_names.c: the values the policy language names (decode_names.h),
 * built from lwtp_contract.h's lists. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "decode_names.h"
#include "lwtp_contract.h"

#define NAMED(n, v) { n, v },
/* A table of the values an X-macro list of lwtp_contract.h names */
#define NAMED_TABLE(list) { list(NAMED) { NULL, 0 } }

const struct named_value decode_ip_protocols[] = NAMED_TABLE(LWTP_IP_PROTOCOLS);
static const struct named_value ip6_nexthdr_names[] = NAMED_TABLE(LWTP_IP6_NEXTHDRS);
static const struct named_value icmp_type_names[] = NAMED_TABLE(LWTP_ICMP_TYPES);
static const struct named_value icmp6_type_names[] = NAMED_TABLE(LWTP_ICMP6_TYPES);
static const struct named_value dscp_names[] = NAMED_TABLE(LWTP_DSCP_NAMES);
static const struct named_value ecn_names[] = NAMED_TABLE(LWTP_ECN_NAMES);
static const struct named_value pkt_type_names[] = NAMED_TABLE(LWTP_PKT_TYPES);
static const struct named_value ethertype_names[] = NAMED_TABLE(LWTP_ETHERTYPES);

/* The key members lwtc names after a field whose values the language
 * names (compiler/fields.c). tcp.flags is left out: a key holds a
 * combination of the flags the language names one by one. */
static const struct {
	const char *member;
	const struct named_value *names;
} named_fields[] = {
	{ "skb_pkt_type", pkt_type_names },
	{ "skb_protocol", ethertype_names },
	{ "skb_vlan_proto", ethertype_names },
	{ "ip_proto", decode_ip_protocols },
	{ "ip4_proto", decode_ip_protocols },
	{ "ip6_proto", decode_ip_protocols },
	{ "ip6_nexthdr", ip6_nexthdr_names },
	{ "ip_dscp", dscp_names },
	{ "ip4_dscp", dscp_names },
	{ "ip6_dscp", dscp_names },
	{ "ip_ecn", ecn_names },
	{ "ip4_ecn", ecn_names },
	{ "ip6_ecn", ecn_names },
	{ "icmp_type", icmp_type_names },
	{ "icmp6_type", icmp6_type_names },
};

/* Whether member is field or, the same field again in one key, field_N. */
static bool member_is(const char *member, const char *field)
{
	size_t len = strlen(field);

	if (strncmp(member, field, len))
		return false;
	if (!member[len])
		return true;
	return member[len] == '_' && member[len + 1] &&
	       strspn(member + len + 1, "0123456789") == strlen(member + len + 1);
}

const struct named_value *decode_member_names(const char *member)
{
	size_t i;

	for (i = 0; i < sizeof(named_fields) / sizeof(named_fields[0]); i++)
		if (member_is(member, named_fields[i].member))
			return named_fields[i].names;
	return NULL;
}

const char *decode_named(const struct named_value *names, __u64 v)
{
	for (; names && names->name; names++)
		if (names->value == v)
			return names->name;
	return NULL;
}

const char *decode_proto_name(unsigned proto)
{
	return decode_named(decode_ip_protocols, proto);
}

int decode_proto_number(const char *name)
{
	const struct named_value *nv;

	for (nv = decode_ip_protocols; nv->name; nv++)
		if (strcmp(nv->name, name) == 0)
			return nv->value;
	return -1;
}
