/*
 * check_ingest.c - the webhook parsers (WhatsApp, ManyChat, UChat, the
 * envelope), the signature and token checks, and the Spanish extraction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "strato/ingest.h"
#include "suites.h"

#include <libgen.h>
#include <unistd.h>

/* Line n (1-based) of a sample file, without its newline. */
static char *
sample(const char *file, int n)
{
	char exe[512] = "", path[1100], *line = NULL;
	size_t cap = 0;
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *f;

	/* the binary is <top>/<build>/check_strato */
	ck_assert_int_gt(len, 0);
	exe[len] = '\0';
	snprintf(path, sizeof(path), "%s/../tests/data/ingest/%s",
		 dirname(exe), file);
	len = -1;
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	for (int i = 0; i < n; i++)
		len = getline(&line, &cap, f);
	fclose(f);
	ck_assert_int_gt(len, 0);
	if (line[len - 1] == '\n')
		line[len - 1] = '\0';
	return line;
}

static void
parse_ok(enum st_ingest_source s, const char *body,
	 struct st_ingest_event *ev)
{
	struct st_error err;

	st_error_init(&err);
	ck_assert_msg(st_ingest_parse(s, body, strlen(body), ev, &err) == 0,
		      "%s", err.message);
}

static void
parse_bad(enum st_ingest_source s, const char *body, const char *want)
{
	struct st_ingest_event ev;
	struct st_error err;

	st_error_init(&err);
	ck_assert_int_eq(st_ingest_parse(s, body, strlen(body), &ev, &err),
			 -1);
	ck_assert_msg(strstr(err.message, want), "\"%s\" lacks \"%s\"",
		      err.message, want);
}

START_TEST(test_whatsapp_message)
{
	struct st_ingest_event ev;
	char *l = sample("whatsapp.jsonl", 1);

	parse_ok(ST_INGEST_WHATSAPP, l, &ev);
	ck_assert_str_eq(ev.phone_number_id, "106540352242922");
	ck_assert_uint_eq(ev.nmsgs, 1);
	ck_assert_str_eq(ev.msgs[0].user_id, "5491141112222");
	ck_assert_str_eq(ev.msgs[0].telefono, "+5491141112222");
	ck_assert_str_eq(ev.msgs[0].nombre, "Ana Pérez");
	ck_assert_str_eq(ev.msgs[0].tipo, "TEXT");
	ck_assert_str_eq(ev.msgs[0].timestamp, "1740476674");
	ck_assert(strstr(ev.msgs[0].texto, "Palermo"));
	ck_assert(!ev.msgs[0].from_ad);
	st_ingest_event_release(&ev);
	free(l);
	l = sample("whatsapp.jsonl", 2);
	parse_ok(ST_INGEST_WHATSAPP, l, &ev);
	ck_assert_str_eq(ev.msgs[0].tipo, "IMAGE");
	ck_assert_str_eq(ev.msgs[0].texto, "¿Algo así?");
	st_ingest_event_release(&ev);
	free(l);
}
END_TEST

START_TEST(test_whatsapp_referral_status_errors)
{
	struct st_ingest_event ev;
	char *l = sample("whatsapp.jsonl", 3);

	parse_ok(ST_INGEST_WHATSAPP, l, &ev);
	ck_assert(ev.msgs[0].from_ad);
	ck_assert_str_eq(ev.msgs[0].ad_id, "120210987654321");
	st_ingest_event_release(&ev);
	free(l);
	l = sample("whatsapp.jsonl", 5);
	parse_ok(ST_INGEST_WHATSAPP, l, &ev);
	ck_assert_uint_eq(ev.nmsgs, 0);
	ck_assert_uint_eq(ev.nstatuses, 1);
	ck_assert_str_eq(ev.statuses[0].estado, "FAILED");
	ck_assert_str_eq(ev.statuses[0].error_code, "131047");
	ck_assert_str_eq(ev.statuses[0].error_message, "Re-engagement message");
	st_ingest_event_release(&ev);
	free(l);
	l = sample("whatsapp.jsonl", 7);
	parse_ok(ST_INGEST_WHATSAPP, l, &ev);
	ck_assert_uint_eq(ev.nerrors, 1);
	st_ingest_event_release(&ev);
	free(l);
}
END_TEST

