/*
 * table.c - the result table commands fill, and its text, JSON and CSV
 * renderings.
 *
 * The text form is meant for a terminal, so widths are measured in display
 * columns (utf8proc) and control characters in cells are shown escaped: a
 * newline or an escape sequence coming from the database must neither break
 * the alignment nor reach the terminal. JSON and CSV carry the data as is.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <utf8proc.h>

#include "strato/table.h"
#include "strato/util.h"

/*
 * Reals are printed with 15 significant digits (DBL_DIG): every decimal of
 * up to 15 digits comes back exactly as written ("19.99", not jansson's
 * default 17-digit "19.989999999999998").
 */
#define JSON_FLAGS                                                      \
	(JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY |       \
	 JSON_REAL_PRECISION(15))

#define ROWS_MIN_CAP 16

/* Where rendered output goes; err keeps the errno of the first failure. */
struct out {
	FILE *f;
	int err;
};

static void
die(const char *msg)
{
	fprintf(stderr, "strato: %s\n", msg);
	abort();
}

static void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		die("out of memory");
	return st_xrealloc(p, n * size);
}

static char *xvasprintf(const char *fmt, va_list ap) ST_PRINTF(1, 0);

static char *
xvasprintf(const char *fmt, va_list ap)
{
	struct st_buf b = ST_BUF_INIT;

	st_buf_vaddf(&b, fmt, ap);
	return st_buf_detach(&b);
}

/*
 * Set up an empty table with no columns, rows or message.
 */
void
st_table_init(struct st_table *t)
{
	memset(t, 0, sizeof(*t));
}

/*
 * Free every cell, row, column name and the message, leaving an empty,
 * initialised table that can be filled again.
 */
void
st_table_release(struct st_table *t)
{
	size_t r, c;

	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++)
			free(t->rows[r][c]);
		free(t->rows[r]);
	}
	free(t->rows);
	for (c = 0; c < t->ncols; c++)
		free(t->col_names[c]);
	free(t->col_names);
	free(t->col_types);
	free(t->message);
	st_table_init(t);
}

/*
 * Allocate an empty table; free it with st_table_free.
 */
struct st_table *
st_table_new(void)
{
	struct st_table *t = st_xmalloc(sizeof(*t));

	st_table_init(t);
	return t;
}

/*
 * Release t and free the struct itself. Accepts NULL.
 */
void
st_table_free(struct st_table *t)
{
	if (t == NULL)
		return;
	st_table_release(t);
	free(t);
}

/*
 * Append a column and return its index; a NULL name is taken as "". Adding
 * a column once rows exist is a programming error and aborts, since every
 * existing row would lack the cell.
 */
size_t
st_table_add_col(struct st_table *t, const char *name, enum st_col_type type)
{
	if (t->nrows > 0)
		die("st_table_add_col called after the first row");
	t->col_names = xreallocarray(t->col_names, t->ncols + 1,
				     sizeof(*t->col_names));
	t->col_types = xreallocarray(t->col_types, t->ncols + 1,
				     sizeof(*t->col_types));
	t->col_names[t->ncols] = st_xstrdup(name != NULL ? name : "");
	t->col_types[t->ncols] = type;
	return t->ncols++;
}

/*
 * Append a row whose cells are all NULL and return its index.
 */
size_t
st_table_add_row(struct st_table *t)
{
	if (t->nrows == t->cap_rows) {
		size_t cap = t->cap_rows ? t->cap_rows : ROWS_MIN_CAP / 2;

		if (cap > SIZE_MAX / 2)
			die("out of memory");
		t->cap_rows = cap * 2;
		t->rows = xreallocarray(t->rows, t->cap_rows, sizeof(*t->rows));
	}
	t->rows[t->nrows] = st_xcalloc(t->ncols, sizeof(**t->rows));
	return t->nrows++;
}

/*
 * Replace cell (row, col) with a copy of value; NULL stores SQL NULL. An
 * index out of range is a programming error and aborts.
 */
