/*
 * check_util.c - tests for the allocation helpers and struct st_buf.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "strato/util.h"

START_TEST(test_xalloc)
{
	char raw[4] = { 'a', 'b', 'c', 'd' }; /* not NUL-terminated */
	unsigned char *z;
	char *p, *s;
	size_t i;

	p = st_xmalloc(0);
	ck_assert_ptr_nonnull(p);
	free(p);

	z = st_xcalloc(100, 3);
	for (i = 0; i < 300; i++)
		ck_assert_uint_eq(z[i], 0);
	free(z);

	p = st_xmalloc(4);
	memcpy(p, "xyz", 4);
	p = st_xrealloc(p, 1 << 20);
	ck_assert_str_eq(p, "xyz");
	p = st_xrealloc(p, 0);
	ck_assert_ptr_nonnull(p);
	free(p);

	s = st_xstrdup("héllo");
	ck_assert_str_eq(s, "héllo");
	free(s);
	s = st_xstrndup("hello", 3);
	ck_assert_str_eq(s, "hel");
	free(s);
	s = st_xstrndup("hi", 10);
	ck_assert_str_eq(s, "hi");
	free(s);
	s = st_xstrndup(raw, sizeof(raw));
	ck_assert_str_eq(s, "abcd");
	free(s);
}
END_TEST

START_TEST(test_xasprintf)
{
	char *big = st_xmalloc(100001);
	char *s;

	s = st_xasprintf("%s-%d-%zu", "abc", -42, (size_t)7);
	ck_assert_str_eq(s, "abc--42-7");
	free(s);

	s = st_xasprintf("%s", "");
	ck_assert_str_eq(s, "");
	free(s);

	memset(big, 'q', 100000);
	big[100000] = '\0';
	s = st_xasprintf("<%s>", big);
	ck_assert_uint_eq(strlen(s), 100002);
	ck_assert_int_eq(s[0], '<');
	ck_assert_int_eq(s[100001], '>');
	ck_assert_int_eq(memcmp(s + 1, big, 100000), 0);
	free(s);
	free(big);
}
END_TEST

START_TEST(test_buf_growth)
{
	struct st_buf b = ST_BUF_INIT;
	size_t i;

	for (i = 0; i < 10000; i++) {
		st_buf_addch(&b, (char)('a' + i % 26));
		ck_assert_uint_eq(b.len, i + 1);
		ck_assert_uint_gt(b.cap, b.len);
		ck_assert_int_eq(b.data[b.len], '\0');
	}
	for (i = 0; i < 10000; i++)
		ck_assert_int_eq(b.data[i], 'a' + (int)(i % 26));

	for (i = 0; i < 5000; i++)
		st_buf_addstr(&b, "0123456789");
	ck_assert_uint_eq(b.len, 10000 + 50000);
	ck_assert_uint_eq(strlen(b.data), b.len);
	ck_assert_int_eq(memcmp(b.data + 59990, "0123456789", 11), 0);
	ck_assert_int_eq(b.data[9999], 'a' + 9999 % 26);
	st_buf_release(&b);
}
END_TEST

START_TEST(test_buf_add_bytes)
{
	struct st_buf b;

	st_buf_init(&b);
	ck_assert_ptr_null(b.data);
	st_buf_add(&b, "", 0);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_str_eq(b.data, "");
	ck_assert_uint_eq(b.len, 0);

	st_buf_add(&b, "ab\0cd", 5);
	ck_assert_uint_eq(b.len, 5);
	ck_assert_int_eq(memcmp(b.data, "ab\0cd", 6), 0);
	st_buf_add(&b, "xyz", 2);
	ck_assert_uint_eq(b.len, 7);
	ck_assert_int_eq(memcmp(b.data, "ab\0cdxy", 8), 0);
	st_buf_release(&b);
}
END_TEST

START_TEST(test_buf_addf)
{
	struct st_buf b = ST_BUF_INIT;
	char *big = st_xmalloc(70001);
	size_t i;

	st_buf_addf(&b, "%d:%s", 12, "x");
	ck_assert_str_eq(b.data, "12:x");

	/* far larger than the spare capacity: forces the second vsnprintf */
	memset(big, 'z', 70000);
	big[70000] = '\0';
	st_buf_addf(&b, "[%s]", big);
	ck_assert_uint_eq(b.len, 4 + 70002);
	ck_assert_uint_eq(strlen(b.data), b.len);
	ck_assert_int_eq(memcmp(b.data, "12:x[zzz", 8), 0);
	ck_assert_int_eq(b.data[b.len - 1], ']');
	ck_assert_int_eq(b.data[b.len - 2], 'z');

	/* many small ones that fit, and ones that end exactly at capacity */
	st_buf_reset(&b);
	for (i = 0; i < 3000; i++)
		st_buf_addf(&b, "%zu,", i % 10);
	ck_assert_uint_eq(b.len, 6000);
	for (i = 0; i < 3000; i++) {
		ck_assert_int_eq(b.data[2 * i], '0' + (int)(i % 10));
		ck_assert_int_eq(b.data[2 * i + 1], ',');
	}
	ck_assert_int_eq(b.data[6000], '\0');

	st_buf_release(&b);
	free(big);
}
END_TEST

