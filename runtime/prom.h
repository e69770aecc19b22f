/* prom.h: lwtp stat --prometheus and the exporter: a model's snapshots
 * (stat_model.h) in the Prometheus text exposition format (prom.c says
 * which metrics).
 */
#ifndef LWTP_PROM_H
#define LWTP_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "stat_model.h"

/* Leaves out, with a comment and a line on stderr, the maps whose names a
 * metric name cannot hold, and returns how many (or a negative errno). */
int prom_print(FILE *f, struct snap *snaps, size_t n);
/* prom_print() with a label policy="P" first on every series of a map, P
 * what policy() returns for the map (the exporter: the policies that count
 * into it); NULL: no label. */
typedef const char *(*prom_policy_fn)(const struct snap *s, void *ctx);
int prom_print_policies(FILE *f, struct snap *snaps, size_t n, prom_policy_fn policy, void *ctx);
/* Whether lwtp_NAME_... makes a metric name: NAME is [A-Za-z0-9_]+. */
bool prom_name_ok(const char *name);
/* A label value, with \\, \" and newline escaped as the format wants. */
void prom_label_value(FILE *f, const char *s);

#endif
