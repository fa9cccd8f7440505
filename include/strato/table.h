/*
 * table.h - the result a command fills, and its three renderings.
 *
 * Commands never print: they fill a struct st_table (named, typed columns and
 * rows of nullable UTF-8 strings, plus an optional message) and the front end
 * renders it as an aligned text table, JSON or CSV. Alignment is measured in
 * terminal display width (utf8proc), not bytes, so accents, ñ, CJK and emoji
 * line up. The same renderers serve strato and strato-etl.
 *
 * Ownership: the table owns copies of every string added to it.
 */
#ifndef STRATO_TABLE_H
#define STRATO_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "strato/util.h"

enum st_col_type {
	ST_COL_TEXT,   /* JSON string */
	ST_COL_NUMBER, /* JSON number; right-aligned in text */
	ST_COL_BOOL,   /* "t"/"f" or "true"/"false" in; JSON true/false */
	ST_COL_JSON,   /* value is JSON text, embedded as-is in JSON output */
};

enum st_format {
	ST_FORMAT_TABLE,
	ST_FORMAT_JSON,
	ST_FORMAT_CSV,
};

struct st_table {
	size_t ncols;
	char **col_names;
	enum st_col_type *col_types;
	size_t nrows;
	size_t cap_rows;
	char ***rows; /* rows[r][c], NULL is SQL NULL */
	char *message; /* shown after a table, or alone when ncols == 0 */
	bool single;   /* one record: JSON object instead of array, and the
			  text form prints "name: value" lines */
};

void st_table_init(struct st_table *t);
/* Free every row, column and the message; leaves an empty table. */
void st_table_release(struct st_table *t);
struct st_table *st_table_new(void);
void st_table_free(struct st_table *t);

/* Columns must all be added before the first row. Returns the index. */
size_t st_table_add_col(struct st_table *t, const char *name,
			enum st_col_type type);
/* Append an empty row (all NULL); returns its index. */
size_t st_table_add_row(struct st_table *t);
/* Set cell (row, col) to a copy of value (NULL allowed). */
void st_table_set(struct st_table *t, size_t row, size_t col,
		  const char *value);
void st_table_setf(struct st_table *t, size_t row, size_t col,
		   const char *fmt, ...)
	ST_PRINTF(4, 5);
void st_table_set_message(struct st_table *t, const char *fmt, ...)
	ST_PRINTF(2, 3);

/*
 * Terminal display width of a UTF-8 string: combining marks count 0, wide
 * and emoji characters 2, control characters 0. Invalid bytes count 1 each.
 */
size_t st_display_width(const char *s);

/*
 * s fitted to width display columns: cut with a final "…" when longer,
 * control characters shown as spaces, padded with spaces when pad. A new
 * string (the TUI's cells).
 */
char *st_display_fit(const char *s, size_t width, bool pad);

/*
 * Render t to f in the given format. Text tables pad to display width and
 * right-align numbers; NULL prints as empty in text and CSV, null in JSON.
 * CSV follows RFC 4180 (header row, quotes doubled, CRLF not used: "\n").
 * JSON is one array of objects (or one object when t->single), keys in
 * column order, followed by a newline. The message goes to f after a text
 * table, and is omitted from JSON and CSV (it is not data).
 * Returns 0, or -1 when writing failed (errno set).
 */
int st_table_print(const struct st_table *t, enum st_format fmt, FILE *f);

#endif
