/*
 * check_table.c - tests for st_table and its text, JSON and CSV output.
 *
 * Outputs are rendered into memory with open_memstream and compared whole,
 * so a stray space or a byte-counted pad shows up as a failure.
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "strato/table.h"
#include "strato/util.h"

/* Render t into a new string, asserting that printing succeeded. */
static char *
render(const struct st_table *t, enum st_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(st_table_print(t, fmt, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_uint_eq(strlen(buf), len);
	return buf;
}

static void
assert_render(const struct st_table *t, enum st_format fmt, const char *want)
{
	char *got = render(t, fmt);

	ck_assert_str_eq(got, want);
	free(got);
}

/* Append a row of ncols cells given as an array (NULL entries allowed). */
static void
add_row(struct st_table *t, const char *const *cells)
{
	size_t r = st_table_add_row(t);
	size_t c;

	for (c = 0; c < t->ncols; c++)
		st_table_set(t, r, c, cells[c]);
}

/* Parse JSON output, failing the test when it is not valid JSON. */
static json_t *
parse(const char *s)
{
	json_error_t err;
	json_t *j = json_loads(s, JSON_DECODE_ANY, &err);

	ck_assert_msg(j != NULL, "bad json (%s): %s", err.text, s);
	return j;
}

START_TEST(test_display_width)
{
	ck_assert_uint_eq(st_display_width("N\u00fa\u00f1ez"), 5);
	ck_assert_uint_eq(st_display_width("e\u0301"), 1);
	ck_assert_uint_eq(st_display_width("\U0001F3E1"), 2);
	ck_assert_uint_eq(st_display_width("\u65e5\u672c"), 4);
	ck_assert_uint_eq(st_display_width("plain"), 5);
	ck_assert_uint_eq(st_display_width(""), 0);
	ck_assert_uint_eq(st_display_width(NULL), 0);
	/* control characters take no column */
	ck_assert_uint_eq(st_display_width("a\033b\177"), 2);
	/* invalid bytes: one column each, and the next byte is re-read */
	ck_assert_uint_eq(st_display_width("\xff\xfe"), 2);
	ck_assert_uint_eq(st_display_width("a\xc3"), 2);
	ck_assert_uint_eq(st_display_width("\346\227x"), 3);
	ck_assert_uint_eq(st_display_width("\u00f1\377\u00f1"), 3);
}
END_TEST

START_TEST(test_text_unicode_alignment)
{
	struct st_table t;
	const char *r1[] = { "1", "N\u00fa\u00f1ez",
			     "\U0001F3E1 Casa" };
	const char *r2[] = { "42", "\u65e5\u672c", NULL };
	const char *r3[] = { "7", "e\u0301te", "x" };

	st_table_init(&t);
	st_table_add_col(&t, "id", ST_COL_NUMBER);
	st_table_add_col(&t, "name", ST_COL_TEXT);
	st_table_add_col(&t, "city", ST_COL_TEXT);
	add_row(&t, r1);
	add_row(&t, r2);
	add_row(&t, r3);
	st_table_set_message(&t, "%d leads", 3);

	assert_render(&t, ST_FORMAT_TABLE,
		      "id  name   city\n"
		      "--  -----  -------\n"
		      " 1  N\u00fa\u00f1ez  \U0001F3E1 Casa\n"
		      "42  \u65e5\u672c\n"
		      " 7  e\u0301te    x\n"
		      "(3 rows)\n"
		      "3 leads\n");
	st_table_release(&t);
}
END_TEST

START_TEST(test_text_numbers_right)
{
	struct st_table t;
	const char *r1[] = { "100", "5", "a" };
	const char *r2[] = { "2", "1234.5", "b" };
	const char *r3[] = { "-3", NULL, "c" };

	st_table_init(&t);
	st_table_add_col(&t, "n", ST_COL_NUMBER);
	st_table_add_col(&t, "amount", ST_COL_NUMBER);
	st_table_add_col(&t, "note", ST_COL_TEXT);
	add_row(&t, r1);
	add_row(&t, r2);
	add_row(&t, r3);
	assert_render(&t, ST_FORMAT_TABLE,
		      "  n  amount  note\n"
		      "---  ------  ----\n"
		      "100       5  a\n"
		      "  2  1234.5  b\n"
		      " -3          c\n"
		      "(3 rows)\n");
	st_table_release(&t);
}
END_TEST

START_TEST(test_text_escapes)
{
	struct st_table t;
	const char *r1[] = { "a\tb\nc", "z" };
	const char *r2[] = { "\x1b[2J", "w" };
	const char *r3[] = { "cr\r", "trail  " };

	st_table_init(&t);
	st_table_add_col(&t, "x", ST_COL_TEXT);
	st_table_add_col(&t, "y", ST_COL_TEXT);
	add_row(&t, r1);
	add_row(&t, r2);
	add_row(&t, r3);
	assert_render(&t, ST_FORMAT_TABLE,
		      "x        y\n"
		      "-------  -------\n"
		      "a\\tb\\nc  z\n"
		      "\\x1b[2J  w\n"
		      "cr\\r     trail\n"
		      "(3 rows)\n");
	st_table_release(&t);
}
END_TEST

START_TEST(test_text_counts_and_message)
{
	struct st_table t;
	const char *r1[] = { "only" };

	st_table_init(&t);
	st_table_add_col(&t, "col", ST_COL_TEXT);
	assert_render(&t, ST_FORMAT_TABLE, "col\n---\n(0 rows)\n");
	add_row(&t, r1);
	assert_render(&t, ST_FORMAT_TABLE, "col\n----\nonly\n(1 row)\n");
	st_table_set_message(&t, "note: %s", "done\n");
	assert_render(&t, ST_FORMAT_TABLE,
		      "col\n----\nonly\n(1 row)\nnote: done\n");
	st_table_release(&t);

	/* no columns: the message alone, or nothing */
	assert_render(&t, ST_FORMAT_TABLE, "");
	st_table_set_message(&t, "deleted %d leads", 4);
	assert_render(&t, ST_FORMAT_TABLE, "deleted 4 leads\n");
	assert_render(&t, ST_FORMAT_CSV, "");
	st_table_release(&t);
}
END_TEST

START_TEST(test_null_all_formats)
{
	struct st_table t;
	const char *r1[] = { NULL, "y", NULL, NULL };
	const char *r2[] = { "x", NULL, NULL, NULL };

	st_table_init(&t);
	st_table_add_col(&t, "a", ST_COL_TEXT);
	st_table_add_col(&t, "b", ST_COL_NUMBER);
	st_table_add_col(&t, "c", ST_COL_BOOL);
	st_table_add_col(&t, "d", ST_COL_JSON);
	add_row(&t, r1);
	add_row(&t, r2);

	assert_render(&t, ST_FORMAT_TABLE,
		      "a  b  c  d\n"
		      "-  -  -  -\n"
		      "   y\n"
		      "x\n"
		      "(2 rows)\n");
	assert_render(&t, ST_FORMAT_CSV, "a,b,c,d\n,y,,\nx,,,\n");
	assert_render(&t, ST_FORMAT_JSON,
		      "[\n"
		      "  {\n"
		      "    \"a\": null,\n"
		      "    \"b\": \"y\",\n"
		      "    \"c\": null,\n"
		      "    \"d\": null\n"
		      "  },\n"
		      "  {\n"
		      "    \"a\": \"x\",\n"
		      "    \"b\": null,\n"
		      "    \"c\": null,\n"
		      "    \"d\": null\n"
		      "  }\n"
		      "]\n");
	st_table_release(&t);
}
END_TEST

START_TEST(test_json_types)
{
	static const struct {
		const char *name;
		enum st_col_type type;
		const char *value;
	} cols[] = {
		{ "int", ST_COL_NUMBER, "42" },
		{ "neg", ST_COL_NUMBER, "-7" },
		{ "real", ST_COL_NUMBER, "3.25" },
		{ "price", ST_COL_NUMBER, "19.99" },
		{ "exp", ST_COL_NUMBER, "1e3" },
		{ "huge", ST_COL_NUMBER, "99999999999999999999" },
		{ "junk", ST_COL_NUMBER, "12abc" },
		{ "inf", ST_COL_NUMBER, "inf" },
		{ "space", ST_COL_NUMBER, " 1" },
		{ "t", ST_COL_BOOL, "t" },
		{ "f", ST_COL_BOOL, "FALSE" },
		{ "yes", ST_COL_BOOL, "yes" },
		{ "zero", ST_COL_BOOL, "0" },
		{ "maybe", ST_COL_BOOL, "maybe" },
		{ "obj", ST_COL_JSON, "{\"k\": [1, 2], \"s\": \"\u00f1\"}" },
		{ "scalar", ST_COL_JSON, "17" },
		{ "badjson", ST_COL_JSON, "{not json" },
		{ "text", ST_COL_TEXT, "say \"hi\" to N\u00fa\u00f1ez\n" },
		{ "numtext", ST_COL_TEXT, "42" },
		{ "null", ST_COL_NUMBER, NULL },
	};
	struct st_table t;
	json_t *root, *o, *v;
	char *out;
	size_t c, r;

	st_table_init(&t);
	for (c = 0; c < ST_ARRAY_SIZE(cols); c++)
		ck_assert_uint_eq(st_table_add_col(&t, cols[c].name,
						   cols[c].type), c);
	r = st_table_add_row(&t);
	for (c = 0; c < ST_ARRAY_SIZE(cols); c++)
		st_table_set(&t, r, c, cols[c].value);

	out = render(&t, ST_FORMAT_JSON);
	/* UTF-8 is kept as is (no ASCII escapes); reals print as written */
	ck_assert_ptr_nonnull(strstr(out, "N\u00fa\u00f1ez"));
	ck_assert_ptr_null(strstr(out, "\\u00"));
	ck_assert_ptr_nonnull(strstr(out, "\"price\": 19.99,"));
	ck_assert_int_eq(out[strlen(out) - 1], '\n');

	root = parse(out);
	ck_assert(json_is_array(root));
	ck_assert_uint_eq(json_array_size(root), 1);
	o = json_array_get(root, 0);
	ck_assert_uint_eq(json_object_size(o), ST_ARRAY_SIZE(cols));

	ck_assert(json_is_integer(v = json_object_get(o, "int")));
	ck_assert_int_eq(json_integer_value(v), 42);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "neg")), -7);
	ck_assert(json_is_real(v = json_object_get(o, "real")));
	ck_assert_double_eq(json_real_value(v), 3.25);
	ck_assert_double_eq(json_real_value(json_object_get(o, "price")),
			    19.99);
	ck_assert_double_eq(json_real_value(json_object_get(o, "exp")),
			    1000.0);
	ck_assert(json_is_real(json_object_get(o, "huge")));
	ck_assert_str_eq(json_string_value(json_object_get(o, "junk")),
			 "12abc");
	ck_assert_str_eq(json_string_value(json_object_get(o, "inf")), "inf");
	ck_assert_str_eq(json_string_value(json_object_get(o, "space")), " 1");

	ck_assert(json_is_true(json_object_get(o, "t")));
	ck_assert(json_is_false(json_object_get(o, "f")));
	ck_assert(json_is_true(json_object_get(o, "yes")));
	ck_assert(json_is_false(json_object_get(o, "zero")));
	ck_assert_str_eq(json_string_value(json_object_get(o, "maybe")),
			 "maybe");

	v = json_object_get(o, "obj");
	ck_assert(json_is_object(v));
	ck_assert_uint_eq(json_array_size(json_object_get(v, "k")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(v, "s")),
			 "\u00f1");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "scalar")), 17);
	ck_assert_str_eq(json_string_value(json_object_get(o, "badjson")),
			 "{not json");

	ck_assert_str_eq(json_string_value(json_object_get(o, "text")),
			 "say \"hi\" to N\u00fa\u00f1ez\n");
	ck_assert(json_is_string(json_object_get(o, "numtext")));
	ck_assert(json_is_null(json_object_get(o, "null")));

	/* keys come out in column order */
	ck_assert_ptr_nonnull(strstr(out, "\"int\": 42,\n    \"neg\": -7,"));
	json_decref(root);
	free(out);
	st_table_release(&t);
}
END_TEST