START_TEST(test_whatsapp_bad)
{
	char *l = sample("bad.jsonl", 1);

	parse_bad(ST_INGEST_WHATSAPP, l, "without \"id\"");
	free(l);
	parse_bad(ST_INGEST_WHATSAPP, "{\"object\":\"page\"}",
		  "not a whatsapp event");
	parse_bad(ST_INGEST_WHATSAPP, "{\"object\":", "not JSON");
	parse_bad(ST_INGEST_WHATSAPP, "[1]", "not a JSON object");
	l = sample("bad.jsonl", 6);
	parse_bad(ST_INGEST_WHATSAPP, l, "unknown event shape");
	free(l);
	parse_bad(ST_INGEST_WHATSAPP, "{\"object\":"
		  "\"whatsapp_business_account\",\"entry\":[{\"changes\":"
		  "[{\"field\":\"messages\",\"value\":{\"messages\":[]}}]}]}",
		  "phone_number_id");
}
END_TEST

START_TEST(test_manychat)
{
	struct st_ingest_event ev;
	char *l = sample("manychat.jsonl", 1);

	parse_ok(ST_INGEST_MANYCHAT, l, &ev);
	/* beyond 2^53: kept digit for digit */
	ck_assert_str_eq(ev.msgs[0].user_id, "1324564789012345678");
	ck_assert_str_eq(ev.msgs[0].external_id, "manychat:1324564789012345678"
			 ":2026-11-20T10:05:11+00:00");
	ck_assert_str_eq(ev.msgs[0].texto, "alquilo depto 2 amb en Núñez");
	ck_assert_str_eq(ev.msgs[0].canal, "WHATSAPP");
	ck_assert_str_eq(ev.msgs[0].telefono, "+5491145556666");
	ck_assert(ev.msgs[0].from_ad);
	ck_assert_str_eq(ev.token, "mc-webhook-T0ken-sur-4821");
	st_ingest_event_release(&ev);
	free(l);
	l = sample("manychat.jsonl", 2);
	parse_ok(ST_INGEST_MANYCHAT, l, &ev);
	ck_assert_str_eq(ev.msgs[0].external_id, "mc-msg-0002");
	ck_assert_str_eq(ev.msgs[0].canal, "MESSENGER");
	ck_assert(!ev.msgs[0].from_ad);
	st_ingest_event_release(&ev);
	free(l);
	parse_bad(ST_INGEST_MANYCHAT, "{\"name\":\"x\"}", "not a manychat");
	parse_bad(ST_INGEST_MANYCHAT, "{\"id\":1,\"page_id\":2}",
		  "last_interaction");
}
END_TEST

START_TEST(test_uchat)
{
	struct st_ingest_event ev;
	char *l = sample("uchat.jsonl", 1);

	parse_ok(ST_INGEST_UCHAT, l, &ev);
	ck_assert_str_eq(ev.msgs[0].user_id, "f190385u394247863");
	ck_assert_str_eq(ev.msgs[0].external_id, "wamid.UC-0001");
	ck_assert_str_eq(ev.msgs[0].nombre, "Elena Sosa");
	ck_assert_str_eq(ev.msgs[0].timestamp, "1764410000");
	st_ingest_event_release(&ev);
	free(l);
	l = sample("uchat.jsonl", 2);
	parse_bad(ST_INGEST_UCHAT, l, "type \"out\"");
	free(l);
	parse_bad(ST_INGEST_UCHAT, "{\"meta\":{}}", "not a uchat event");
}
END_TEST

