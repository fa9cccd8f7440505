/*
 * view.c - frames of spans, and the one-line input, without curses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strato/table.h"
#include "strato/util.h"
#include "view.h"

void
view_frame_init(struct view_frame *f, int rows, int cols)
{
	f->rows = rows > 0 ? rows : 0;
	f->cols = cols > 0 ? cols : 0;
	f->lines = st_xcalloc((size_t)f->rows + 1, sizeof(*f->lines));
	f->cursor_row = f->cursor_col = -1;
}

void
view_frame_release(struct view_frame *f)
{
	if (!f || !f->lines)
		return;
	for (int r = 0; r < f->rows; r++) {
		for (size_t i = 0; i < f->lines[r].n; i++)
			free(f->lines[r].spans[i].text);
		free(f->lines[r].spans);
	}
	free(f->lines);
	f->lines = NULL;
}

void
view_clear_row(struct view_frame *f, int row)
{
	if (row < 0 || row >= f->rows)
		return;
	for (size_t i = 0; i < f->lines[row].n; i++)
		free(f->lines[row].spans[i].text);
	f->lines[row].n = 0;
	f->lines[row].fill = VA_NORMAL;
}

void
view_fill(struct view_frame *f, int row, enum view_attr a)
{
	if (row >= 0 && row < f->rows)
		f->lines[row].fill = a;
}

int
view_put(struct view_frame *f, int row, int col, int width,
	 enum view_attr a, const char *text, bool pad)
{
	struct view_line *l;
	char *fit;

	if (row < 0 || row >= f->rows || col < 0 || col >= f->cols)
		return col;
	if (width > f->cols - col)
		width = f->cols - col;
	if (width <= 0)
		return col;
	fit = st_display_fit(text, (size_t)width, pad);
	l = &f->lines[row];
	l->spans = st_xrealloc(l->spans, (l->n + 1) * sizeof(*l->spans));
	l->spans[l->n].col = col;
	l->spans[l->n].attr = a;
	l->spans[l->n].text = fit;
	l->n++;
	return col + (int)st_display_width(fit);
}

int
view_putf(struct view_frame *f, int row, int col, enum view_attr a,
	  const char *fmt, ...)
{
	va_list ap;
	char *s;
	int end;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	end = view_put(f, row, col, f->cols - col, a, s ? s : "", false);
	free(s);
	return end;
}

/* Spans in column order; later spans over earlier ones where they meet. */
char *
view_row_text(const struct view_frame *f, int row)
{
	struct st_buf b = ST_BUF_INIT;
	const struct view_line *l = &f->lines[row];

	for (int c = 0; c < f->cols;) {
		const struct view_span *best = NULL;

		for (size_t i = 0; i < l->n; i++)
			if (l->spans[i].col == c && *l->spans[i].text)
				best = &l->spans[i];
		if (best) {
			st_buf_addstr(&b, best->text);
			c += (int)st_display_width(best->text);
			continue;
		}
		st_buf_addch(&b, ' ');
		c++;
	}
	while (b.len && b.data[b.len - 1] == ' ')
		b.data[--b.len] = '\0';
	return b.data ? st_buf_detach(&b) : st_xstrdup("");
}

char *
view_frame_text(const struct view_frame *f)
{
	struct st_buf b = ST_BUF_INIT;

	for (int r = 0; r < f->rows; r++) {
		char *line = view_row_text(f, r);

		st_buf_addstr(&b, line);
		st_buf_addch(&b, '\n');
		free(line);
	}
	return b.data ? st_buf_detach(&b) : st_xstrdup("");
}

void
view_input_init(struct view_input *in, const char *initial)
{
	in->text = st_xstrdup(initial ? initial : "");
	in->len = strlen(in->text);
}

void
view_input_release(struct view_input *in)
{
	free(in->text);
	in->text = NULL;
	in->len = 0;
}

/* Back over one UTF-8 character. */
static void
drop_char(struct view_input *in)
{
	while (in->len > 0) {
		unsigned char c = (unsigned char)in->text[--in->len];

		if ((c & 0xC0) != 0x80)
			break;
	}
	in->text[in->len] = '\0';
}

bool
view_input_key(struct view_input *in, int key)
{
	if (key == VK_BACKSPACE || key == 127 || key == 8) {
		if (!in->len)
			return false;
		drop_char(in);
		return true;
	}
	if (key == VK_CTRL_U) {
		in->len = 0;
		in->text[0] = '\0';
		return true;
	}
	if (key == VK_CTRL_W) {
		while (in->len && in->text[in->len - 1] == ' ')
			in->len--;
		while (in->len && in->text[in->len - 1] != ' ')
			in->len--;
		in->text[in->len] = '\0';
		return true;
	}
	if (key < 32 || key > 255 || key == 127)
		return false;
	in->text = st_xrealloc(in->text, in->len + 2);
	in->text[in->len++] = (char)key;
	in->text[in->len] = '\0';
	return true;
}
