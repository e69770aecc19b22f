/* table.c: a text table (table.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

void table_free(struct table *t)
{
	free(t->cells);
	free(t->text);
	t->cells = NULL;
	t->text = NULL;
}

int table_init(struct table *t, size_t nrows, int ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->nrows = nrows;
	if (ncols > TABLE_MAX_COLS)
		return -E2BIG;
	t->cells = calloc(nrows * ncols + 1, sizeof(*t->cells));
	return t->cells ? 0 : -ENOMEM;
}

void table_head(struct table *t, int col, const char *name, bool left)
{
	snprintf(t->head[col], sizeof(t->head[col]), "%s", name);
	t->left[col] = left;
}

/* Room for n more bytes of text. */
static int grow_text(struct table *t, size_t n)
{
	size_t cap = t->text_cap ? t->text_cap : 4096;
	char *grown;

	if (t->text_len + n <= t->text_cap)
		return 0;
	while (cap < t->text_len + n)
		cap += cap / 2;
	grown = realloc(t->text, cap);
	if (!grown)
		return -ENOMEM;
	t->text = grown;
	t->text_cap = cap;
	return 0;
}

int table_put(struct table *t, size_t row, int col, const char *text)
{
	size_t n = strlen(text) + 1;
	int err;

	if (t->text_len + n >= UINT32_MAX)
		return -E2BIG;
	err = grow_text(t, n);
	if (err)
		return err;
	memcpy(t->text + t->text_len, text, n);
	t->cells[row * t->ncols + col] = (uint32_t)t->text_len + 1;
	t->text_len += n;
	return 0;
}

static const char *cell(const struct table *t, size_t row, int col)
{
	uint32_t at = t->cells[row * t->ncols + col];

	return at ? t->text + at - 1 : "";
}

/* One cell of a column width wide, two spaces after the one before; a
 * left-aligned last column is not padded. */
static void put_cell(const struct table *t, FILE *f, int c, int width, const char *text,
		     bool upper)
{
	int pad = width - (int)strlen(text);

	if (c)
		fputs("  ", f);
	if (!t->left[c])
		fprintf(f, "%*s", pad, "");
	for (; *text; text++)
		fputc(upper ? toupper((unsigned char)*text) : *text, f);
	if (t->left[c] && c < t->ncols - 1)
		fprintf(f, "%*s", pad, "");
}

void table_print(const struct table *t, FILE *f)
{
	int width[TABLE_MAX_COLS], c, n;
	size_t r;

	for (c = 0; c < t->ncols; c++) {
		width[c] = strlen(t->head[c]);
		for (r = 0; r < t->nrows; r++) {
			n = strlen(cell(t, r, c));
			if (n > width[c])
				width[c] = n;
		}
	}
	for (c = 0; c < t->ncols; c++)
		put_cell(t, f, c, width[c], t->head[c], true);
	fputc('\n', f);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++)
			put_cell(t, f, c, width[c], cell(t, r, c), false);
		fputc('\n', f);
	}
}
