/* stat_reset.c: lwtp stat --reset: zero counters, renew quotas, refill
 * limits, in place (stat_reset.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "decode_read.h"
#include "lwtp.h"
#include "maps.h"
#include "stat_reset.h"

/* The keys of a hash map, at most map_keys_limit() of them: a map that
 * changes while it is read may give some twice, or keys without end; so
 * many will do to reset it. Free *keys. */
static int hash_keys(const struct lwtp_map *m, unsigned char **keys, size_t *n)
{
	const struct layout *l = &m->layout;
	int err = map_keys_collect(m->fd, l->key_size, map_keys_limit(l), keys, n);

	return err == -ELOOP ? 0 : err;
}

static bool is_array(const struct layout *l)
{
	return l->map_type == BPF_MAP_TYPE_ARRAY || l->map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/* Arrays keep their entries: write zeros, for every CPU. */
static int zero_array(const struct lwtp_map *m)
{
	const struct layout *l = &m->layout;
	size_t stride = l->percpu ? (l->value_size + 7) / 8 * 8 : l->value_size;
	unsigned char *zero = calloc(l->ncpus, stride);
	__u32 idx;
	int err = 0;

	if (!zero)
		return -ENOMEM;
	for (idx = 0; idx < l->max_entries && !err; idx++)
		if (bpf_map_update_elem(m->fd, &idx, zero, BPF_ANY))
			err = -errno;
	free(zero);
	return err;
}

/* Hashes: delete the keys, which also makes room for new ones. */
static int delete_keys(const struct lwtp_map *m)
{
	size_t size = m->layout.key_size, n, i;
	unsigned char *keys;
	int err;

	err = hash_keys(m, &keys, &n);
	for (i = 0; !err && i < n; i++)
		if (bpf_map_delete_elem(m->fd, keys + i * size) && errno != ENOENT)
			err = -errno;
	free(keys);
	return err;
}

/* Write 0 into the members of one entry (all of them __u64: see
 * decode_layout.c's value_specs), keeping the others. */
static int zero_members(const struct lwtp_map *m, const void *key, unsigned char *val,
			const int *members, int n, __u64 flags)
{
	const struct layout *l = &m->layout;
	int i;

	if (bpf_map_lookup_elem(m->fd, key, val))
		return errno == ENOENT ? 0 : -errno;    /* deleted meanwhile */
	for (i = 0; i < n; i++)
		memset(val + l->val_off[members[i]], 0, sizeof(__u64));
	if (bpf_map_update_elem(m->fd, key, val, flags))
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

/* Write 0 into the members of every entry: a limit's or quota's, which are
 * not per CPU. */
static int zero_members_all(const struct lwtp_map *m, const int *members, int n)
{
	const struct layout *l = &m->layout;
	unsigned char *val = malloc(l->value_size), *keys = NULL;
	size_t nkeys = 0, i;
	__u32 idx;
	int err = 0;

	if (!val)
		return -ENOMEM;
	if (is_array(l)) {
		for (idx = 0; idx < l->max_entries && !err; idx++)
			err = zero_members(m, &idx, val, members, n, BPF_ANY);
	} else {
		err = hash_keys(m, &keys, &nkeys);
		for (i = 0; !err && i < nkeys; i++)
			err = zero_members(m, keys + i * l->key_size, val, members, n, BPF_EXIST);
	}
	free(keys);
	free(val);
	return err;
}

/* What --reset does (docs/lwtp.1): counters, histograms and lwtp_full_NAME
 * are zeroed; a quota is renewed (used and over 0, its budget kept); a
 * limit's buckets are refilled (a keyed one's entries deleted, an unkeyed
 * one's last_ns 0: a new bucket, or one with last_ns 0, starts full) and
 * its counts zeroed. A ring has nothing to reset but its lwtp_full_NAME. */
int stat_reset_map(const struct lwtp_map *m)
{
	static const int renew[] = { QUOTA_USED, QUOTA_OVER };
	static const int refill[] = { LIM_TOKENS, LIM_LAST_NS, LIM_PASSED, LIM_EXCEEDED };
	const struct layout *l = &m->layout;
	int err;

	if (l->kind == LWTP_RING || l->kind == LWTP_SET)
		return 0;
	if (l->kind == LWTP_QUOTA)
		err = zero_members_all(m, renew, sizeof(renew) / sizeof(renew[0]));
	else if (l->kind == LWTP_LIMIT && is_array(l))
		err = zero_members_all(m, refill, sizeof(refill) / sizeof(refill[0]));
	else if (is_array(l))
		err = zero_array(m);
	else
		err = delete_keys(m);
	if (err)
		p_err("cannot reset map '%s': %s", m->escaped, strerror(-err));
	return err;
}

