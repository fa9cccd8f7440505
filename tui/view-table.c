/*
 * view-table.c - a command's result as a scrolling table or text.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "strato/util.h"
#include "view-table.h"

void
table_view_init(struct table_view *v, const char *command)
{
	memset(v, 0, sizeof(*v));
	v->command = st_xstrdup(command);
	v->page_rows = 1;
	v->want_reload = true;
}

static void
drop(struct table_view *v)
{
	st_table_free(v->t);
	v->t = NULL;
	for (size_t i = 0; i < v->nlines; i++)
		free(v->lines[i]);
	free(v->lines);
	v->lines = NULL;
	v->nlines = 0;
}

void
table_view_release(struct table_view *v)
{
	drop(v);
	free(v->command);
	free(v->message);
	v->command = v->message = NULL;
}

static void
add_line(struct table_view *v, const char *s, size_t n)
{
	v->lines = st_xrealloc(v->lines, (v->nlines + 1) * sizeof(char *));
	v->lines[v->nlines++] = st_xstrndup(s, n);
}

/*
 * A JSON array of objects (a timeline, messages) as text, one line per
 * element: its values in order, dates to the minute. NULL when val is not
 * such an array; a new string otherwise.
 */
static char *
json_lines(const char *val)
{
	json_t *a = json_loads(val, 0, NULL), *o;
	struct st_buf b = ST_BUF_INIT;
	size_t i;

	if (!json_is_array(a)) {
		json_decref(a);
		return NULL;
	}
	json_array_foreach(a, i, o) {
		const char *k;
		json_t *v;
		bool first = true;

		if (i)
			st_buf_addch(&b, '\n');
		json_object_foreach(o, k, v) {
			const char *sv = json_string_value(v);

			if (json_is_null(v) || json_is_false(v) ||
			    (sv && !*sv))
				continue;
			if (!first)
				st_buf_addstr(&b, "  ");
			first = false;
			if (json_is_true(v))
				st_buf_addstr(&b, k);
			else if (sv && strlen(sv) > 16 && sv[4] == '-' &&
				 sv[10] == 'T')
				st_buf_addf(&b, "%.10s %.5s", sv, sv + 11);
			else if (sv)
				st_buf_addstr(&b, sv);
		}
	}
	json_decref(a);
	return b.data ? st_buf_detach(&b) : st_xstrdup("-");
}

/* A record as "name: value" lines, then the message's lines. */
static void
text_lines(struct table_view *v)
{
	const struct st_table *t = v->t;
	size_t w = 0;

	if (t->single && t->nrows)
		for (size_t c = 0; c < t->ncols; c++)
			if (strlen(t->col_names[c]) > w)
				w = strlen(t->col_names[c]);
	for (size_t c = 0; t->single && t->nrows && c < t->ncols; c++) {
		char *pretty = t->col_types[c] == ST_COL_JSON && t->rows[0][c]
			       ? json_lines(t->rows[0][c]) : NULL;
		const char *val = pretty ? pretty
				  : t->rows[0][c] ? t->rows[0][c] : "";
		const char *p = val;

		/* multi-line values (a timeline) continue indented */
		do {
			size_t n = strcspn(p, "\n");
			char *l = st_xasprintf("%-*s  %.*s", (int)w,
					       p == val ? t->col_names[c] : "",
					       (int)n, p);

			add_line(v, l, strlen(l));
			free(l);
			p += n + (p[n] == '\n');
		} while (*p);
		free(pretty);
	}
	for (const char *p = t->message; p && *p;) {
		size_t n = strcspn(p, "\n");

		add_line(v, p, n);
		p += n + (p[n] == '\n');
	}
}

void
table_view_set(struct table_view *v, struct st_table *t)
{
	size_t keep = v->sel;

	drop(v);
	v->t = t;
	v->loading = false;
	if (t->single || !t->ncols)
		text_lines(v);
	/* a reload keeps the place */
	v->sel = keep < (t->ncols && !t->single ? t->nrows : v->nlines)
		 ? keep : 0;
	free(v->message);
	v->message = NULL;
}

void
table_view_error(struct table_view *v, const char *msg)
{
	free(v->message);
	v->message = st_xstrdup(msg);
	v->loading = false;
}

static size_t
count(const struct table_view *v)
{
	if (!v->t)
		return 0;
	return v->lines || v->t->single || !v->t->ncols ? v->nlines
							 : v->t->nrows;
}

