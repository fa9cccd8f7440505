/*
 * check_cmd.c - the command table: lookup, flags, usage errors, help.
 * No database: only commands that need none run, and the rest must fail
 * before they would touch one.
 */
#include <string.h>

#include <check.h>

#include "cmd.h"
#include "suites.h"

static int
run(struct cmd_ctx *ctx, struct st_table *out, enum st_format *fmt,
    struct st_error *err, const char *line)
{
	char buf[512];
	char *argv[32];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *tok = strtok(buf, " "); tok && argc < 31;
	     tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	memset(ctx, 0, sizeof(*ctx));
	st_table_init(out);
	ctx->out = out;
	st_error_init(err);
	return cmd_run(ctx, argc, argv, fmt, err);
}

START_TEST(test_help_lists_every_entry)
{
	struct cmd_ctx ctx;
	struct st_table out;
	struct st_error err;
	enum st_format fmt;
	size_t n;
	const struct cmd_entry *const *all = cmd_all(&n);

	ck_assert_int_eq(run(&ctx, &out, &fmt, &err, "help"), 0);
	ck_assert_uint_eq(out.nrows, n);
	for (size_t i = 0; i < n; i++) {
		char want[64];

		snprintf(want, sizeof(want), "%s%s%s", all[i]->noun,
			 all[i]->verb ? " " : "", all[i]->verb ? all[i]->verb : "");
		ck_assert_str_eq(out.rows[i][0], want);
	}
	st_table_release(&out);
}
END_TEST

START_TEST(test_prefix_and_alias)
{
	struct cmd_ctx ctx;
	struct st_table out;
	struct st_error err;
	enum st_format fmt;

	/* "he" is a unique prefix of help; "help tenant cr" is not a
	 * lookup, it names the exact verb. */
	ck_assert_int_eq(run(&ctx, &out, &fmt, &err, "he tenant create"), 0);
	ck_assert_ptr_nonnull(out.message);
	ck_assert_ptr_nonnull(strstr(out.message, "--slug SLUG"));
	st_table_release(&out);
	/* --help on a prefix-matched verb shows that verb's usage */
	ck_assert_int_eq(run(&ctx, &out, &fmt, &err, "ten cr --help"), 0);
	ck_assert_ptr_nonnull(strstr(out.message, "usage: strato tenant create"));
	st_table_release(&out);
	ck_assert_int_eq(run(&ctx, &out, &fmt, &err, "tenant ls --help"), 0);
	ck_assert_ptr_nonnull(strstr(out.message, "usage: strato tenant list"));
	st_table_release(&out);
}
END_TEST

START_TEST(test_unknown_and_ambiguous)
{
	struct cmd_ctx ctx;
	struct st_table out;
	struct st_error err;
	enum st_format fmt;

	ck_assert_int_eq(run(&ctx, &out, &fmt, &err, "frobnicate"), -1);
	ck_assert_int_eq(err.code, ST_EUSAGE);
	ck_assert_str_eq(err.message, "unknown command \"frobnicate\"");
	st_table_release(&out);
	/* "tenant" has disable and ... only one d-verb; "tenant e" is enable
	 * alone, "tenant s" is show alone; "u" is user. */
	ck_assert_int_eq(run(&ctx, &out, &fmt, &err, "tenant xyz"), -1);
	ck_assert_int_eq(err.code, ST_EUSAGE);
	ck_assert_ptr_nonnull(strstr(err.hint, "create"));
	st_table_release(&out);
	ck_assert_int_eq(run(&ctx, &out, &fmt, &err, "tenant"), -1);
	ck_assert_str_eq(err.message, "\"tenant\" needs a verb");
	st_table_release(&out);
	ck_assert_int_eq(run(&ctx, &out, &fmt, &err, ""), -1);
	ck_assert_int_eq(err.code, ST_EUSAGE);
	st_table_release(&out);
}
END_TEST