void
st_table_set(struct st_table *t, size_t row, size_t col, const char *value)
{
	if (row >= t->nrows || col >= t->ncols)
		die("st_table_set: cell out of range");
	free(t->rows[row][col]);
	t->rows[row][col] = value != NULL ? st_xstrdup(value) : NULL;
}

/*
 * st_table_set with a printf-formatted value.
 */
void
st_table_setf(struct st_table *t, size_t row, size_t col, const char *fmt,
	      ...)
{
	va_list ap;

	if (row >= t->nrows || col >= t->ncols)
		die("st_table_set: cell out of range");
	free(t->rows[row][col]);
	va_start(ap, fmt);
	t->rows[row][col] = xvasprintf(fmt, ap);
	va_end(ap);
}

/*
 * Replace the message printed after a text table (or alone when there are
 * no columns).
 */
void
st_table_set_message(struct st_table *t, const char *fmt, ...)
{
	va_list ap;

	free(t->message);
	va_start(ap, fmt);
	t->message = xvasprintf(fmt, ap);
	va_end(ap);
}

static size_t
char_width(utf8proc_int32_t cp)
{
	int w;

	if (utf8proc_category(cp) == UTF8PROC_CATEGORY_CC)
		return 0;
	w = utf8proc_charwidth(cp);
	return w > 0 ? (size_t)w : 0;
}

/*
 * Columns s takes on a terminal: combining marks 0, East Asian wide and
 * emoji 2, control characters 0, each invalid byte 1 (terminals show a
 * replacement character for it). NULL counts as "".
 */
size_t
st_display_width(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t left = s != NULL ? strlen(s) : 0;
	size_t width = 0;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;

	while (left > 0) {
		n = utf8proc_iterate(p, (utf8proc_ssize_t)left, &cp);
		if (n <= 0) {
			width++;
			n = 1;
		} else {
			width += char_width(cp);
		}
		p += n;
		left -= (size_t)n;
	}
	return width;
}

static void
out_write(struct out *o, const char *s, size_t n)
{
	if (o->err != 0 || n == 0)
		return;
	errno = 0;
	if (fwrite(s, 1, n, o->f) != n)
		o->err = errno != 0 ? errno : EIO;
}

/* Write line with a newline (trailing spaces trimmed first) and reset it. */
static void
out_line(struct out *o, struct st_buf *line, bool trim)
{
	while (trim && line->len > 0 && line->data[line->len - 1] == ' ')
		line->len--;
	st_buf_addch(line, '\n');
	out_write(o, line->data, line->len);
	st_buf_reset(line);
}

/* Flush f and turn any failure into the errno to return. */
static int
out_finish(struct out *o)
{
	if (o->err == 0) {
		errno = 0;
		if (fflush(o->f) == EOF)
			o->err = errno != 0 ? errno : EIO;
	}
	if (o->err == 0 && ferror(o->f))
		o->err = EIO;
	if (o->err != 0) {
		errno = o->err;
		return -1;
	}
	return 0;
}

/*
 * The text a cell shows in a terminal: s itself, or a copy in tmp with
 * control characters spelt out ("\n", "\t", "\r", "\x1b") so every row
 * stays on one line and no escape sequence reaches the terminal.
 */
static const char *
cell_text(const char *s, struct st_buf *tmp)
{
	const unsigned char *p;

	if (s == NULL)
		return "";
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			break;
	if (*p == '\0')
		return s;

	st_buf_reset(tmp);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\n')
			st_buf_addstr(tmp, "\\n");
		else if (*p == '\t')
			st_buf_addstr(tmp, "\\t");
		else if (*p == '\r')
			st_buf_addstr(tmp, "\\r");
		else if (*p < 0x20 || *p == 0x7f)
			st_buf_addf(tmp, "\\x%02x", (unsigned)*p);
		else
			st_buf_addch(tmp, (char)*p);
	}
	return tmp->data;
}