START_TEST(test_envelope)
{
	struct st_ingest_envelope e;
	struct st_error err;
	const char *env = "{\"headers\":{\"x-hub-signature-256\":\"sha256=ab\","
		"\"Authorization\":\"Bearer tok\"},\"body\":\"{\\\"a\\\":1}\"}";

	ck_assert_int_eq(st_ingest_envelope_parse(env, strlen(env), &e, &err),
			 0);
	ck_assert_str_eq(e.body, "{\"a\":1}");
	ck_assert_str_eq(e.signature, "sha256=ab");
	ck_assert_str_eq(e.token, "tok");
	st_ingest_envelope_release(&e);
	ck_assert_int_eq(st_ingest_envelope_parse("{\"object\":1}", 12, &e,
						  &err), 0);
	ck_assert_str_eq(e.body, "{\"object\":1}");
	ck_assert_ptr_null(e.signature);
	st_ingest_envelope_release(&e);
	ck_assert_int_eq(st_ingest_envelope_parse("{\"headers\":1,\"body\":"
		"\"x\"}", 24, &e, &err), -1);
	ck_assert_int_eq(st_ingest_envelope_parse("not json", 8, &e, &err), 0);
	ck_assert_str_eq(e.body, "not json");
	st_ingest_envelope_release(&e);
}
END_TEST

START_TEST(test_signature)
{
	/* the openssl command's HMAC is the reference */
	char want[80];
	FILE *p = popen("printf '{\"a\":1}' | openssl dgst -sha256 -hmac "
			"s3cret -r", "r");

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(want + 7, 65, p));
	pclose(p);
	memcpy(want, "sha256=", 7);
	ck_assert(st_ingest_signature_ok(want, "s3cret", "{\"a\":1}", 7));
	ck_assert(!st_ingest_signature_ok(want, "other", "{\"a\":1}", 7));
	ck_assert(!st_ingest_signature_ok(want, "s3cret", "{\"a\":2}", 7));
	ck_assert(!st_ingest_signature_ok("sha256=zz", "s3cret", "x", 1));
	ck_assert(!st_ingest_signature_ok(NULL, "s3cret", "x", 1));
	want[8] = want[8] == 'a' ? 'b' : 'a';
	ck_assert(!st_ingest_signature_ok(want, "s3cret", "{\"a\":1}", 7));
	ck_assert(st_ingest_token_eq("abc", "abc"));
	ck_assert(!st_ingest_token_eq("abc", "abd"));
	ck_assert(!st_ingest_token_eq("abc", "abcd"));
	ck_assert(!st_ingest_token_eq(NULL, "abc"));
}
END_TEST

static void
extract(const char *text, struct st_ingest_prefs *p)
{
	static const char *const zones[] = { "Palermo Soho",
					     "Villa Pueyrredón" };

	st_ingest_extract(text, zones, 2, p);
}

START_TEST(test_extract_examples)
{
	struct st_ingest_prefs p;

	extract("busco un 3 ambientes en Palermo hasta 150 mil dólares", &p);
	ck_assert_int_eq(p.ambientes, 3);
	ck_assert_uint_eq(p.nzonas, 1);
	ck_assert_str_eq(p.zonas[0], "Palermo");
	ck_assert_str_eq(p.presupuesto_max, "150000");
	ck_assert_ptr_null(p.presupuesto_min);
	ck_assert_str_eq(p.moneda, "USD");
	ck_assert_str_eq(p.operacion, "VENTA"); /* dollars: a purchase */
	ck_assert_ptr_null(p.tipo_propiedad);
	st_ingest_prefs_release(&p);

	extract("alquilo depto 2 amb en Núñez", &p);
	ck_assert_str_eq(p.operacion, "ALQUILER");
	ck_assert_str_eq(p.tipo_propiedad, "DEPARTAMENTO");
	ck_assert_int_eq(p.ambientes, 2);
	ck_assert_str_eq(p.zonas[0], "Núñez");
	ck_assert_ptr_null(p.presupuesto_max);
	st_ingest_prefs_release(&p);

	extract("Quiero COMPRAR una casa en nunez o Belgrano, entre 200 y 250 "
		"mil usd", &p);
	ck_assert_str_eq(p.operacion, "VENTA");
	ck_assert_str_eq(p.tipo_propiedad, "CASA");
	ck_assert_uint_eq(p.nzonas, 2);
	ck_assert_str_eq(p.zonas[0], "Belgrano");
	ck_assert_str_eq(p.zonas[1], "Núñez");
	ck_assert_str_eq(p.presupuesto_min, "200000");
	ck_assert_str_eq(p.presupuesto_max, "250000");
	st_ingest_prefs_release(&p);
}
END_TEST

