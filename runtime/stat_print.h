/* stat_print.h: lwtp stat's outputs of a model's snapshots (stat_model.h):
 * text (stat_text.c) and JSON (stat_json.c; the Prometheus format is
 * prom.h's). per > 0: values are counts over per seconds, printed as
 * rates. They sort the entries they print, and change nothing else.
 */
#ifndef LWTP_STAT_PRINT_H
#define LWTP_STAT_PRINT_H

#include <stddef.h>

#include "stat_model.h"

int stat_print_text(struct snap *snaps, size_t n, double per);
int stat_print_json(struct snap *snaps, size_t n, double per);

#endif