static void
add_spaces(struct st_buf *b, size_t n)
{
	while (n-- > 0)
		st_buf_addch(b, ' ');
}

/* Append s padded to width display columns, on the left when right. */
static void
add_padded(struct st_buf *b, const char *s, size_t width, bool right)
{
	size_t w = st_display_width(s);
	size_t pad = w < width ? width - w : 0;

	if (right)
		add_spaces(b, pad);
	st_buf_addstr(b, s);
	if (!right)
		add_spaces(b, pad);
}

/* One line of the aligned table: the header when cells is NULL. */
static void
text_line(const struct st_table *t, char *const *cells, const size_t *widths,
	  struct st_buf *line, struct st_buf *tmp)
{
	const char *s;
	size_t c;

	for (c = 0; c < t->ncols; c++) {
		if (c > 0)
			st_buf_addstr(line, "  ");
		s = cells != NULL ? cells[c] : t->col_names[c];
		add_padded(line, cell_text(s, tmp), widths[c],
			   t->col_types[c] == ST_COL_NUMBER);
	}
}

/*
 * The aligned form: header, a line of dashes under each column, the rows.
 * Columns are two spaces apart and as wide as their widest cell or name.
 */
static void
print_text_rows(const struct st_table *t, struct out *o)
{
	struct st_buf line = ST_BUF_INIT;
	struct st_buf tmp = ST_BUF_INIT;
	size_t *widths = st_xcalloc(t->ncols, sizeof(*widths));
	size_t r, c, w;

	for (c = 0; c < t->ncols; c++) {
		widths[c] = st_display_width(cell_text(t->col_names[c], &tmp));
		for (r = 0; r < t->nrows; r++) {
			w = st_display_width(cell_text(t->rows[r][c], &tmp));
			if (w > widths[c])
				widths[c] = w;
		}
	}

	text_line(t, NULL, widths, &line, &tmp);
	out_line(o, &line, true);
	for (c = 0; c < t->ncols; c++) {
		if (c > 0)
			st_buf_addstr(&line, "  ");
		for (w = 0; w < widths[c]; w++)
			st_buf_addch(&line, '-');
	}
	out_line(o, &line, true);
	for (r = 0; r < t->nrows && o->err == 0; r++) {
		text_line(t, t->rows[r], widths, &line, &tmp);
		out_line(o, &line, true);
	}

	free(widths);
	st_buf_release(&line);
	st_buf_release(&tmp);
}

/*
 * The one-record form: "name: value" lines, values lined up after the
 * widest name. Only the first row is shown; with no row, nothing is.
 */
static void
print_text_single(const struct st_table *t, struct out *o)
{
	struct st_buf line = ST_BUF_INIT;
	struct st_buf tmp = ST_BUF_INIT;
	size_t c, w, widest = 0;

	if (t->nrows == 0)
		return;
	for (c = 0; c < t->ncols; c++) {
		w = st_display_width(cell_text(t->col_names[c], &tmp));
		if (w > widest)
			widest = w;
	}
	for (c = 0; c < t->ncols; c++) {
		st_buf_addstr(&line, cell_text(t->col_names[c], &tmp));
		st_buf_addch(&line, ':');
		/* "name:" is one column wider than the name */
		add_spaces(&line, widest + 2 - st_display_width(line.data));
		st_buf_addstr(&line, cell_text(t->rows[0][c], &tmp));
		out_line(o, &line, true);
	}
	st_buf_release(&line);
	st_buf_release(&tmp);
}

static void
print_message(const struct st_table *t, struct out *o)
{
	size_t n;

	if (t->message == NULL)
		return;
	n = strlen(t->message);
	out_write(o, t->message, n);
	if (n == 0 || t->message[n - 1] != '\n')
		out_write(o, "\n", 1);
}

