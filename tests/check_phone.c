/*
 * check_phone.c - E.164 normalisation: Argentine forms, neighbours and
 * far-away numbers, and the fast path agreeing with the full parser.
 */
#include <string.h>

#include <check.h>

#include "strato/phone.h"
#include "suites.h"

static const struct {
	const char *raw;
	const char *region;
	int result;
	const char *e164;
} cases[] = {
	/* the Argentine forms agencies meet */
	{ "011 15 2345-6789", "AR", ST_PHONE_VALID, "+5491123456789" },
	{ "+54 9 11 2345-6789", "AR", ST_PHONE_VALID, "+5491123456789" },
	{ "+5491123456789", "AR", ST_PHONE_VALID, "+5491123456789" },
	{ "(0351) 15-456-7890", "AR", ST_PHONE_VALID, "+5493514567890" },
	{ "0223 155 550101", "AR", ST_PHONE_VALID, "+5492235550101" },
	{ "+54 9 223 555-0101", "AR", ST_PHONE_VALID, "+5492235550101" },
	/* no 15 and no 9: a landline by the numbering plan */
	{ "11-2345-6789", "AR", ST_PHONE_VALID, "+541123456789" },
	{ "5491145678901", "AR", ST_PHONE_VALID, "+5491145678901" },
	/* neighbours and elsewhere, with their + */
	{ "+598 99 123 456", "AR", ST_PHONE_VALID, "+59899123456" },
	{ "+56 9 6123 4567", "AR", ST_PHONE_VALID, "+56961234567" },
	{ "+1 415 555 2671", "AR", ST_PHONE_VALID, "+14155552671" },
	{ "+39 06 1234 5678", "AR", ST_PHONE_VALID, "+390612345678" },
	{ "+34 612 34 56 78", "AR", ST_PHONE_VALID, "+34612345678" },
	/* the default region decides numbers without + */
	{ "099 123 456", "UY", ST_PHONE_VALID, "+59899123456" },
	{ "099 123 456", NULL, ST_PHONE_INVALID, "" },
	/* not numbers, or not valid ones */
	{ "+54 9 11 0000-0000", "AR", ST_PHONE_INVALID, "" },
	{ "15-2345-6789", "AR", ST_PHONE_INVALID, "" },
	{ "+999 123 4567", "AR", ST_PHONE_INVALID, "" },
	{ "llamar a la tarde", "AR", ST_PHONE_EMPTY, "" },
	{ "   ", "AR", ST_PHONE_EMPTY, "" },
	{ "", "AR", ST_PHONE_EMPTY, "" },
	{ NULL, "AR", ST_PHONE_EMPTY, "" },
};

START_TEST(test_cases)
{
	char out[ST_PHONE_MAX];
	int r = st_phone_normalize(cases[_i].raw, cases[_i].region, out);

	ck_assert_msg(r == cases[_i].result, "%s: result %d, want %d",
		      cases[_i].raw ? cases[_i].raw : "(null)", r,
		      cases[_i].result);
	ck_assert_str_eq(out, cases[_i].e164);
}
END_TEST

/* The fast path (+digits) and Parse() agree on what they both can read. */
START_TEST(test_fast_path_agrees)
{
	static const char *const pairs[][2] = {
		{ "+5491123456789", "tel:+54-9-11-2345-6789" },
		{ "+59899123456", "tel:+598-99-123-456" },
		{ "+14155552671", "tel:+1-415-555-2671" },
		{ "+5493514567890", "tel:+54-9-351-456-7890" },
	};
	int compared = 0;

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char a[ST_PHONE_MAX], b[ST_PHONE_MAX];

		/* the second form has a character the fast path refuses */
		ck_assert_int_eq(st_phone_normalize(pairs[i][0], "AR", a),
				 ST_PHONE_VALID);
		ck_assert_int_eq(st_phone_normalize(pairs[i][1], "AR", b),
				 ST_PHONE_VALID);
		ck_assert_str_eq(a, b);
		compared++;
	}
	ck_assert_int_eq(compared, 4);
}
END_TEST

Suite *
phone_suite(void)
{
	Suite *s = suite_create("phone");
	TCase *tc = tcase_create("normalize");

	tcase_add_loop_test(tc, test_cases, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_fast_path_agrees);
	suite_add_tcase(s, tc);
	return s;
}