START_TEST(test_json_invalid_utf8)
{
	struct st_table t;
	const char *r1[] = { "a\377b" };
	json_t *root;
	char *out;

	st_table_init(&t);
	st_table_add_col(&t, "bad\xc3", ST_COL_TEXT);
	add_row(&t, r1);
	out = render(&t, ST_FORMAT_JSON);
	root = parse(out);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(root, 0), "bad\ufffd")),
			 "a\ufffdb");
	json_decref(root);
	free(out);
	st_table_release(&t);
}
END_TEST

START_TEST(test_csv_quoting)
{
	struct st_table t;
	const char *r1[] = { "a,b", "say \"hi\"" };
	const char *r2[] = { "line1\nline2", " padded" };
	const char *r3[] = { "plain", "" };
	const char *r4[] = { NULL, "cr\rx" };
	const char *r5[] = { "N\u00fa\u00f1ez", "tab\t" };

	st_table_init(&t);
	st_table_add_col(&t, "name", ST_COL_TEXT);
	st_table_add_col(&t, "note, with comma", ST_COL_TEXT);
	add_row(&t, r1);
	add_row(&t, r2);
	add_row(&t, r3);
	add_row(&t, r4);
	add_row(&t, r5);
	st_table_set_message(&t, "not data");
	assert_render(&t, ST_FORMAT_CSV,
		      "name,\"note, with comma\"\n"
		      "\"a,b\",\"say \"\"hi\"\"\"\n"
		      "\"line1\nline2\",\" padded\"\n"
		      "plain,\"\"\n"
		      ",\"cr\rx\"\n"
		      "N\u00fa\u00f1ez,\"tab\t\"\n");
	st_table_release(&t);
}
END_TEST