START_TEST(test_flag_errors)
{
	struct cmd_ctx ctx;
	struct st_table out;
	struct st_error err;
	enum st_format fmt;

	ck_assert_int_eq(run(&ctx, &out, &fmt, &err,
			     "tenant create --bogus x"), -1);
	ck_assert_int_eq(err.code, ST_EUSAGE);
	ck_assert_str_eq(err.message, "unknown option \"--bogus\"");
	ck_assert_ptr_nonnull(strstr(err.hint, "usage: strato tenant create"));
	st_table_release(&out);
	ck_assert_int_eq(run(&ctx, &out, &fmt, &err, "tenant create --name"),
			 -1);
	ck_assert_str_eq(err.message, "option \"--name\" needs a value");
	st_table_release(&out);
	ck_assert_int_eq(run(&ctx, &out, &fmt, &err, "tenant show"), -1);
	ck_assert_str_eq(err.message, "too few arguments for \"show\"");
	st_table_release(&out);
	ck_assert_int_eq(run(&ctx, &out, &fmt, &err, "tenant show a b"), -1);
	ck_assert_str_eq(err.message, "too many arguments for \"show\"");
	st_table_release(&out);
	ck_assert_int_eq(run(&ctx, &out, &fmt, &err,
			     "user create --password-stdin=x"), -1);
	ck_assert_str_eq(err.message,
			 "option \"--password-stdin\" takes no value");
	st_table_release(&out);
	ck_assert_int_eq(run(&ctx, &out, &fmt, &err, "tenant list -x"), -1);
	ck_assert_str_eq(err.message, "unknown option \"-x\"");
	st_table_release(&out);
}
END_TEST

START_TEST(test_readonly_refuses_mutations)
{
	struct cmd_ctx ctx;
	struct st_table out;
	struct st_error err;
	enum st_format fmt;
	char *argv[] = { "tenant", "disable", "sur", NULL };

	memset(&ctx, 0, sizeof(ctx));
	st_table_init(&out);
	ctx.out = &out;
	ctx.readonly = true;
	ck_assert_int_eq(cmd_run(&ctx, 3, argv, &fmt, &err), -1);
	ck_assert_int_eq(err.code, ST_EPERM);
	ck_assert_ptr_nonnull(strstr(err.message, "read-only"));
	st_table_release(&out);
}
END_TEST

START_TEST(test_format_flags_and_needs_db)
{
	struct cmd_ctx ctx;
	struct st_table out;
	struct st_error err;
	enum st_format fmt;
	char *a1[] = { "tenant", "list", NULL };
	char *a2[] = { "help", NULL };
	char *a3[] = { "tenant", "list", "--help", NULL };
	char *a4[] = { "nosuch", NULL };

	ck_assert_int_eq(run(&ctx, &out, &fmt, &err, "help --json"), 0);
	ck_assert_int_eq(fmt, ST_FORMAT_JSON);
	st_table_release(&out);
	ck_assert_int_eq(run(&ctx, &out, &fmt, &err, "help --csv"), 0);
	ck_assert_int_eq(fmt, ST_FORMAT_CSV);
	st_table_release(&out);
	ck_assert(cmd_needs_db(2, a1));
	ck_assert(!cmd_needs_db(1, a2));
	ck_assert(!cmd_needs_db(3, a3));
	ck_assert(!cmd_needs_db(1, a4));
}
END_TEST

Suite *
cmd_suite(void)
{
	Suite *s = suite_create("cmd");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, test_help_lists_every_entry);
	tcase_add_test(tc, test_prefix_and_alias);
	tcase_add_test(tc, test_unknown_and_ambiguous);
	tcase_add_test(tc, test_flag_errors);
	tcase_add_test(tc, test_readonly_refuses_mutations);
	tcase_add_test(tc, test_format_flags_and_needs_db);
	suite_add_tcase(s, tc);
	return s;
}