START_TEST(test_buf_addf_exact_fit)
{
	struct st_buf b = ST_BUF_INIT;
	size_t spare, i;
	char *fill;

	st_buf_addch(&b, 'a');
	/* format exactly spare bytes, then spare + 1 (no room for the NUL) */
	spare = b.cap - b.len - 1;
	fill = st_xmalloc(spare + 2);
	memset(fill, 'b', spare + 1);
	fill[spare] = '\0';
	st_buf_addf(&b, "%s", fill);
	ck_assert_uint_eq(b.len, 1 + spare);
	ck_assert_uint_eq(strlen(b.data), b.len);

	spare = b.cap - b.len;
	fill = st_xrealloc(fill, spare + 1);
	memset(fill, 'c', spare);
	fill[spare] = '\0';
	st_buf_addf(&b, "%s", fill);
	ck_assert_uint_eq(strlen(b.data), b.len);
	ck_assert_int_eq(b.data[b.len - 1], 'c');
	for (i = 1; b.data[i] == 'b'; i++)
		;
	ck_assert_uint_eq(b.len - i, spare);
	free(fill);
	st_buf_release(&b);
}
END_TEST

START_TEST(test_buf_detach)
{
	struct st_buf b = ST_BUF_INIT;
	char *s;

	s = st_buf_detach(&b);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	free(s);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);

	st_buf_addstr(&b, "first");
	s = st_buf_detach(&b);
	ck_assert_str_eq(s, "first");
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);

	/* the buffer is reusable and does not share memory with s */
	st_buf_addstr(&b, "second");
	ck_assert_ptr_ne(b.data, s);
	ck_assert_str_eq(s, "first");
	free(s);
	s = st_buf_detach(&b);
	ck_assert_str_eq(s, "second");
	free(s);

	/* added to, then reset: still an allocated "" */
	st_buf_addstr(&b, "gone");
	st_buf_reset(&b);
	s = st_buf_detach(&b);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_buf_reset_release)
{
	struct st_buf b = ST_BUF_INIT;
	char *data;
	size_t cap;

	st_buf_reset(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);

	st_buf_addstr(&b, "some text that is long enough");
	data = b.data;
	cap = b.cap;
	st_buf_reset(&b);
	ck_assert_ptr_eq(b.data, data);
	ck_assert_uint_eq(b.cap, cap);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");

	st_buf_addstr(&b, "new");
	ck_assert_str_eq(b.data, "new");
	ck_assert_ptr_eq(b.data, data);

	st_buf_release(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	st_buf_release(&b);
	st_buf_addstr(&b, "again");
	ck_assert_str_eq(b.data, "again");
	st_buf_release(&b);
}
END_TEST

START_TEST(test_free_secret)
{
	st_free_secret(NULL);
	st_free_secret(st_xstrdup(""));
	st_free_secret(st_xstrdup("postgresql://u:hunter2@db/strato"));
}
END_TEST

START_TEST(test_str_empty)
{
	ck_assert(st_str_empty(NULL));
	ck_assert(st_str_empty(""));
	ck_assert(!st_str_empty(" "));
	ck_assert(!st_str_empty("x"));
}
END_TEST

START_TEST(test_str_ieq)
{
	ck_assert(st_str_ieq("abc", "abc"));
	ck_assert(st_str_ieq("ABC", "abc"));
	ck_assert(st_str_ieq("MiXeD-123", "mixed-123"));
	ck_assert(st_str_ieq("", ""));
	ck_assert(st_str_ieq(NULL, NULL));
	ck_assert(!st_str_ieq(NULL, ""));
	ck_assert(!st_str_ieq("", NULL));
	ck_assert(!st_str_ieq("abc", "abd"));
	ck_assert(!st_str_ieq("abc", "ab"));
	ck_assert(!st_str_ieq("ab", "abc"));
	ck_assert(!st_str_ieq("", "a"));
	/* only letters fold: '@' and '`', '[' and '{' differ by 0x20 too */
	ck_assert(!st_str_ieq("@", "`"));
	ck_assert(!st_str_ieq("[", "{"));
	ck_assert(!st_str_ieq("^", "~"));
	/* ASCII only: UTF-8 É and é are different bytes */
	ck_assert(!st_str_ieq("\xc3\x89", "\xc3\xa9"));
	ck_assert(st_str_ieq("\xc3\xb1", "\xc3\xb1"));
}
END_TEST

/*
 * The util suite: allocation helpers, st_buf, string predicates.
 */
Suite *
util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("alloc");

	tcase_add_test(tc, test_xalloc);
	tcase_add_test(tc, test_xasprintf);
	tcase_add_test(tc, test_free_secret);
	suite_add_tcase(s, tc);

	tc = tcase_create("buf");
	tcase_add_test(tc, test_buf_growth);
	tcase_add_test(tc, test_buf_add_bytes);
	tcase_add_test(tc, test_buf_addf);
	tcase_add_test(tc, test_buf_addf_exact_fit);
	tcase_add_test(tc, test_buf_detach);
	tcase_add_test(tc, test_buf_reset_release);
	suite_add_tcase(s, tc);

	tc = tcase_create("str");
	tcase_add_test(tc, test_str_empty);
	tcase_add_test(tc, test_str_ieq);
	suite_add_tcase(s, tc);
	return s;
}
