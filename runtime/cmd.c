/* cmd.c: the commands' dispatch, and the one place where the options
 * given are checked against the command they are given to (lwtp.h: struct
 * cmd, OPT_*, struct opt_rule). main.c parses the options into opts; the
 * commands read them, and check only their own words.
 */
#include <stdio.h>
#include <string.h>

#include "lwtp.h"

struct lwtp_opts opts = {
	.pin_dir = LWTP_DEFAULT_PIN_DIR,
};

static bool is_prefix(const char *pfx, const char *str)
{
	return *pfx && strncmp(pfx, str, strlen(pfx)) == 0;
}

/* The options as messages name them */
static const struct {
	unsigned flag;
	const char *name;
} option_names[] = {
	{ OPT_JSON, "-j" }, { OPT_PROMETHEUS, "--prometheus" },
	{ OPT_INTERVAL, "-i" }, { OPT_COUNT, "-c" }, { OPT_TOP, "--top" },
	{ OPT_RESET, "--reset" }, { OPT_WRITE, "-w" }, { OPT_DURATION, "-t" },
	{ OPT_QUIET, "-q" }, { OPT_OUTPUT, "-o" }, { OPT_LISTEN, "--listen" },
	{ OPT_ROUTE, "--route" }, { OPT_FRAGMENTS, "--fragments" },
};

/* The OPT_* of the options given */
static unsigned options_given(void)
{
	return (opts.json ? OPT_JSON : 0) | (opts.prometheus ? OPT_PROMETHEUS : 0) |
	       (opts.interval ? OPT_INTERVAL : 0) | (opts.count_set ? OPT_COUNT : 0) |
	       (opts.top ? OPT_TOP : 0) | (opts.reset ? OPT_RESET : 0) |
	       (opts.write ? OPT_WRITE : 0) | (opts.duration ? OPT_DURATION : 0) |
	       (opts.quiet ? OPT_QUIET : 0) | (opts.output ? OPT_OUTPUT : 0) |
	       (opts.listen ? OPT_LISTEN : 0) | (opts.nroutes ? OPT_ROUTE : 0) |
	       (opts.fragments ? OPT_FRAGMENTS : 0);
}

/* The first option given that allow leaves out, or NULL. */
static const char *option_refused(unsigned allow)
{
	unsigned refused = options_given() & ~allow;
	size_t i;

	for (i = 0; i < sizeof(option_names) / sizeof(*option_names); i++)
		if (refused & option_names[i].flag)
			return option_names[i].name;
	return NULL;
}

/* The message of the first rule the options given break, or NULL. */
static const char *rule_broken(const struct opt_rule *rules)
{
	unsigned given = options_given();

	for (; rules && rules->message; rules++)
		if ((given & rules->given) &&
		    ((given & rules->wants) != rules->wants || (given & rules->refuses)))
			return rules->message;
	return NULL;
}

int cmd_select(const struct cmd *cmds, const char *what, const char *parent,
	       int argc, char **argv)
{
	const struct cmd *c, *found = NULL;
	const char *refused, *broken;

	if (argc < 1)
		return p_usage("missing %s", what);
	for (c = cmds; c->name; c++) {
		if (strcmp(argv[0], c->name) == 0) {
			found = c;
			break;
		}
		if (is_prefix(argv[0], c->name)) {
			if (found && found->func != c->func)
				return p_usage("ambiguous %s '%s'", what, argv[0]);
			found = c;
		}
	}
	if (!found)
		return p_usage("unknown %s '%s'", what, argv[0]);
	refused = found->allow & OPT_NESTED ? NULL : option_refused(found->allow);
	if (refused)
		return p_usage("%s%s does not take %s", parent, found->name, refused);
	broken = rule_broken(found->rules);
	if (broken)
		return p_usage("%s", broken);
	return found->func(argc - 1, argv + 1);
}
