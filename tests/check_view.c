/*
 * check_view.c - the TUI's screens without a terminal: models driven by
 * keys, laid out at 80x24 and 40x10, and read back as text.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "strato/table.h"
#include "strato/util.h"
#include "view-leads.h"
#include "view-table.h"
#include "view.h"

/* A page of n made-up leads, named "<prefix> 1".."<prefix> n". */
static void
fake_page(struct st_lead_list *p, const char *prefix, size_t n,
	  const char *next)
{
	memset(p, 0, sizeof(*p));
	p->items = st_xcalloc(n + 1, sizeof(*p->items));
	for (size_t i = 0; i < n; i++) {
		struct st_lead *l = &p->items[i];

		l->id = st_xasprintf("id-%s-%zu", prefix, i + 1);
		l->nombre = st_xasprintf("%s %zu", prefix, i + 1);
		l->telefono_e164 = st_xstrdup("+5491140000001");
		l->estado = st_xstrdup(i % 2 ? "CONTACTADO" : "NUEVO");
		l->zona = st_xstrdup("Núñez");
		l->presupuesto = st_xstrdup("100000-150000 USD");
		l->asignado = st_xstrdup("ana@sur.com.ar");
		l->updated_at = st_xstrdup("2026-11-29T10:00:00+00:00");
	}
	p->n = n;
	p->next = next ? st_xstrdup(next) : NULL;
}

static char *
lay(struct leads_view *v, int rows, int cols)
{
	struct view_frame f;
	char *text;

	view_frame_init(&f, rows, cols);
	leads_view_layout(v, &f);
	text = view_frame_text(&f);
	view_frame_release(&f);
	return text;
}

/* Line n (0-based) of text, as a new string. */
static char *
line(const char *text, int n)
{
	while (n-- > 0 && text)
		text = strchr(text, '\n') ? strchr(text, '\n') + 1 : NULL;
	return text ? st_xstrndup(text, strcspn(text, "\n")) : st_xstrdup("");
}

START_TEST(test_leads_80x24)
{
	struct leads_view v;
	struct st_lead_list p;
	char *text, *hdr, *row, *status;

	leads_view_init(&v, "sur", "ana");
	fake_page(&p, "María Núñez", 30, "cursor-2");
	leads_view_take_page(&v, &p, false);
	text = lay(&v, 24, 80);
	hdr = line(text, 1);
	ck_assert_ptr_nonnull(strstr(hdr, "nombre"));
	ck_assert_ptr_nonnull(strstr(hdr, "teléfono"));
	ck_assert_ptr_nonnull(strstr(hdr, "estado"));
	ck_assert_ptr_nonnull(strstr(hdr, "zona"));
	row = line(text, 2);
	ck_assert_ptr_nonnull(strstr(row, "María Núñez 1"));
	ck_assert_int_le(st_display_width(row), 80);
	/* 20 list rows fit between header and status: 20th shown, 21st not */
	ck_assert_ptr_nonnull(strstr(text, "María Núñez 20 "));
	ck_assert_ptr_null(strstr(text, "María Núñez 21 "));
	status = line(text, 22);
	ck_assert_ptr_nonnull(strstr(status, "sur · ana"));
	free(status);
	free(row);
	free(hdr);
	free(text);
	leads_view_release(&v);
}
END_TEST

START_TEST(test_leads_40x10_drops_columns)
{
	struct leads_view v;
	struct st_lead_list p;
	char *text, *hdr;

	leads_view_init(&v, "sur", "ana");
	fake_page(&p, "Joaquín", 3, NULL);
	leads_view_take_page(&v, &p, false);
	text = lay(&v, 10, 40);
	hdr = line(text, 1);
	ck_assert_ptr_nonnull(strstr(hdr, "nombre"));
	ck_assert_ptr_nonnull(strstr(hdr, "teléfono"));
	ck_assert_ptr_null(strstr(hdr, "asignado"));
	ck_assert_ptr_null(strstr(hdr, "presupuesto"));
	for (int r = 0; r < 10; r++) {
		char *l = line(text, r);

		ck_assert_int_le(st_display_width(l), 40);
		free(l);
	}
	free(hdr);
	free(text);
	leads_view_release(&v);
}
END_TEST

