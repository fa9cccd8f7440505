/*
 * check_property.c - the pure parts of the property flow: enumerations
 * and numbers of the catalogue, Argentine price formatting, ficha
 * rendering and truncation, and reading a visit's WHEN.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "strato/ficha.h"
#include "strato/property.h"
#include "strato/visit.h"

START_TEST(test_enum_canon)
{
	ck_assert_str_eq(st_property_enum_canon("operacion", "venta"), "VENTA");
	ck_assert_str_eq(st_property_enum_canon("operacion", "Alquiler"),
			 "ALQUILER");
	ck_assert_str_eq(st_property_enum_canon("tipo", "ph"), "PH");
	ck_assert_str_eq(st_property_enum_canon("moneda", "usd"), "USD");
	ck_assert_str_eq(st_property_enum_canon("estado", "vendida"), "VENDIDA");
	ck_assert_ptr_null(st_property_enum_canon("operacion", "compra"));
	ck_assert_ptr_null(st_property_enum_canon("tipo", "depto"));
	ck_assert_ptr_null(st_property_enum_canon("moneda", "EUR"));
	ck_assert_ptr_null(st_property_enum_canon("zona", "Palermo"));
	ck_assert_ptr_null(st_property_enum_canon("operacion", NULL));
	ck_assert_str_eq(st_property_enum_values("operacion"),
			 "VENTA, ALQUILER");
	ck_assert_ptr_null(st_property_enum_values("titulo"));
}
END_TEST

START_TEST(test_number_valid)
{
	ck_assert(st_property_number_valid("150000"));
	ck_assert(st_property_number_valid("1500.5"));
	ck_assert(st_property_number_valid("1500.50"));
	ck_assert(st_property_number_valid("0"));
	ck_assert(!st_property_number_valid("150.000"));  /* AR thousands */
	ck_assert(!st_property_number_valid("1,5"));
	ck_assert(!st_property_number_valid("-5"));
	ck_assert(!st_property_number_valid("12."));
	ck_assert(!st_property_number_valid(".5"));
	ck_assert(!st_property_number_valid(""));
	ck_assert(!st_property_number_valid("1e5"));
	ck_assert(!st_property_number_valid("1234567890123"));
	ck_assert(!st_property_number_valid(NULL));
}
END_TEST

static void
price_is(const char *precio, const char *moneda, const char *want)
{
	char *s = st_ficha_price(precio, moneda);

	ck_assert_str_eq(s, want);
	free(s);
}

START_TEST(test_price)
{
	price_is("150000", "USD", "USD 150.000");
	price_is("1200000", "ARS", "$ 1.200.000");
	price_is("1500.5", "USD", "USD 1.500,50");
	price_is("1500.05", "ARS", "$ 1.500,05");
	price_is("150000.00", "USD", "USD 150.000");
	price_is("999", "ARS", "$ 999");
	price_is("1000", "USD", "USD 1.000");
	price_is("100000", "USD", "USD 100.000");
	price_is("0", "USD", "USD 0");
	price_is("123456789012", "ARS", "$ 123.456.789.012");
	price_is(NULL, "USD", "a consultar");
}
END_TEST

static void
cut_is(const char *s, size_t max, const char *want)
{
	char *t = st_ficha_truncate(s, max);

	ck_assert_str_eq(t, want);
	free(t);
}

START_TEST(test_truncate)
{
	cut_is("Luminoso y al frente", 40, "Luminoso y al frente");
	cut_is("Luminoso y al frente", 20, "Luminoso y al frente");
	cut_is("Luminoso y al frente", 19, "Luminoso y al…");
	cut_is("Luminoso, al frente", 12, "Luminoso…");
	/* characters, not bytes: ó and ñ count one each */
	cut_is("Balcón añejo con vista", 13, "Balcón añejo…");
	cut_is("Supercalifragilístico", 5, "Super…");
	cut_is("", 5, "");
	cut_is(NULL, 5, "");
}
END_TEST

