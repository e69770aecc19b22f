/* setfile.c: sets read from a file the policy names ('const deny = file
 * "deny.txt";'), so that large sets need no userspace step: the compiler
 * reads them, and they are compiled into the object like any other set.
 *
 * One element a line: an integer (decimal or 0x hex), a range lo..hi, an
 * IPv4 or IPv6 address, or a prefix; for a tuple set, one tuple a line,
 * its components such elements separated by commas, in parentheses or
 * not ('198.51.100.7, 443'). '#' starts a comment; blank lines and
 * spaces around the element are ignored. The file's text is handed to
 * diag.h, so that a bad element is reported at its own file, line and
 * column, with the line quoted, and the checker's messages about an
 * element (a prefix with host bits, an integer too wide for the field)
 * point there too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "lwtp_literal.h"
#include "setfile.h"
#include "util.h"

#define SETFILE_MAX_BYTES (64u << 20)
#define ELEMENT_MAX 128

/* path relative to the directory of the policy file named from */
static char *resolve_path(const char *from, const char *path)
{
	const char *slash;

	if (path[0] == '/' || !from || strcmp(from, "<stdin>") == 0)
		return xstrdup(path);
	slash = strrchr(from, '/');
	if (!slash)
		return xstrdup(path);
	return xasprintf("%.*s/%s", (int)(slash - from), from, path);
}

/* What a file that is not a regular file is, for a message. */
static const char *file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "a special file";
}

static void cannot_read(const struct loc *path_loc, const char *full, int err)
{
	if (err == EFBIG)
		diag_error(path_loc, "set file '%s' is larger than %u MiB", full,
			   SETFILE_MAX_BYTES >> 20);
	else
		diag_error(path_loc, "cannot read set file '%s': %s", full, strerror(err));
}

/* Whether the file st describes is one to read: a regular file within the
 * limit, which its size tells before a byte is read. */
static bool readable(const struct stat *st, const char *full, const struct loc *path_loc)
{
	if (!S_ISREG(st->st_mode)) {
		diag_error(path_loc, "set file '%s' is %s, not a regular file", full,
			   file_kind(st->st_mode));
		return false;
	}
	if ((uintmax_t)st->st_size > SETFILE_MAX_BYTES) {
		cannot_read(path_loc, full, EFBIG);
		return false;
	}
	return true;
}

/* All of the set file at full, NUL-terminated; NULL with the error
 * reported at path_loc. Only a regular file is read: a FIFO would wait
 * for a writer, a device may never end (/dev/zero) or act on being opened
 * (a tape rewinds), so their stat refuses them unopened. The fstat of
 * what was opened catches a file replaced in between, and O_NONBLOCK
 * keeps that open from waiting for a FIFO's writer. */