START_TEST(test_leads_keys_page_and_open)
{
	struct leads_view v;
	struct st_lead_list p;
	char *text;

	leads_view_init(&v, "sur", "ana");
	ck_assert_int_eq(v.want, LW_RELOAD); /* the first page, at once */
	v.want = LW_NONE;
	fake_page(&p, "Lead", 30, "cursor-2");
	leads_view_take_page(&v, &p, false);
	text = lay(&v, 24, 80); /* sets the page size */
	free(text);
	ck_assert_int_eq(leads_view_key(&v, 'j'), VR_REDRAW);
	ck_assert_uint_eq(v.sel, 1);
	ck_assert_int_eq(v.want, LW_NONE);
	leads_view_key(&v, 'G');
	ck_assert_uint_eq(v.sel, 29);
	ck_assert_int_eq(v.want, LW_MORE); /* near the end: the next page */
	v.want = LW_NONE;
	fake_page(&p, "Más", 5, NULL);
	leads_view_take_page(&v, &p, true);
	ck_assert_uint_eq(v.n, 35);
	ck_assert_uint_eq(v.sel, 29); /* appending keeps the place */
	leads_view_key(&v, 'G');
	ck_assert_uint_eq(v.sel, 34);
	ck_assert_int_eq(v.want, LW_NONE); /* no more pages to ask for */
	leads_view_key(&v, 'g');
	ck_assert_uint_eq(v.sel, 0);
	leads_view_key(&v, '\r');
	ck_assert_int_eq(v.want, LW_OPEN);
	ck_assert_str_eq(leads_view_selected(&v)->id, "id-Lead-1");
	v.want = LW_NONE;
	leads_view_key(&v, 's');
	ck_assert_int_eq(v.want, LW_RELOAD); /* by name now */
	{
		struct st_lead_filter f;

		leads_view_filter(&v, &f);
		ck_assert_str_eq(f.sort, "nombre");
	}
	ck_assert_int_eq(leads_view_key(&v, 'q'), VR_QUIT);
	ck_assert_int_eq(leads_view_key(&v, 'Z'), VR_NONE);
	leads_view_release(&v);
}
END_TEST

/* A click selects the lead on that screen row; a double click opens it;
 * clicks off the list do nothing. */
START_TEST(test_leads_mouse)
{
	struct leads_view v;
	struct st_lead_list p;
	char *text;

	leads_view_init(&v, "sur", "ana");
	v.want = LW_NONE;
	fake_page(&p, "Lead", 30, NULL);
	leads_view_take_page(&v, &p, false);
	text = lay(&v, 24, 80); /* the list starts on row 2 */
	free(text);
	ck_assert_int_eq(leads_view_key(&v, VK_CLICK | 5), VR_REDRAW);
	ck_assert_str_eq(leads_view_selected(&v)->id, "id-Lead-4");
	ck_assert_int_eq(v.want, LW_NONE);
	ck_assert_int_eq(leads_view_key(&v, VK_CLICK | 0), VR_HANDLED);
	ck_assert_int_eq(leads_view_key(&v, VK_CLICK | 23), VR_HANDLED);
	ck_assert_str_eq(leads_view_selected(&v)->id, "id-Lead-4");
	leads_view_key(&v, 'G'); /* scrolled: row 2 is no longer the first */
	text = lay(&v, 24, 80);
	free(text);
	ck_assert_int_eq(leads_view_key(&v, VK_CLICK | VK_DOUBLE | 2),
			 VR_REDRAW);
	ck_assert_uint_eq(v.sel, v.top);
	ck_assert_uint_gt(v.top, 0);
	ck_assert_int_eq(v.want, LW_OPEN);
	leads_view_release(&v);
}
END_TEST

START_TEST(test_leads_search_and_filter)
{
	struct leads_view v;
	struct st_lead_filter f;
	char *text;

	leads_view_init(&v, "sur", "ana");
	v.want = LW_NONE;
	leads_view_key(&v, '/');
	ck_assert(v.in_search);
	/* "ñu" arrives byte by byte, as curses delivers it */
	leads_view_key(&v, (unsigned char)'\xc3');
	leads_view_key(&v, (unsigned char)'\xb1');
	leads_view_key(&v, 'u');
	ck_assert_int_eq(v.want, LW_SEARCH);
	ck_assert_str_eq(v.search.text, "ñu");
	leads_view_key(&v, VK_BACKSPACE);
	ck_assert_str_eq(v.search.text, "ñ");
	leads_view_key(&v, VK_BACKSPACE); /* the whole two-byte ñ */
	ck_assert_str_eq(v.search.text, "");
	leads_view_key(&v, 'a');
	text = lay(&v, 24, 80);
	ck_assert_ptr_nonnull(strstr(text, "\n/a\n"));
	free(text);
	leads_view_filter(&v, &f);
	ck_assert_str_eq(f.search, "a");
	leads_view_key(&v, VK_ESC); /* clears the search and reloads */
	ck_assert(!v.in_search);
	ck_assert_int_eq(v.want, LW_RELOAD);
	leads_view_filter(&v, &f);
	ck_assert_ptr_null(f.search);
	leads_view_key(&v, 'f');
	for (const char *p = "estado=NUEVO tag=vip"; *p; p++)
		leads_view_key(&v, *p);
	leads_view_key(&v, '\r');
	leads_view_filter(&v, &f);
	ck_assert_str_eq(f.estado, "NUEVO");
	ck_assert_str_eq(f.tag, "vip");
	ck_assert_ptr_null(f.assigned);
	leads_view_key(&v, 'f');
	leads_view_key(&v, VK_CTRL_U);
	for (const char *p = "color=rojo"; *p; p++)
		leads_view_key(&v, *p);
	leads_view_key(&v, '\r');
	ck_assert_ptr_nonnull(v.message); /* an unknown filter is said */
	leads_view_release(&v);
}
END_TEST

