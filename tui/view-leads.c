/*
 * view-leads.c - the leads screen's model, keys and layout.
 */
#include <stdlib.h>
#include <string.h>

#include "strato/table.h"
#include "strato/util.h"
#include "view-leads.h"

void
leads_view_init(struct leads_view *v, const char *tenant, const char *login)
{
	memset(v, 0, sizeof(*v));
	view_input_init(&v->search, "");
	view_input_init(&v->filter, "");
	v->estimate = -1;
	v->tenant = tenant;
	v->login = login;
	v->page_rows = 1;
	v->want = LW_RELOAD;
}

static void
drop_rows(struct leads_view *v)
{
	for (size_t i = 0; i < v->n; i++)
		st_lead_release(&v->rows[i]);
	free(v->rows);
	v->rows = NULL;
	v->n = 0;
	free(v->next);
	v->next = NULL;
}

void
leads_view_release(struct leads_view *v)
{
	drop_rows(v);
	view_input_release(&v->search);
	view_input_release(&v->filter);
	free(v->estado);
	free(v->tag);
	free(v->assigned);
	free(v->message);
}

void
leads_view_filter(const struct leads_view *v, struct st_lead_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->estado = v->estado;
	f->tag = v->tag;
	f->assigned = v->assigned;
	f->search = v->search.len ? v->search.text : NULL;
	f->after = NULL;
	f->sort = v->by_name ? "nombre" : NULL;
}

void
leads_view_take_page(struct leads_view *v, struct st_lead_list *page,
		     bool append)
{
	if (!append) {
		drop_rows(v);
		v->sel = v->top = 0;
	}
	v->rows = st_xrealloc(v->rows, (v->n + page->n + 1) * sizeof(*v->rows));
	memcpy(v->rows + v->n, page->items, page->n * sizeof(*v->rows));
	v->n += page->n;
	free(v->next);
	v->next = page->next;
	page->next = NULL;
	free(page->items);
	page->items = NULL;
	page->n = 0;
	v->loading = false;
}

void
leads_view_message(struct leads_view *v, const char *msg)
{
	free(v->message);
	v->message = msg ? st_xstrdup(msg) : NULL;
}

const struct st_lead *
leads_view_selected(const struct leads_view *v)
{
	return v->sel < v->n ? &v->rows[v->sel] : NULL;
}