static void
print_text(const struct st_table *t, struct out *o)
{
	char count[64];

	if (t->ncols == 0) {
		print_message(t, o);
		return;
	}
	if (t->single) {
		print_text_single(t, o);
	} else {
		print_text_rows(t, o);
		snprintf(count, sizeof(count), "(%zu %s)\n", t->nrows,
			 t->nrows == 1 ? "row" : "rows");
		out_write(o, count, strlen(count));
	}
	print_message(t, o);
}

/*
 * A JSON string for s. jansson refuses invalid UTF-8, which the database
 * never sends but a CSV file being imported may: such bytes become U+FFFD.
 */
static json_t *
json_text(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t left = strlen(s);
	struct st_buf b = ST_BUF_INIT;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	json_t *j = json_string(s);

	if (j != NULL)
		return j;
	while (left > 0) {
		n = utf8proc_iterate(p, (utf8proc_ssize_t)left, &cp);
		if (n <= 0)
			st_buf_addstr(&b, "\xef\xbf\xbd");
		else
			st_buf_add(&b, (const char *)p, (size_t)n);
		n = n > 0 ? n : 1;
		p += n;
		left -= (size_t)n;
	}
	j = json_string(b.data != NULL ? b.data : "");
	st_buf_release(&b);
	if (j == NULL)
		die("out of memory");
	return j;
}

/* A number when s is exactly one (integer first), else a string. */
static json_t *
json_number(const char *s)
{
	char *end;
	long long i;
	double d;

	/* strtod would also take " 1", "inf", "nan" and "0x1p3". */
	if (s[0] == '\0' || strspn(s, "0123456789+-.eE") != strlen(s))
		return json_text(s);
	errno = 0;
	i = strtoll(s, &end, 10);
	if (errno == 0 && *end == '\0')
		return json_integer(i);
	errno = 0;
	d = strtod(s, &end);
	if (*end == '\0' && isfinite(d))
		return json_real(d);
	return json_text(s);
}

static json_t *
json_cell(enum st_col_type type, const char *s)
{
	json_t *j;

	if (s == NULL)
		return json_null();
	switch (type) {
	case ST_COL_NUMBER:
		return json_number(s);
	case ST_COL_BOOL:
		if (st_str_ieq(s, "t") || st_str_ieq(s, "true") ||
		    st_str_ieq(s, "1") || st_str_ieq(s, "yes"))
			return json_true();
		if (st_str_ieq(s, "f") || st_str_ieq(s, "false") ||
		    st_str_ieq(s, "0") || st_str_ieq(s, "no"))
			return json_false();
		return json_text(s);
	case ST_COL_JSON:
		j = json_loads(s, JSON_DECODE_ANY, NULL);
		return j != NULL ? j : json_text(s);
	case ST_COL_TEXT:
	default:
		return json_text(s);
	}
}

/* Row r as an object with keys in column order. */
static json_t *
json_row(const struct st_table *t, size_t r)
{
	json_t *obj = json_object();
	json_t *key, *val;
	size_t c;

	if (obj == NULL)
		die("out of memory");
	for (c = 0; c < t->ncols; c++) {
		key = json_text(t->col_names[c]);
		val = json_cell(t->col_types[c], t->rows[r][c]);
		if (val == NULL ||
		    json_object_set_new_nocheck(obj, json_string_value(key),
						val) != 0)
			die("out of memory");
		json_decref(key);
	}
	return obj;
}

/*
 * An array of row objects, or with t->single the first row's object (null
 * when there is no row), then a newline.
 */
static void
print_json(const struct st_table *t, struct out *o)
{
	json_t *root;
	size_t r;

	if (t->single) {
		root = t->nrows > 0 ? json_row(t, 0) : json_null();
	} else {
		root = json_array();
		if (root == NULL)
			die("out of memory");
		for (r = 0; r < t->nrows; r++)
			if (json_array_append_new(root, json_row(t, r)) != 0)
				die("out of memory");
	}
	if (o->err == 0) {
		errno = 0;
		if (json_dumpf(root, o->f, JSON_FLAGS) != 0)
			o->err = errno != 0 ? errno : EIO;
	}
	out_write(o, "\n", 1);
	json_decref(root);
}