START_TEST(test_extract_more)
{
	struct st_ingest_prefs p;

	extract("monoambiente en Palermo Soho, alquiler hasta $ 450.000", &p);
	ck_assert_int_eq(p.ambientes, 1);
	ck_assert_str_eq(p.tipo_propiedad, "DEPARTAMENTO");
	ck_assert_str_eq(p.operacion, "ALQUILER");
	ck_assert_uint_eq(p.nzonas, 1); /* not Palermo besides */
	ck_assert_str_eq(p.zonas[0], "Palermo Soho");
	ck_assert_str_eq(p.presupuesto_max, "450000");
	ck_assert_str_eq(p.moneda, "ARS");
	st_ingest_prefs_release(&p);

	extract("PH de dos ambientes en villa pueyrredon, presupuesto 1,5 "
		"millones de pesos", &p);
	ck_assert_str_eq(p.tipo_propiedad, "PH");
	ck_assert_int_eq(p.ambientes, 2);
	ck_assert_str_eq(p.zonas[0], "Villa Pueyrredón");
	ck_assert_str_eq(p.presupuesto_max, "1500000");
	ck_assert_str_eq(p.moneda, "ARS");
	ck_assert_ptr_null(p.operacion);
	st_ingest_prefs_release(&p);

	extract("casa 3 dormitorios hasta 80k", &p);
	ck_assert_int_eq(p.ambientes, 4);
	ck_assert_str_eq(p.presupuesto_max, "80000");
	ck_assert_ptr_null(p.moneda);
	st_ingest_prefs_release(&p);

	extract("Hola, qué tal", &p);
	ck_assert(!st_ingest_prefs_any(&p));
	st_ingest_prefs_release(&p);
	extract("", &p);
	ck_assert(!st_ingest_prefs_any(&p));
	st_ingest_prefs_release(&p);
	extract("la casa de Palermoso y un localismo", &p);
	ck_assert_uint_eq(p.nzonas, 0); /* whole words only */
	ck_assert_str_eq(p.tipo_propiedad, "CASA");
	st_ingest_prefs_release(&p);
}
END_TEST

START_TEST(test_source_parse)
{
	enum st_ingest_source s;

	ck_assert_int_eq(st_ingest_source_parse("WhatsApp", &s), 0);
	ck_assert_int_eq(s, ST_INGEST_WHATSAPP);
	ck_assert_str_eq(st_ingest_source_name(s), "WHATSAPP");
	ck_assert_int_eq(st_ingest_source_parse("telegram", &s), -1);
}
END_TEST

Suite *
ingest_suite(void)
{
	Suite *s = suite_create("ingest");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_whatsapp_message);
	tcase_add_test(tc, test_whatsapp_referral_status_errors);
	tcase_add_test(tc, test_whatsapp_bad);
	tcase_add_test(tc, test_manychat);
	tcase_add_test(tc, test_uchat);
	tcase_add_test(tc, test_envelope);
	tcase_add_test(tc, test_signature);
	tcase_add_test(tc, test_extract_examples);
	tcase_add_test(tc, test_extract_more);
	tcase_add_test(tc, test_source_parse);
	suite_add_tcase(s, tc);
	return s;
}