START_TEST(test_render)
{
	struct st_property p = {
		.titulo = "Depto 3 amb. con balcón",
		.precio = "150000", .moneda = "USD", .operacion = "VENTA",
		.zona = "Palermo", .ambientes = "3", .superficie = "72.5",
		.descripcion = "Luminoso, al frente, con balcón corrido y "
			       "vista abierta al parque; cocina integrada, "
			       "lavadero independiente, cochera opcional y "
			       "amenities completos en el edificio: pileta, "
			       "SUM y gimnasio.",
		.url = "https://example.com/p/1",
	};
	struct st_property q = { .titulo = "Lote", .operacion = "ALQUILER",
				 .ambientes = "1" };
	char *s = st_ficha_render(&p);

	ck_assert_str_eq(s,
		"*Depto 3 amb. con balcón*\n"
		"Venta: USD 150.000\n"
		"Zona: Palermo\n"
		"3 ambientes · 72,5 m²\n"
		"Luminoso, al frente, con balcón corrido y vista abierta al "
		"parque; cocina integrada, lavadero independiente, cochera "
		"opcional y amenities completos en el…\n"
		"Ver más: https://example.com/p/1");
	free(s);
	s = st_ficha_render(&q);
	ck_assert_str_eq(s, "*Lote*\nAlquiler: a consultar\n1 ambiente");
	free(s);
}
END_TEST

static void
when_is(const char *in, enum st_when kind, const char *want)
{
	char buf[40] = "";

	ck_assert_int_eq(st_visit_parse_when(in, buf, sizeof(buf)), kind);
	if (want)
		ck_assert_str_eq(buf, want);
}

START_TEST(test_when)
{
	when_is("2026-12-01 15:30", ST_WHEN_LOCAL, "2026-12-01 15:30:00");
	when_is("2026-12-01T15:30", ST_WHEN_LOCAL, "2026-12-01 15:30:00");
	when_is("2026-12-01T15:30:45", ST_WHEN_LOCAL, "2026-12-01 15:30:45");
	when_is("2026-12-01T15:30:45.123", ST_WHEN_LOCAL,
		"2026-12-01 15:30:45");
	when_is("2026-12-01T15:30Z", ST_WHEN_OFFSET,
		"2026-12-01 15:30:00+00:00");
	when_is("2026-12-01T15:30:00-03:00", ST_WHEN_OFFSET,
		"2026-12-01 15:30:00-03:00");
	when_is("2026-12-01T15:30-0300", ST_WHEN_OFFSET,
		"2026-12-01 15:30:00-03:00");
	when_is("2026-12-01T15:30+05", ST_WHEN_OFFSET,
		"2026-12-01 15:30:00+05:00");
	when_is("2026-12-01", ST_WHEN_DATE, "2026-12-01 00:00:00");
	when_is("2024-02-29 10:00", ST_WHEN_LOCAL, "2024-02-29 10:00:00");
	when_is("2026-02-29 10:00", ST_WHEN_INVALID, NULL);
	when_is("2026-13-01 10:00", ST_WHEN_INVALID, NULL);
	when_is("2026-04-31 10:00", ST_WHEN_INVALID, NULL);
	when_is("2026-12-01 24:00", ST_WHEN_INVALID, NULL);
	when_is("2026-12-01 15:60", ST_WHEN_INVALID, NULL);
	when_is("2026-12-01 15", ST_WHEN_INVALID, NULL);
	when_is("2026-12-01 15:30 ", ST_WHEN_INVALID, NULL);
	when_is("2026-12-01T15:30+3", ST_WHEN_INVALID, NULL);
	when_is("01/12/2026 15:30", ST_WHEN_INVALID, NULL);
	when_is("mañana", ST_WHEN_INVALID, NULL);
	when_is("", ST_WHEN_INVALID, NULL);
	when_is(NULL, ST_WHEN_INVALID, NULL);
}
END_TEST

Suite *
property_suite(void)
{
	Suite *s = suite_create("property");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, test_enum_canon);
	tcase_add_test(tc, test_number_valid);
	tcase_add_test(tc, test_price);
	tcase_add_test(tc, test_truncate);
	tcase_add_test(tc, test_render);
	tcase_add_test(tc, test_when);
	suite_add_tcase(s, tc);
	return s;
}
