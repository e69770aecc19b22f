/* stat_reset.h: lwtp stat --reset (docs/lwtp.1): counters, histograms and
 * lwtp_full_NAME are zeroed; a quota is renewed (used and over 0, its
 * budget kept); a limit's buckets are refilled and its counts zeroed; sets
 * and sample rings are left as they are.
 */
#ifndef LWTP_STAT_RESET_H
#define LWTP_STAT_RESET_H

#include "maps.h"

/* Reset map m, in place; logs why not. */
int stat_reset_map(const struct lwtp_map *m);

#endif