START_TEST(test_single_record)
{
	struct st_table t;
	const char *r1[] = { "7", "N\u00fa\u00f1ez", "1999", NULL,
			     "t" };
	char *out;
	json_t *root;

	st_table_init(&t);
	t.single = true;
	st_table_add_col(&t, "id", ST_COL_NUMBER);
	st_table_add_col(&t, "nombre", ST_COL_TEXT);
	st_table_add_col(&t, "a\u00f1o", ST_COL_NUMBER);
	st_table_add_col(&t, "nota", ST_COL_TEXT);
	st_table_add_col(&t, "ok", ST_COL_BOOL);

	/* no record yet */
	assert_render(&t, ST_FORMAT_TABLE, "");
	assert_render(&t, ST_FORMAT_JSON, "null\n");

	add_row(&t, r1);
	st_table_set_message(&t, "lead %s updated", "7");
	assert_render(&t, ST_FORMAT_TABLE,
		      "id:     7\n"
		      "nombre: N\u00fa\u00f1ez\n"
		      "a\u00f1o:    1999\n"
		      "nota:\n"
		      "ok:     t\n"
		      "lead 7 updated\n");
	assert_render(&t, ST_FORMAT_JSON,
		      "{\n"
		      "  \"id\": 7,\n"
		      "  \"nombre\": \"N\u00fa\u00f1ez\",\n"
		      "  \"a\u00f1o\": 1999,\n"
		      "  \"nota\": null,\n"
		      "  \"ok\": true\n"
		      "}\n");

	out = render(&t, ST_FORMAT_JSON);
	root = parse(out);
	ck_assert(json_is_object(root));
	json_decref(root);
	free(out);
	/* CSV has no single form */
	assert_render(&t, ST_FORMAT_CSV,
		      "id,nombre,a\u00f1o,nota,ok\n"
		      "7,N\u00fa\u00f1ez,1999,,t\n");
	st_table_release(&t);
}
END_TEST

