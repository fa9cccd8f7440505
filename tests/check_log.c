/*
 * check_log.c - errors and diagnostics: levels, text and JSON lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "strato/error.h"
#include "strato/log.h"
#include "suites.h"

/* Run fn with stderr captured; returns what it wrote (malloc'd). */
static char *
capture(void (*fn)(void))
{
	FILE *tmp = tmpfile();
	int saved;
	long n;
	char *buf;

	ck_assert_ptr_nonnull(tmp);
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(tmp), 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = ftell(tmp);
	buf = calloc(1, (size_t)n + 1);
	rewind(tmp);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, tmp), n);
	fclose(tmp);
	return buf;
}

static void
log_levels(void)
{
	st_log_setup("prog", ST_LOG_WARN, ST_LOG_TEXT);
	st_log_debug("hidden %d", 1);
	st_log_info("hidden too");
	st_log_warn("lead %s skipped", "Núñez");
	st_log_error("boom");
}

START_TEST(test_text_levels)
{
	char *out = capture(log_levels);

	ck_assert_str_eq(out, "prog: warning: lead Núñez skipped\n"
			      "prog: error: boom\n");
	free(out);
}
END_TEST

static void
log_error_json(void)
{
	struct st_error err;

	st_log_setup("prog", ST_LOG_INFO, ST_LOG_JSON);
	st_error_set(&err, ST_EDB, "duplicate key \"%s\"", "sur");
	memcpy(err.sqlstate, "23505", 6);
	st_error_detail(&err, "Key (slug)=(sur) already exists.");
	st_error_hint(&err, "Pick another slug.");
	st_log_st_error(&err);
	st_log_info("done: %d rows", 3);
}

START_TEST(test_json_lines)
{
	char *out = capture(log_error_json);
	char *nl = strchr(out, '\n');
	json_t *a, *b;

	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	a = json_loads(out, 0, NULL);
	b = json_loads(nl + 1, JSON_DISABLE_EOF_CHECK, NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(json_string_value(json_object_get(a, "level")), "error");
	ck_assert_str_eq(json_string_value(json_object_get(a, "msg")),
			 "duplicate key \"sur\"");
	ck_assert_str_eq(json_string_value(json_object_get(a, "sqlstate")),
			 "23505");
	ck_assert_str_eq(json_string_value(json_object_get(a, "hint")),
			 "Pick another slug.");
	ck_assert_str_eq(json_string_value(json_object_get(b, "msg")),
			 "done: 3 rows");
	ck_assert_ptr_null(json_object_get(b, "sqlstate"));
	ck_assert_ptr_nonnull(json_object_get(b, "time"));
	json_decref(a);
	json_decref(b);
	free(out);
}
END_TEST

START_TEST(test_error_fields)
{
	struct st_error err;
	enum st_log_format f;

	st_error_set(&err, ST_ENOTFOUND, "tenant \"%s\" does not exist", "x");
	st_error_detail(&err, "d");
	/* a new error clears the old detail */
	st_error_set(&err, ST_EINVAL, "bad");
	ck_assert_str_eq(err.detail, "");
	ck_assert_str_eq(err.sqlstate, "");
	ck_assert_str_eq(st_error_code_name(ST_ENOTFOUND), "not found");
	st_error_set(NULL, ST_EINVAL, "ignored");
	ck_assert_int_eq(st_log_parse_format("json", &f), 0);
	ck_assert_int_eq(f, ST_LOG_JSON);
	ck_assert_int_eq(st_log_parse_format("xml", &f), -1);
}
END_TEST

Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_text_levels);
	tcase_add_test(tc, test_json_lines);
	tcase_add_test(tc, test_error_fields);
	suite_add_tcase(s, tc);
	return s;
}
