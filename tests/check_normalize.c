/*
 * check_normalize.c - names, e-mails, budgets, tags, keys as agencies
 * type them.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "strato/normalize.h"
#include "suites.h"

START_TEST(test_key)
{
	static const char *const cases[][2] = {
		{ "Teléfono", "telefono" },
		{ "TELÉFONO:", "telefono" },
		{ "Nombre y Apellido", "nombreyapellido" },
		{ "full_name", "fullname" },
		{ "¿Qué zona buscás?", "quezonabuscas" },
		{ "E-mail", "email" },
		{ "Año", "ano" },
		{ "  ", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *k = st_norm_key(cases[i][0]);

		ck_assert_str_eq(k, cases[i][1]);
		free(k);
	}
}
END_TEST

START_TEST(test_name)
{
	char *n = st_norm_name("  María \t José\u00a0 Núñez  ");

	ck_assert_str_eq(n, "María José Núñez");
	free(n);
	n = st_norm_name("");
	ck_assert_str_eq(n, "");
	free(n);
}
END_TEST

START_TEST(test_email)
{
	bool empty;
	char *e = st_norm_email("  SOFIA.DANGELO@Hotmail.com ", &empty);

	ck_assert_str_eq(e, "sofia.dangelo@hotmail.com");
	ck_assert(!empty);
	free(e);
	ck_assert_ptr_null(st_norm_email("sofia@", &empty));
	ck_assert_ptr_null(st_norm_email("sofia at gmail.com", &empty));
	ck_assert_ptr_null(st_norm_email("a@b@c.com", &empty));
	ck_assert_ptr_null(st_norm_email("a@gmail..com", &empty));
	ck_assert_ptr_null(st_norm_email("a@gmail.c", &empty));
	ck_assert_ptr_null(st_norm_email("núñez@gmail.com", &empty));
	ck_assert(!empty);
	ck_assert_ptr_null(st_norm_email("   ", &empty));
	ck_assert(empty);
}
END_TEST

static const struct {
	const char *in;
	const char *min;
	const char *max;
	const char *cur;
} money[] = {
	{ "USD 150.000", NULL, "150000", "USD" },
	{ "150k", NULL, "150000", "" },
	{ "$ 1.200.000", NULL, "1200000", "ARS" },
	{ "150000,50", NULL, "150000.50", "" },
	{ "150.000,50 pesos", NULL, "150000.50", "ARS" },
	{ "1,200,000.75", NULL, "1200000.75", "" },
	{ "U$S 95.500", NULL, "95500", "USD" },
	{ "hasta 200 mil dólares", NULL, "200000", "USD" },
	{ "desde 80k", "80000", NULL, "" },
	{ "100-150k", "100000", "150000", "" },
	{ "entre 100 y 150 mil usd", "100000", "150000", "USD" },
	{ "1,5 millones", NULL, "1500000", "" },
	{ "ARS 650000", NULL, "650000", "ARS" },
	{ "180000", NULL, "180000", "" },
};

START_TEST(test_money)
{
	struct st_money m;
	bool empty;

	ck_assert_msg(st_norm_money(money[_i].in, &m, &empty) == 0, "%s",
		      money[_i].in);
	ck_assert_int_eq(m.has_min, money[_i].min != NULL);
	ck_assert_int_eq(m.has_max, money[_i].max != NULL);
	if (money[_i].min)
		ck_assert_str_eq(m.min, money[_i].min);
	if (money[_i].max)
		ck_assert_str_eq(m.max, money[_i].max);
	ck_assert_str_eq(m.currency, money[_i].cur);
}
END_TEST

START_TEST(test_money_rejects)
{
	struct st_money m;
	bool empty;

	ck_assert_int_eq(st_norm_money("a consultar", &m, &empty), -1);
	ck_assert(!empty);
	ck_assert_int_eq(st_norm_money("", &m, &empty), -1);
	ck_assert(empty);
	ck_assert_int_eq(st_norm_money("1 2 3", &m, &empty), -1);
	ck_assert_int_eq(st_norm_money("99999999999999999999", &m, &empty), -1);
	ck_assert_int_eq(st_norm_money("150.5555", &m, &empty), -1);
}
END_TEST

START_TEST(test_tags_bool_int_enum)
{
	static const char *const tipos[] = { "COMPRADOR", "VENDEDOR",
					     "VISITA_AGENDADA", NULL };
	char **t;
	size_t n = st_norm_tags(" meta ; palermo| Meta ,, palermo ,vip ", &t);

	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(t[0], "meta");
	ck_assert_str_eq(t[1], "palermo");
	ck_assert_str_eq(t[2], "Meta");
	ck_assert_str_eq(t[3], "vip");
	st_norm_tags_free(t, n);
	ck_assert_uint_eq(st_norm_tags("", &t), 0);
	st_norm_tags_free(t, 0);
	ck_assert_int_eq(st_norm_bool("Sí"), 1);
	ck_assert_int_eq(st_norm_bool("TRUE"), 1);
	ck_assert_int_eq(st_norm_bool("no"), 0);
	ck_assert_int_eq(st_norm_bool("quizás"), -1);
	ck_assert_int_eq(st_norm_int("3 ambientes"), 3);
	ck_assert_int_eq(st_norm_int(" 2 amb."), 2);
	ck_assert_int_eq(st_norm_int("3 o 4"), -1);
	ck_assert_int_eq(st_norm_int("muchos"), -1);
	ck_assert_str_eq(st_norm_enum("Comprador", tipos), "COMPRADOR");
	ck_assert_str_eq(st_norm_enum("visita agendada", tipos),
			 "VISITA_AGENDADA");
	ck_assert_ptr_null(st_norm_enum("inquilino", tipos));
}
END_TEST

Suite *
normalize_suite(void)
{
	Suite *s = suite_create("normalize");
	TCase *tc = tcase_create("values");

	tcase_add_test(tc, test_key);
	tcase_add_test(tc, test_name);
	tcase_add_test(tc, test_email);
	tcase_add_loop_test(tc, test_money, 0, sizeof(money) / sizeof(money[0]));
	tcase_add_test(tc, test_money_rejects);
	tcase_add_test(tc, test_tags_bool_int_enum);
	suite_add_tcase(s, tc);
	return s;
}
