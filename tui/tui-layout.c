/*
 * tui-layout.c - the TUI's frame: title with the screens, the screen, the
 * ":" pane, the help overlay and the bottom line. No curses here.
 */
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "tui-internal.h"

/* ---- layout ---- */

static void
layout_title(const struct tui *t, struct view_frame *f, bool busy)
{
	static const char spin[] = "|/-\\";
	int col;

	view_fill(f, 0, VA_TITLE);
	col = view_put(f, 0, 0, f->cols, VA_TITLE, " STRATO ", false);
	for (int s = 0; s < TUI_NSCREENS; s++) {
		if (tui_screens[s].service_only && !st_db_is_service(t->ctx->db))
			continue;
		col = view_put(f, 0, col + 1, f->cols, s == t->screen ?
			       VA_SELECTED : VA_TITLE, tui_screens[s].title, false);
	}
	if (busy)
		view_putf(f, 0, f->cols - 2, VA_TITLE, "%c",
			  spin[(tui_now_ms() / 120) % 4]);
}

static void
layout_help(struct view_frame *f)
{
	int top = 1, left = f->cols > 64 ? (f->cols - 60) / 2 : 0;
	int row = top;

	for (int r = top; r < f->rows - 1; r++)
		view_clear_row(f, r);
	view_put(f, row++, left, 60, VA_TITLE, " Keys (any key closes) ", false);
	for (size_t i = 0; i < tui_nbindings && row < f->rows - 1;
	     i++) {
		if (!*tui_bindings[i].label)
			continue;
		view_put(f, row, left, 16, VA_ACCENT, tui_bindings[i].label, true);
		view_put(f, row++, left + 17, f->cols - left - 17, VA_NORMAL,
			 tui_bindings[i].help, false);
	}
}

static void
layout_bottom(const struct tui *t, struct view_frame *f, bool leads_owns)
{
	int row = f->rows - 1;

	if (t->in_line) {
		int end = view_putf(f, row, 0, VA_NORMAL, ":%s", t->line.text);

		f->cursor_row = row;
		f->cursor_col = end < f->cols ? end : f->cols - 1;
		if (t->cands && row > 1) {
			struct st_buf b = ST_BUF_INIT;

			for (char **c = t->cands; *c; c++)
				st_buf_addf(&b, "%s  ", *c);
			view_fill(f, row - 1, VA_STATUS);
			view_put(f, row - 1, 0, f->cols, VA_STATUS, b.data,
				 false);
			st_buf_release(&b);
		}
	} else if (t->confirm) {
		view_putf(f, row, 0, VA_ERROR, "run \"%s\"? y/N", t->confirm);
	} else if (t->note) {
		view_put(f, row, 0, f->cols, t->lost ? VA_ERROR : VA_NORMAL,
			 t->note, false);
	} else if (!leads_owns) {
		view_put(f, row, 0, f->cols, VA_DIM, t->in_detail ?
			 "e estado  a assign  t tags  n note  m match  v visit  "
			 "s fichas  D delete  : command  Esc back  ? help" :
			 "j k move  r reload  : command  Tab screens  Esc back  "
			 "? help", false);
	}
}

void
tui_layout(struct tui *t, struct view_frame *f)
{
	bool busy = worker_busy(t->w) && tui_now_ms() - t->busy_since > SPIN_MS;
	bool leads = !t->screen && !t->in_detail;

	if (f->rows < MIN_ROWS || f->cols < MIN_COLS) {
		view_putf(f, 0, 0, VA_ERROR, "terminal too small");
		view_putf(f, 1, 0, VA_NORMAL, "%dx%d, need %dx%d",
			  f->cols, f->rows, MIN_COLS, MIN_ROWS);
		return;
	}
	layout_title(t, f, busy);
	if (leads) {
		leads_view_layout(&t->leads, f);
	} else {
		struct table_view *v = t->in_detail ? &t->detail
						    : &t->tabs[t->screen];

		table_view_layout(v, f, 1, f->rows - 2);
		view_fill(f, f->rows - 2, VA_STATUS);
		view_putf(f, f->rows - 2, 0, VA_STATUS, " %s · %s%s",
			  t->ctx->tenant_slug ? t->ctx->tenant_slug : "-",
			  t->in_detail ? "lead " : tui_screens[t->screen].title,
			  t->in_detail ? t->detail_id : "");
		if (v->message)
			view_put(f, f->rows - 1, 0, f->cols, VA_ERROR,
				 v->message, false);
	}
	if (t->pane_open) {
		int top = f->rows / 3;

		for (int r = top; r < f->rows - 1; r++)
			view_clear_row(f, r); /* the pane covers them */
		view_fill(f, top, VA_STATUS);
		view_putf(f, top, 0, VA_STATUS, " :%s  (Esc closes)",
			  t->pane.command);
		table_view_layout(&t->pane, f, top + 1, f->rows - 1);
	}
	if (t->help)
		layout_help(f);
	if (!leads || t->in_line || t->confirm || t->note)
		layout_bottom(t, f, leads);
}

