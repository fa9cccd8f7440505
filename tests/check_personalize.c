/*
 * check_personalize.c - {{placeholders}}: accents kept, missing values and
 * fallbacks, unknown or broken placeholders refused.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "strato/personalize.h"
#include "suites.h"

static const struct st_personalize_vars maria = {
	.nombre = "  María José Núñez ",
	.zona = "Núñez",
	.telefono = "+5491141110001",
	.email = "mj@example.com",
	.operacion = "ALQUILER",
	.tipo_propiedad = "DEPARTAMENTO",
	.agente = "Joaquín Ibáñez",
	.inmobiliaria = "Inmobiliaria Sur",
	.asistente = "Astor",
};

/* Render and compare, freeing the result. */
static void
expect(const char *text, const struct st_personalize_vars *v,
       const char *want)
{
	struct st_error err;
	char *got = st_personalize_render(text, v, &err);

	ck_assert_msg(got != NULL, "%s: %s", text, err.message);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_every_placeholder)
{
	expect("Hola {{primer_nombre}} ({{nombre}}), {{zona}}, {{telefono}}, "
	       "{{email}}, {{operacion}} de {{tipo_propiedad}}; {{agente}} de "
	       "{{inmobiliaria}} y {{asistente}}", &maria,
	       "Hola María (María José Núñez), Núñez, +5491141110001, "
	       "mj@example.com, alquiler de departamento; Joaquín Ibáñez de "
	       "Inmobiliaria Sur y Astor");
}
END_TEST

START_TEST(test_accents_and_blanks)
{
	struct st_personalize_vars v = { .nombre = "Ñandú Pérez" };

	expect("¡Hola {{ primer_nombre }}! 👋", &v, "¡Hola Ñandú! 👋");
	expect("{{nombre}}{{nombre}}", &v, "Ñandú PérezÑandú Pérez");
	v.nombre = "Éxito";
	expect("{{primer_nombre}}.", &v, "Éxito.");
}
END_TEST

START_TEST(test_missing_values)
{
	struct st_personalize_vars v = { .nombre = "   ", .zona = "" };

	expect("Hola {{primer_nombre}}, en {{zona}}.", &v, "Hola , en .");
	expect("Hola {{primer_nombre|vecino}}, en {{ zona | tu zona }}.", &v,
	       "Hola vecino, en tu zona.");
	expect("Hola {{agente|}}!", &v, "Hola !");
	expect("Hola {{nombre|amigo}}", NULL, "Hola amigo");
	expect("{{zona|Palermo}}", &maria, "Núñez");
}
END_TEST

START_TEST(test_plain_text)
{
	expect("", &maria, "");
	expect("sin marcadores { } {x} }} fin", &maria,
	       "sin marcadores { } {x} }} fin");
	ck_assert_int_eq(st_personalize_check(NULL, NULL), 0);
}
END_TEST

START_TEST(test_bad_placeholders)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "Hola {{nombr}}", "unknown placeholder {{nombr}}" },
		{ "Hola {{ Nombre }}", "unknown placeholder {{Nombre}}" },
		{ "Hola {{zona|x}} {{barrio|y}}",
		  "unknown placeholder {{barrio}}" },
		{ "Hola {{}}", "empty placeholder \"{{}}\"" },
		{ "Hola {{ |x}}", "empty placeholder \"{{ |x}}\"" },
		{ "Hola {{nombre", "unclosed placeholder \"{{nombre\"" },
		{ "Hola {{nómbre}}", "unknown placeholder {{nómbre}}" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct st_error err;

		st_error_init(&err);
		ck_assert_ptr_null(st_personalize_render(cases[i].text, &maria,
							 &err));
		ck_assert_int_eq(err.code, ST_EINVAL);
		ck_assert_str_eq(err.message, cases[i].want);
		ck_assert_ptr_nonnull(strstr(err.hint, "primer_nombre"));
		st_error_init(&err);
		ck_assert_int_eq(st_personalize_check(cases[i].text, &err), -1);
		ck_assert_str_eq(err.message, cases[i].want);
	}
}
END_TEST

START_TEST(test_first_name)
{
	char *s = st_personalize_first_name("\tMaría José");

	ck_assert_str_eq(s, "María");
	free(s);
	ck_assert_ptr_null(st_personalize_first_name("  "));
	ck_assert_ptr_null(st_personalize_first_name(NULL));
	ck_assert(st_personalize_known("zona", 4));
	ck_assert(!st_personalize_known("zonas", 5));
	ck_assert(st_personalize_known("zonas", 4));
}
END_TEST

Suite *
personalize_suite(void)
{
	Suite *s = suite_create("personalize");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, test_every_placeholder);
	tcase_add_test(tc, test_accents_and_blanks);
	tcase_add_test(tc, test_missing_values);
	tcase_add_test(tc, test_plain_text);
	tcase_add_test(tc, test_bad_placeholders);
	tcase_add_test(tc, test_first_name);
	suite_add_tcase(s, tc);
	return s;
}
