/* replay_batch.h: run the packets of `lwtp replay -q` on worker threads
 * while the main thread reads the capture (replay_batch.c).
 *
 * With -q nothing is printed per packet, so all a packet leaves is its
 * verdict, counted, and what the program did to its maps. The main thread
 * reads, selects and reassembles as ever (replay_source.c), and hands
 * each packet to the runner: copied into a batch, which a worker runs with
 * BPF_PROG_TEST_RUN, one call a packet, no metadata in or out.
 *
 * - A policy whose maps end the same whatever the order of the packets
 *   (replay_batch_unordered()) runs on as many workers as CPUs (at most
 *   REPLAY_BATCH_MAX_THREADS): the system calls, most of the time a packet
 *   costs, run side by side.
 * - Any other runs on one worker, which takes the batches in the
 *   capture's order: the program sees the packets in the order it would
 *   have, and reading the capture overlaps with running it.
 *
 * Functions return 0 or a negative errno and log (p_err) what went wrong.
 */
#ifndef LWTP_REPLAY_BATCH_H
#define LWTP_REPLAY_BATCH_H

#include <stdbool.h>
#include <linux/types.h>

#include "replay.h"

struct bpf_object;
struct bpf_program;
struct replay_batch;

#define REPLAY_BATCH_MAX_THREADS 8

/* The longest packet a batch takes (L3 bytes): longer ones the caller
 * runs itself (replay_target_run(): the private route, or the fallback to
 * it when the kernel refuses a packet above 1500 bytes). */
#define REPLAY_BATCH_MAX_L3 1500

/* What the workers' packets got. */
struct replay_batch_totals {
	unsigned long passed, dropped, other;
	unsigned long skipped;          /* refused by BPF_PROG_TEST_RUN */
};

/* Count one verdict. */
void replay_batch_count(struct replay_batch_totals *t, __u32 retval);

/* How many packets of a capture prog may run in any order, on several
 * threads, and leave the maps as it would have in the capture's order: 0
 * (none: run in order), or ULONG_MAX (any number). *samples: whether prog
 * writes a sample ring, which replay reads after each packet, on the main
 * thread (no batches then). Nothing logged but what decode_layout() logs
 * of a map that is not what its BTF says. */
unsigned long replay_batch_unordered(struct bpf_object *obj, struct bpf_program *prog,
				     bool *samples);

/* Start the workers for prog_fd: several when unordered (a number of
 * replay_batch_unordered()) is not 0, else one. */
int replay_batch_open(int prog_fd, unsigned long unordered, struct replay_batch **bp);

/* Hand one packet (number num) to the workers. 1 when it was taken: it
 * will run, or it was refused as replay_check() refuses it (counted as
 * skipped); 0 when it is longer than REPLAY_BATCH_MAX_L3, and the caller
 * is to run it now (the workers have run every packet before it when they
 * run in order). Errors: a packet before it failed (logged once), -ENOMEM. */
int replay_batch_add(struct replay_batch *b, unsigned long num, const struct replay_in *in);

/* Wait until every packet handed over has run; add what they got to t.
 * Errors: a packet failed to run (logged once). */
int replay_batch_finish(struct replay_batch *b, struct replay_batch_totals *t);

/* Stop the workers (NULL is fine). */
void replay_batch_close(struct replay_batch *b);

#endif