/* "estado=NUEVO tag=vip asignado=ana@x" into the active filter. */
static bool
apply_filter(struct leads_view *v)
{
	char *copy = st_xstrdup(v->filter.text), *save = NULL;
	bool ok = true;

	free(v->estado);
	free(v->tag);
	free(v->assigned);
	v->estado = v->tag = v->assigned = NULL;
	for (char *w = strtok_r(copy, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(w, '=');
		char **slot = NULL;

		if (eq) {
			*eq = '\0';
			if (strcmp(w, "estado") == 0)
				slot = &v->estado;
			else if (strcmp(w, "tag") == 0)
				slot = &v->tag;
			else if (strcmp(w, "asignado") == 0 ||
				 strcmp(w, "assigned") == 0)
				slot = &v->assigned;
		}
		if (!slot || !eq[1]) {
			ok = false;
			continue;
		}
		free(*slot);
		*slot = st_xstrdup(eq + 1);
	}
	free(copy);
	leads_view_message(v, ok ? NULL : "filter: use estado=E tag=T "
			   "asignado=EMAIL");
	return ok;
}

/* Keys while "/" or "f" has the bottom line. */
static enum view_result
prompt_key(struct leads_view *v, int key)
{
	struct view_input *in = v->in_search ? &v->search : &v->filter;

	if (key == VK_ESC) {
		if (v->in_search && v->search.len) {
			view_input_key(in, VK_CTRL_U);
			v->want = LW_RELOAD;
		}
		v->in_search = v->in_filter = false;
		return VR_REDRAW;
	}
	if (key == '\n' || key == '\r' || key == VK_ENTER) {
		if (v->in_filter)
			apply_filter(v);
		v->want = LW_RELOAD;
		v->in_search = v->in_filter = false;
		return VR_REDRAW;
	}
	if (view_input_key(in, key)) {
		if (v->in_search)
			v->want = LW_SEARCH; /* as you type, debounced */
		return VR_REDRAW;
	}
	return VR_HANDLED;
}

static void
move_to(struct leads_view *v, long to)
{
	if (to < 0 || v->n == 0)
		to = 0;
	if (v->n && (size_t)to >= v->n)
		to = (long)v->n - 1;
	v->sel = (size_t)to;
	/* near the end of what is loaded: ask for the next page */
	if (v->next && !v->loading && v->sel + (size_t)v->page_rows >= v->n)
		v->want = LW_MORE;
}

/* A click on a listed lead selects it; a double click opens it. */
static enum view_result
click(struct leads_view *v, int key)
{
	int i = VK_ROW(key) - v->list_top;
	size_t at = v->top + (size_t)i;

	if (i < 0 || i >= v->page_rows || at >= v->n)
		return VR_HANDLED;
	move_to(v, (long)at);
	if (key & VK_DOUBLE)
		v->want = LW_OPEN;
	return VR_REDRAW;
}

enum view_result
leads_view_key(struct leads_view *v, int key)
{
	long page = v->page_rows > 1 ? v->page_rows - 1 : 1;

	if (v->in_search || v->in_filter)
		return prompt_key(v, key);
	switch (key) {
	case 'j': case VK_DOWN: move_to(v, (long)v->sel + 1); break;
	case 'k': case VK_UP: move_to(v, (long)v->sel - 1); break;
	case VK_NPAGE: case ' ': move_to(v, (long)v->sel + page); break;
	case VK_PPAGE: move_to(v, (long)v->sel - page); break;
	case 'g': case VK_HOME: move_to(v, 0); break;
	case 'G': case VK_END: move_to(v, (long)v->n - 1); break;
	case '/':
		v->in_search = true;
		break;
	case 'f':
		v->in_filter = true;
		break;
	case 'r':
		v->want = LW_RELOAD;
		break;
	case 's':
		v->by_name = !v->by_name;
		v->want = LW_RELOAD;
		break;
	case '\n': case '\r': case VK_ENTER:
		if (v->n)
			v->want = LW_OPEN;
		break;
	case 'q':
		return VR_QUIT;
	default:
		return key & VK_CLICK ? click(v, key) : VR_NONE;
	}
	return VR_REDRAW;
}

/* The columns, widest need first given to nombre. */
struct column {
	const char *title;
	int min;
	int prio; /* lower shows first when space is short */
};

static const struct column columns[] = {
	{ "nombre", 14, 0 },   { "teléfono", 14, 1 }, { "estado", 11, 2 },
	{ "zona", 12, 3 },     { "presupuesto", 14, 5 },
	{ "asignado", 16, 6 }, { "actividad", 10, 4 },
};

static const char *
cell(const struct st_lead *l, size_t c)
{
	switch (c) {
	case 0: return l->nombre;
	case 1: return l->telefono_e164 ? l->telefono_e164 : l->telefono;
	case 2: return l->estado;
	case 3: return l->zona;
	case 4: return l->presupuesto;
	case 5: return l->asignado;
	default: return l->updated_at; /* date part only, below */
	}
}

/* Which columns fit in cols, and how wide each is (0: hidden). */
static void
plan_columns(int cols, int *w)
{
	int used = 0, n = (int)ST_ARRAY_SIZE(columns);

	for (int i = 0; i < n; i++)
		w[i] = 0;
	for (int prio = 0; prio <= 6; prio++)
		for (int i = 0; i < n; i++)
			if (columns[i].prio == prio &&
			    used + columns[i].min + 1 <= cols) {
				w[i] = columns[i].min;
				used += w[i] + 1;
			}
	w[0] += cols - used; /* the rest to the name */
}

static void
layout_row(struct view_frame *f, int row, const int *w,
	   const struct st_lead *l, enum view_attr a)
{
	int col = 0;

	for (size_t c = 0; c < ST_ARRAY_SIZE(columns); c++) {
		char date[11];
		const char *text;

		if (!w[c])
			continue;
		text = l ? cell(l, c) : columns[c].title;
		if (l && c == 6 && text) {
			snprintf(date, sizeof(date), "%.10s", text);
			text = date;
		}
		view_put(f, row, col, w[c], l && c == 2 && a == VA_NORMAL
			 ? VA_ACCENT : a, text ? text : "", true);
		col += w[c] + 1;
	}
}

static void
layout_status(const struct leads_view *v, struct view_frame *f)
{
	struct st_buf b = ST_BUF_INIT;
	int row = f->rows - 2;

	st_buf_addf(&b, " %s · %s", v->tenant ? v->tenant : "-",
		    v->login ? v->login : "");
	if (v->search.len)
		st_buf_addf(&b, " · buscar: %s", v->search.text);
	if (v->estado)
		st_buf_addf(&b, " · estado=%s", v->estado);
	if (v->tag)
		st_buf_addf(&b, " · tag=%s", v->tag);
	if (v->assigned)
		st_buf_addf(&b, " · asignado=%s", v->assigned);
	if (v->by_name)
		st_buf_addstr(&b, " · por nombre");
	if (v->estimate >= 0)
		st_buf_addf(&b, " · ~%ld leads", v->estimate);
	if (v->loading)
		st_buf_addstr(&b, " · cargando…");
	view_fill(f, row, VA_STATUS);
	view_put(f, row, 0, f->cols, VA_STATUS, b.data, false);
	st_buf_release(&b);
}

void
leads_view_layout(struct leads_view *v, struct view_frame *f)
{
	int w[ST_ARRAY_SIZE(columns)];
	int list_top = 2, list_rows = f->rows - 4, bottom = f->rows - 1;

	v->page_rows = list_rows > 0 ? list_rows : 1;
	v->list_top = list_top;
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + (size_t)v->page_rows)
		v->top = v->sel - (size_t)v->page_rows + 1;
	plan_columns(f->cols, w);
	layout_row(f, 1, w, NULL, VA_HEADER);
	view_fill(f, 1, VA_HEADER);
	for (int i = 0; i < list_rows; i++) {
		size_t at = v->top + (size_t)i;
		bool sel = at == v->sel;

		if (at >= v->n)
			break;
		if (sel)
			view_fill(f, list_top + i, VA_SELECTED);
		layout_row(f, list_top + i, w, &v->rows[at],
			   sel ? VA_SELECTED : VA_NORMAL);
	}
	if (!v->n && !v->loading)
		view_put(f, list_top, 1, f->cols - 1, VA_DIM,
			 v->search.len || v->estado || v->tag || v->assigned
			 ? "no lead matches" : "no leads yet", false);
	layout_status(v, f);
	if (v->in_search || v->in_filter) {
		int end = view_putf(f, bottom, 0, VA_NORMAL, "%s%s",
				    v->in_search ? "/" : "filter: ",
				    v->in_search ? v->search.text
						 : v->filter.text);
		f->cursor_row = bottom;
		f->cursor_col = end < f->cols ? end : f->cols - 1;
	} else if (v->message) {
		view_put(f, bottom, 0, f->cols, VA_ERROR, v->message, false);
	} else {
		view_put(f, bottom, 0, f->cols, VA_DIM, "Enter open  / search  "
			 "f filter  s sort  r reload  : command  Tab screens  "
			 "? help  q quit", false);
	}
}
