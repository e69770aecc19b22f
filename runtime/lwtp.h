/* lwtp.h: what the subcommands of lwtp share: options, messages, dispatch
 * (cmd.c).
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
	const char **routes;    /* --route PREFIX (repeatable): replay selects
				 * packets to these destinations */
	unsigned nroutes;
	bool fragments;         /* --fragments: replay does not reassemble */
};

/* The options given (main.c parses them, cmd.c checks them) */
extern struct lwtp_opts opts;

/* The options a command takes, besides -d, which every command takes. Each
 * command's entry in its struct cmd table says which; cmd_select() refuses
 * the others, naming the first one given, before the command runs. */
enum {
	OPT_JSON       = 1 << 0,        /* -j */
	OPT_PROMETHEUS = 1 << 1,
	OPT_INTERVAL   = 1 << 2,        /* -i */
	OPT_COUNT      = 1 << 3,        /* -c */
	OPT_TOP        = 1 << 4,
	OPT_RESET      = 1 << 5,
	OPT_WRITE      = 1 << 6,        /* -w */
	OPT_DURATION   = 1 << 7,        /* -t */
	OPT_QUIET      = 1 << 8,        /* -q */
	OPT_OUTPUT     = 1 << 9,        /* -o */
	OPT_LISTEN     = 1 << 10,
	OPT_ROUTE      = 1 << 11,       /* --route */
	OPT_FRAGMENTS  = 1 << 12,
	OPT_NESTED     = 1u << 31,      /* commands of its own check theirs (set) */
};

/* Options of a command that want others, or refuse them: when an option
 * of given was given, every one of wants must be too, and none of
 * refuses; else message is the error. */
struct opt_rule {
	unsigned given, wants, refuses;
	const char *message;
};

/* One command: "stat" runs do_stat(argc, argv) with argv[0] the first
 * word after the command's name, when only options in allow were given,
 * and they keep its rules (a list that ends with a rule of no message;
 * NULL: none). */
struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	unsigned allow;
	const struct opt_rule *rules;
};

/* Run the command whose name argv[0] is, or a unique prefix of. With no
 * argv[0], an unknown one, or options the command does not take or that
 * break its rules, print a one-line error and return LWTP_EXIT_USAGE. what
 * names the level ("command", "set command"); parent is the words before
 * it ("", "set "), for the messages. A command's own words are its to
 * check. */
int cmd_select(const struct cmd *cmds, const char *what, const char *parent,
	       int argc, char **argv);

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
int do_map(int argc, char **argv);
int do_replay(int argc, char **argv);
int do_sample(int argc, char **argv);
int do_show(int argc, char **argv);
int do_check(int argc, char **argv);
int do_install(int argc, char **argv);
int do_exporter(int argc, char **argv);

#endif
