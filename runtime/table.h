/* table.h: a text table: a row of heads in capitals, then rows of cells,
 * each column as wide as its widest cell, two spaces apart; a column is
 * left- or right-aligned, and a left-aligned last column is not padded:
 *
 *   IP.DST        UDP.DPORT  PACKETS  BYTES
 *   198.51.100.7  53              10    760
 */
#ifndef LWTP_TABLE_H
#define LWTP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TABLE_MAX_COLS 32

/* The cells' text is kept in one buffer, each cell an offset into it: a
 * table of a million rows (lwtp stat on a big map) then costs its text and
 * four bytes a cell, where a string allocated for each cell cost three
 * times as much. */
struct table {
	int ncols;
	size_t nrows;
	uint32_t *cells;                /* nrows x ncols: 1 + offset in text; 0: empty */
	char *text;
	size_t text_len, text_cap;
	char head[TABLE_MAX_COLS][80];
	bool left[TABLE_MAX_COLS];
};

/* nrows rows of ncols empty cells, right-aligned under empty heads until
 * table_head() says otherwise: 0, -E2BIG past TABLE_MAX_COLS or -ENOMEM.
 * Free with table_free(), even after an error. */
int table_init(struct table *t, size_t nrows, int ncols);
void table_head(struct table *t, int col, const char *name, bool left);
/* A copy of text into a cell: 0, -ENOMEM, or -E2BIG past 4 GiB of text. */
int table_put(struct table *t, size_t row, int col, const char *text);
void table_print(const struct table *t, FILE *f);
void table_free(struct table *t);

#endif