START_TEST(test_table_view_table_and_record)
{
	struct table_view v;
	struct st_table *t = st_table_new();
	struct view_frame f;
	char *text;

	table_view_init(&v, "property list");
	st_table_add_col(t, "id", ST_COL_TEXT);
	st_table_add_col(t, "titulo", ST_COL_TEXT);
	for (int i = 0; i < 12; i++) {
		size_t r = st_table_add_row(t);

		st_table_setf(t, r, 0, "p%d", i);
		st_table_setf(t, r, 1, "Depto 3 amb. en Núñez %d", i);
	}
	table_view_set(&v, t);
	view_frame_init(&f, 10, 40);
	table_view_layout(&v, &f, 1, 9);
	text = view_frame_text(&f);
	ck_assert_ptr_nonnull(strstr(text, "titulo"));
	ck_assert_ptr_nonnull(strstr(text, "p0 "));
	ck_assert_ptr_null(strstr(text, "p8 ")); /* 7 rows under the header */
	free(text);
	view_frame_release(&f);
	table_view_key(&v, 'G');
	ck_assert_str_eq(table_view_selected(&v, "id"), "p11");
	view_frame_init(&f, 10, 40);
	table_view_layout(&v, &f, 1, 9);
	text = view_frame_text(&f);
	ck_assert_ptr_nonnull(strstr(text, "p11 ")); /* scrolled to it */
	ck_assert_ptr_null(strstr(text, "p0 "));
	free(text);
	view_frame_release(&f);
	/* a click on the row under the header (row 2) selects the top one */
	ck_assert_int_eq(table_view_key(&v, VK_CLICK | 2), VR_REDRAW);
	ck_assert_str_eq(table_view_selected(&v, "id"), "p5");
	ck_assert_int_eq(table_view_key(&v, VK_CLICK | 1), VR_HANDLED);
	ck_assert_str_eq(table_view_selected(&v, "id"), "p5");

	t = st_table_new();
	st_table_add_col(t, "nombre", ST_COL_TEXT);
	st_table_add_col(t, "timeline", ST_COL_TEXT);
	st_table_set(t, st_table_add_row(t), 0, "Sofía");
	st_table_set(t, 0, 1, "VISITA mañana\nNOTA llamó");
	t->single = true;
	table_view_set(&v, t);
	view_frame_init(&f, 10, 40);
	table_view_layout(&v, &f, 1, 9);
	text = view_frame_text(&f);
	ck_assert_ptr_nonnull(strstr(text, "nombre    Sofía"));
	ck_assert_ptr_nonnull(strstr(text, "timeline  VISITA mañana"));
	ck_assert_ptr_nonnull(strstr(text, "          NOTA llamó"));
	free(text);
	view_frame_release(&f);
	table_view_release(&v);
}
END_TEST

START_TEST(test_fit_and_put)
{
	char *s = st_display_fit("Peña 🏡 casa", 8, false);
	struct view_frame f;
	char *row;

	ck_assert_str_eq(s, "Peña 🏡…");
	ck_assert_int_eq(st_display_width(s), 8);
	free(s);
	s = st_display_fit("Peña 🏡 casa", 7, true); /* emoji does not fit */
	ck_assert_str_eq(s, "Peña … ");
	free(s);
	s = st_display_fit("a\nb", 5, true);
	ck_assert_str_eq(s, "a b  ");
	free(s);
	view_frame_init(&f, 2, 10);
	view_put(&f, 0, 0, 4, VA_NORMAL, "Núñez", true);
	view_put(&f, 0, 5, 5, VA_ACCENT, "ok", false);
	row = view_row_text(&f, 0);
	ck_assert_str_eq(row, "Núñ… ok");
	free(row);
	view_frame_release(&f);
}
END_TEST

Suite *
view_suite(void)
{
	Suite *s = suite_create("view");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_leads_80x24);
	tcase_add_test(tc, test_leads_40x10_drops_columns);
	tcase_add_test(tc, test_leads_keys_page_and_open);
	tcase_add_test(tc, test_leads_search_and_filter);
	tcase_add_test(tc, test_leads_mouse);
	tcase_add_test(tc, test_table_view_table_and_record);
	tcase_add_test(tc, test_fit_and_put);
	suite_add_tcase(s, tc);
	return s;
}