enum view_result
table_view_key(struct table_view *v, int key)
{
	long n = (long)count(v), to = (long)v->sel;
	long page = v->page_rows > 1 ? v->page_rows - 1 : 1;

	switch (key) {
	case 'j': case VK_DOWN: to++; break;
	case 'k': case VK_UP: to--; break;
	case VK_NPAGE: case ' ': to += page; break;
	case VK_PPAGE: to -= page; break;
	case 'g': case VK_HOME: to = 0; break;
	case 'G': case VK_END: to = n - 1; break;
	case 'r': v->want_reload = true; return VR_REDRAW;
	default:
		if (!(key & VK_CLICK))
			return VR_NONE;
		/* a click on a row selects it (a double click: then Enter) */
		to = (long)v->top + VK_ROW(key) - v->first_row;
		if (VK_ROW(key) < v->first_row || to >= n)
			return VR_HANDLED;
		break;
	}
	if (to >= n)
		to = n - 1;
	if (to < 0)
		to = 0;
	v->sel = (size_t)to;
	return VR_REDRAW;
}

/* Natural widths (capped), shrunk from the widest until they fit. */
static void
widths(const struct st_table *t, int cols, int *w)
{
	int total = 0;

	for (size_t c = 0; c < t->ncols; c++) {
		size_t m = st_display_width(t->col_names[c]);

		for (size_t r = 0; r < t->nrows && r < 500; r++) {
			size_t x = st_display_width(t->rows[r][c]);

			if (x > m)
				m = x;
		}
		w[c] = m > 40 ? 40 : (int)m;
		total += w[c] + 1;
	}
	while (total > cols) {
		size_t widest = 0;

		for (size_t c = 1; c < t->ncols; c++)
			if (w[c] > w[widest])
				widest = c;
		if (w[widest] <= 6)
			break; /* the rest falls off the right edge */
		w[widest]--;
		total--;
	}
}

static void
scroll_into_view(struct table_view *v, int rows)
{
	v->page_rows = rows > 0 ? rows : 1;
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + (size_t)v->page_rows)
		v->top = v->sel - (size_t)v->page_rows + 1;
}

void
table_view_layout(struct table_view *v, struct view_frame *f, int top,
		  int bottom)
{
	const struct st_table *t = v->t;
	int *w;

	if (!t) {
		view_put(f, top, 1, f->cols - 1, VA_DIM, v->loading ?
			 "cargando…" : "", false);
		return;
	}
	if (v->lines || t->single || !t->ncols) {
		v->first_row = top;
		scroll_into_view(v, bottom - top);
		for (int r = top; r < bottom; r++) {
			size_t at = v->top + (size_t)(r - top);

			if (at >= v->nlines)
				break;
			view_put(f, r, 1, f->cols - 1, at == v->sel ?
				 VA_SELECTED : VA_NORMAL, v->lines[at], false);
		}
		return;
	}
	scroll_into_view(v, bottom - top - 1);
	v->first_row = top + 1;
	w = st_xcalloc(t->ncols + 1, sizeof(int));
	widths(t, f->cols, w);
	view_fill(f, top, VA_HEADER);
	for (size_t c = 0, col = 0; c < t->ncols; col += (size_t)w[c++] + 1)
		view_put(f, top, (int)col, w[c], VA_HEADER, t->col_names[c],
			 true);
	if (!t->nrows)
		view_put(f, top + 1, 1, f->cols - 1, VA_DIM, "(nothing)", false);
	for (int r = top + 1; r < bottom; r++) {
		size_t at = v->top + (size_t)(r - top - 1);
		enum view_attr a;

		if (at >= t->nrows)
			break;
		a = at == v->sel ? VA_SELECTED : VA_NORMAL;
		if (a == VA_SELECTED)
			view_fill(f, r, a);
		for (size_t c = 0, col = 0; c < t->ncols;
		     col += (size_t)w[c++] + 1)
			view_put(f, r, (int)col, w[c], a,
				 t->rows[at][c] ? t->rows[at][c] : "", true);
	}
	free(w);
}

const char *
table_view_selected(const struct table_view *v, const char *col)
{
	const struct st_table *t = v->t;

	if (!t || t->single || !t->ncols || v->sel >= t->nrows)
		return NULL;
	for (size_t c = 0; c < t->ncols; c++)
		if (strcmp(t->col_names[c], col) == 0)
			return t->rows[v->sel][c];
	return t->rows[v->sel][0];
}