/*
 * One RFC 4180 field. NULL is an empty field; "" is written quoted so the
 * two stay apart, as PostgreSQL's COPY does. Leading or trailing blanks
 * are quoted too, since many readers strip them otherwise.
 */
static void
csv_field(struct st_buf *line, const char *s)
{
	size_t n;
	const char *p;

	if (s == NULL)
		return;
	n = strlen(s);
	if (n > 0 && strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' &&
	    s[0] != '\t' && s[n - 1] != ' ' && s[n - 1] != '\t') {
		st_buf_add(line, s, n);
		return;
	}
	st_buf_addch(line, '"');
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			st_buf_addch(line, '"');
		st_buf_addch(line, *p);
	}
	st_buf_addch(line, '"');
}

static void
print_csv(const struct st_table *t, struct out *o)
{
	struct st_buf line = ST_BUF_INIT;
	size_t r, c;

	if (t->ncols == 0)
		return;
	for (c = 0; c < t->ncols; c++) {
		if (c > 0)
			st_buf_addch(&line, ',');
		csv_field(&line, t->col_names[c]);
	}
	out_line(o, &line, false);
	for (r = 0; r < t->nrows && o->err == 0; r++) {
		for (c = 0; c < t->ncols; c++) {
			if (c > 0)
				st_buf_addch(&line, ',');
			csv_field(&line, t->rows[r][c]);
		}
		out_line(o, &line, false);
	}
	st_buf_release(&line);
}

/*
 * Render t to f as an aligned text table, JSON or CSV (see table.h), then
 * flush f so a full disk or a closed pipe is reported here rather than lost
 * at exit. Returns 0, or -1 with errno set when a write failed (or f already
 * had its error indicator set, EIO) or fmt is unknown (EINVAL). Output
 * stops at the first failed write.
 */
int
st_table_print(const struct st_table *t, enum st_format fmt, FILE *f)
{
	struct out o = { f, 0 };

	switch (fmt) {
	case ST_FORMAT_TABLE:
		print_text(t, &o);
		break;
	case ST_FORMAT_JSON:
		print_json(t, &o);
		break;
	case ST_FORMAT_CSV:
		print_csv(t, &o);
		break;
	default:
		o.err = EINVAL;
		break;
	}
	return out_finish(&o);
}

/*
 * s cut to at most width display columns: control characters (newlines
 * in notes) become spaces, invalid bytes '?', and a cut shows as "…" in
 * the last column. With pad, spaces fill up to width exactly. A new string.
 */
char *
st_display_fit(const char *s, size_t width, bool pad)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)(s ? s : "");
	size_t left = strlen((const char *)p), used = 0;
	struct st_buf b = ST_BUF_INIT;
	bool cut = st_display_width(s) > width;

	while (left > 0 && width > 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(p, (utf8proc_ssize_t)left,
						      &cp);
		size_t w;

		if (n <= 0) {
			cp = '?';
			n = 1;
		} else if (utf8proc_category(cp) == UTF8PROC_CATEGORY_CC) {
			cp = ' ';
		}
		w = cp == '?' || cp == ' ' ? 1 : char_width(cp);
		if (used + w > width - (cut ? 1 : 0))
			break;
		if (cp == '?' || cp == ' ')
			st_buf_addch(&b, (char)cp);
		else
			st_buf_add(&b, (const char *)p, (size_t)n);
		used += w;
		p += n;
		left -= (size_t)n;
	}
	if (cut && width > 0) {
		st_buf_addstr(&b, "\xe2\x80\xa6"); /* … */
		used++;
	}
	while (pad && used < width) {
		st_buf_addch(&b, ' ');
		used++;
	}
	return b.data ? st_buf_detach(&b) : st_xstrdup("");
}