START_TEST(test_build_and_release)
{
	struct st_table *t = st_table_new();
	char want[32];
	size_t i, r;

	ck_assert_uint_eq(st_table_add_col(t, "k", ST_COL_NUMBER), 0);
	ck_assert_uint_eq(st_table_add_col(t, NULL, ST_COL_TEXT), 1);
	ck_assert_str_eq(t->col_names[1], "");
	for (i = 0; i < 1000; i++) {
		r = st_table_add_row(t);
		ck_assert_uint_eq(r, i);
		st_table_setf(t, r, 0, "%zu", i);
		st_table_set(t, r, 1, "first");
		st_table_set(t, r, 1, "second"); /* replaces, no leak */
	}
	ck_assert_uint_eq(t->nrows, 1000);
	ck_assert_uint_ge(t->cap_rows, 1000);
	for (i = 0; i < 1000; i++) {
		snprintf(want, sizeof(want), "%zu", i);
		ck_assert_str_eq(t->rows[i][0], want);
		ck_assert_str_eq(t->rows[i][1], "second");
	}
	st_table_set(t, 5, 1, NULL);
	ck_assert_ptr_null(t->rows[5][1]);
	st_table_set_message(t, "a");
	st_table_set_message(t, "b%d", 2);
	ck_assert_str_eq(t->message, "b2");

	st_table_release(t);
	ck_assert_uint_eq(t->ncols, 0);
	ck_assert_uint_eq(t->nrows, 0);
	ck_assert_ptr_null(t->message);
	/* reusable after release: columns may be added again */
	st_table_add_col(t, "again", ST_COL_TEXT);
	st_table_add_row(t);
	st_table_free(t);
	st_table_free(NULL);
}
END_TEST

