/* lwtp.h: what the subcommands of lwtp share: options, messages, dispatch.
 *
 * libbpf style: helpers return 0 or a negative errno and log once, where the
 * context is known; the do_*() subcommands return the process exit status.
 */
#ifndef LWTP_H
#define LWTP_H

#include <stdbool.h>
#include <stdio.h>

#define LWTP_DEFAULT_PIN_DIR "/sys/fs/bpf/ip/globals"

/* exit statuses */
#define LWTP_EXIT_OK    0
#define LWTP_EXIT_FAIL  1       /* the system said no, or a map is wrong */
#define LWTP_EXIT_USAGE 2       /* the command line is wrong */

struct lwtp_opts {
	const char *pin_dir;
	bool json;
	bool prometheus;
	bool reset;
	bool quiet;             /* -q: replay prints totals only */
	unsigned interval;      /* -i SEC; 0: print once */
	unsigned long count;    /* -c COUNT; 0: until interrupted */
	bool count_set;
	unsigned long top;      /* --top N; 0: all */
	const char *write;      /* -w FILE: sample writes a pcap there ("-": stdout) */
	unsigned duration;      /* -t SEC: sample stops after so long; 0: never */
	const char *output;     /* -o FILE: stat --prometheus writes it, atomically */
	const char *listen;     /* --listen ADDR:PORT: the exporter's address */
};

extern struct lwtp_opts opts;

/* The options a subcommand takes (-d always): opts_allow() returns
 * LWTP_EXIT_USAGE, after a message naming the first other option given,
 * or 0. */
enum {
	OPT_ALLOW_JSON = 1 << 0,
	OPT_ALLOW_LISTEN = 1 << 1,
};
int opts_allow(const char *cmd, unsigned allowed);

/* One subcommand: "stat" runs do_stat(argc, argv) with argv[0] the first
 * word after the subcommand's name. */
struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
};

/* Run the command whose name argv[0] is, or a unique prefix of. With no
 * argv[0], or an unknown one, print a one-line error and return
 * LWTP_EXIT_USAGE. what names the level ("object", "set command"). */
int cmd_select(const struct cmd *cmds, const char *what, int argc, char **argv);

/* "lwtp: ...\n" on stderr. */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "lwtp: ...\n" and "Try 'lwtp --help'." on stderr; returns LWTP_EXIT_USAGE. */
int p_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A pin's name as text output and messages show it: the bytes outside
 * printable ASCII (space to '~'), and the backslash, as \xNN. bpffs lets a
 * name hold any byte but '/' and NUL: a newline would start a line of its
 * own, an ESC drive the terminal. 4 * strlen(name) + 1 bytes hold all of
 * it; a longer name is cut. Returns buf. */
#define P_ESCAPED_MAX (4 * 255 + 1)
const char *p_escape(const char *name, char *buf, size_t size);

int do_stat(int argc, char **argv);
int do_set(int argc, char **argv);
int do_replay(int argc, char **argv);
int do_sample(int argc, char **argv);
int do_show(int argc, char **argv);
int do_check(int argc, char **argv);
int do_install(int argc, char **argv);
int do_exporter(int argc, char **argv);

#endif