static char *read_set_file(const char *full, const struct loc *path_loc, size_t *len)
{
	struct stat st;
	char *text = NULL;
	int fd;

	if (stat(full, &st) < 0) {
		cannot_read(path_loc, full, errno);
		return NULL;
	}
	if (!readable(&st, full, path_loc))
		return NULL;
	fd = open(full, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		cannot_read(path_loc, full, errno);
	else if (readable(&st, full, path_loc) &&
		 !(text = read_fd(fd, SETFILE_MAX_BYTES, len)))
		cannot_read(path_loc, full, errno);     /* EFBIG: it grew */
	if (fd >= 0)
		close(fd);
	return text;
}

/* The element's text for a message: printable ASCII, '?' for the rest. */
static void shown(char *out, size_t size, const char *s, size_t n)
{
	size_t i;

	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
}

/* A decimal or hex integer, all of s. */
static bool parse_uint(const char *s, uint64_t *v)
{
	return lwtp_uint(s, LWTP_DEC | LWTP_HEX, UINT64_MAX, v) == LWTP_LIT_OK;
}

/* An address or prefix of family 4 or 6 (text is at most ELEMENT_MAX). */
static struct expr *parse_addr(const char *text, int family, const struct loc *loc)
{
	struct lwtp_addr_lit lit;
	struct addr a = { .family = family };
	int n = (int)strcspn(text, "/");

	switch (lwtp_addr(text, family, &lit)) {
	case LWTP_LIT_OK:
		break;
	case LWTP_LIT_BAD:
		diag_error(loc, "invalid IPv%d address '%.*s'", family, n, text);
		return NULL;
	case LWTP_LIT_BAD_PREFIX:
		diag_error(loc, "invalid prefix length in '%s'", text);
		return NULL;
	case LWTP_LIT_TOO_LARGE:
		diag_error(loc, "prefix length in '%s' is larger than %d", text,
			   family == 4 ? 32 : 128);
		return NULL;
	}
	memcpy(a.bytes, lit.bytes, sizeof(a.bytes));
	a.prefix_len = (int)lit.prefix_len;
	a.is_prefix = lit.has_prefix;
	return ast_addr(loc, &a);
}

static struct expr *parse_element(const char *s, size_t n, const struct loc *loc)
{
	char text[ELEMENT_MAX + 1], show[ELEMENT_MAX + 1];
	const char *dots;
	uint64_t lo, hi;

	shown(show, sizeof(show), s, n);
	if (n > ELEMENT_MAX) {
		diag_error(loc, "element '%s...' is too long", show);
		return NULL;
	}
	memcpy(text, s, n);
	text[n] = '\0';
	if (memchr(text, '\0', n) || strlen(text) != n) {
		diag_error(loc, "unexpected NUL byte in element");
		return NULL;
	}
	if (strchr(text, ':'))
		return parse_addr(text, 6, loc);
	dots = strstr(text, "..");
	if (dots) {
		char left[ELEMENT_MAX + 1];
		snprintf(left, sizeof(left), "%.*s", (int)(dots - text), text);
		if (!parse_uint(left, &lo) || !parse_uint(dots + 2, &hi)) {
			diag_error(loc, "invalid range '%s': a range is two integers, lo..hi", show);
			return NULL;
		}
		return ast_range(loc, ast_int(loc, lo), ast_int(loc, hi));
	}
	if (strchr(text, '.'))
		return parse_addr(text, 4, loc);
	if (parse_uint(text, &lo))
		return ast_int(loc, lo);
	diag_error(loc, "invalid element '%s': an element of a set file is an integer, "
		   "a range lo..hi, an address or a prefix", show);
	return NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The elements of text, one a line, located in file. */
static void parse_lines(struct expr_list *list, const char *file, const char *text,
			size_t len)
{
	const char *p = text, *end = text + len;
	int line = 1;

	while (p < end && !diag_too_many()) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *stop = eol ? eol : end, *q = p, *start;
		struct loc loc = { .file = file, .first_line = line, .last_line = line };
		struct expr *el;

		while (q < stop && is_space(*q))
			q++;
		start = q;
		while (q < stop && !is_space(*q) && *q != '#')
			q++;
		if (q > start) {
			loc.first_column = (int)(start - p) + 1;
			loc.last_column = (int)(q - p);
			el = parse_element(start, (size_t)(q - start), &loc);
			if (el)
				ast_expr_list_push(list, el);
			while (q < stop && is_space(*q))
				q++;
			if (q < stop && *q != '#') {
				const char *rest = q;
				char show[ELEMENT_MAX + 1];
				while (q < stop && !is_space(*q) && *q != '#')
					q++;
				loc.first_column = (int)(rest - p) + 1;
				loc.last_column = (int)(q - p);
				shown(show, sizeof(show), rest, (size_t)(q - rest));
				diag_error(&loc, "one element a line, but '%s' follows the first", show);
			}
		}
		p = eol ? eol + 1 : end;
		line++;
	}
}

/* ---- files of tuples ------------------------------------------------------------- */

/* Whether [b, e) holds a blank. */
static bool has_space(const char *b, const char *e)
{
	for (; b < e; b++)
		if (is_space(*b))
			return true;
	return false;
}

/* The tuple of the line [start, stop) of a file of tuples, at line: its
 * components separated by commas, in parentheses or not, each an element
 * located at its own column (p is the start of the line). NULL after an
 * error. */
static struct expr *parse_tuple_line(const char *p, const char *start, const char *stop,
				     const struct loc *at)
{
	struct expr_list comps = { 0 };
	const char *q = start, *end = stop;
	struct loc loc = *at;
	bool ok = true;

	if (*q == '(' && end > q + 1 && end[-1] == ')') {
		q++;
		end--;
	}
	for (;;) {
		const char *comma = memchr(q, ',', (size_t)(end - q)), *b = q, *e;
		struct expr *el;

		if (!comma)
			comma = end;
		e = comma;
		while (b < e && is_space(*b))
			b++;
		while (e > b && is_space(e[-1]))
			e--;
		loc.first_column = (int)(b - p) + 1;
		loc.last_column = e > b ? (int)(e - p) : loc.first_column;
		if (e == b) {
			diag_error(&loc, "empty component: a line of a file of tuples is "
				   "'V1, V2, ...' or '(V1, V2, ...)'");
			ok = false;
		} else if (has_space(b, e)) {
			diag_error(&loc, "components are separated by commas: '%.*s' is two",
				   (int)(e - b), b);
			ok = false;
		} else if ((el = parse_element(b, (size_t)(e - b), &loc))) {
			ast_expr_list_push(&comps, el);
		} else {
			ok = false;
		}
		if (comma == end)
			break;
		q = comma + 1;
	}
	if (ok && comps.len < 2) {
		loc.first_column = (int)(start - p) + 1;
		loc.last_column = (int)(stop - p);
		diag_error(&loc, "a line of a file of tuples holds 2 or more components, "
			   "separated by commas: '198.51.100.7, 443'");
		ok = false;
	}
	if (!ok) {
		for (size_t i = 0; i < comps.len; i++)
			ast_expr_free(comps.items[i]);
		free(comps.items);
		return NULL;
	}
	loc.first_column = (int)(start - p) + 1;
	loc.last_column = (int)(stop - p);
	return ast_set(&loc, &comps);
}

/* The tuples of text, one a line, located in file. */
static void parse_tuple_lines(struct expr_list *list, const char *file, const char *text,
			      size_t len)
{
	const char *p = text, *end = text + len;
	int line = 1;

	while (p < end && !diag_too_many()) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *stop = eol ? eol : end, *hash, *start = p;
		struct loc loc = { .file = file, .first_line = line, .last_line = line };
		struct expr *t;

		hash = memchr(p, '#', (size_t)(stop - p));
		if (hash)
			stop = hash;
		while (start < stop && is_space(*start))
			start++;
		while (stop > start && is_space(stop[-1]))
			stop--;
		if (stop > start && (t = parse_tuple_line(p, start, stop, &loc)))
			ast_expr_list_push(list, t);
		p = eol ? eol + 1 : end;
		line++;
	}
}

struct expr_list setfile_read_tuples(const struct loc *loc, char *path,
				     const struct loc *path_loc)
{
	struct expr_list tuples = { 0 };
	char *full = resolve_path(loc->file, path), *text;
	size_t len = 0;

	text = read_set_file(full, path_loc, &len);
	if (text) {
		parse_tuple_lines(&tuples, diag_add_source(full, text, len), text, len);
		if (tuples.len == 0 && !diag_too_many())
			diag_error(path_loc, "set file '%s' has no elements", full);
		free(text);
	}
	free(full);
	free(path);
	return tuples;
}

struct expr *setfile_read(const struct loc *loc, char *path, const struct loc *path_loc)
{
	struct expr_list elements = { 0 };
	char *full = resolve_path(loc->file, path), *text;
	const char *name;
	struct expr *set;
	size_t len = 0;

	text = read_set_file(full, path_loc, &len);
	if (text) {
		name = diag_add_source(full, text, len);
		parse_lines(&elements, name, text, len);
		if (elements.len == 0 && !diag_too_many())
			diag_error(path_loc, "set file '%s' has no elements", full);
		free(text);
	}
	set = ast_set(loc, &elements);
	set->file = path;
	free(full);
	return set;
}