static void
fill_small(struct st_table *t)
{
	const char *r1[] = { "1", "x" };

	st_table_init(t);
	st_table_add_col(t, "n", ST_COL_NUMBER);
	st_table_add_col(t, "s", ST_COL_TEXT);
	add_row(t, r1);
}

START_TEST(test_write_failure)
{
	struct st_table t;
	FILE *f;

	fill_small(&t);

	/* a read-only stream: the write itself fails */
	f = fopen("/dev/null", "r");
	ck_assert_ptr_nonnull(f);
	errno = 0;
	ck_assert_int_eq(st_table_print(&t, ST_FORMAT_TABLE, f), -1);
	ck_assert_int_ne(errno, 0);
	fclose(f);

	/* a full device, unbuffered: fails in the middle of the output */
	f = fopen("/dev/full", "w");
	ck_assert_ptr_nonnull(f);
	setvbuf(f, NULL, _IONBF, 0);
	errno = 0;
	ck_assert_int_eq(st_table_print(&t, ST_FORMAT_JSON, f), -1);
	ck_assert_int_eq(errno, ENOSPC);
	fclose(f);

	/* buffered: only the flush can notice, and must */
	f = fopen("/dev/full", "w");
	ck_assert_ptr_nonnull(f);
	errno = 0;
	ck_assert_int_eq(st_table_print(&t, ST_FORMAT_CSV, f), -1);
	ck_assert_int_eq(errno, ENOSPC);
	fclose(f);

	st_table_release(&t);
}
END_TEST

/*
 * The table suite: display width, the three renderings, building and
 * freeing tables, write errors.
 */
Suite *
table_suite(void)
{
	Suite *s = suite_create("table");
	TCase *tc = tcase_create("width");

	tcase_add_test(tc, test_display_width);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_test(tc, test_text_unicode_alignment);
	tcase_add_test(tc, test_text_numbers_right);
	tcase_add_test(tc, test_text_escapes);
	tcase_add_test(tc, test_text_counts_and_message);
	tcase_add_test(tc, test_single_record);
	suite_add_tcase(s, tc);

	tc = tcase_create("data");
	tcase_add_test(tc, test_null_all_formats);
	tcase_add_test(tc, test_json_types);
	tcase_add_test(tc, test_json_invalid_utf8);
	tcase_add_test(tc, test_csv_quoting);
	suite_add_tcase(s, tc);

	tc = tcase_create("build");
	tcase_add_test(tc, test_build_and_release);
	tcase_add_test(tc, test_write_failure);
	suite_add_tcase(s, tc);
	return s;
}
