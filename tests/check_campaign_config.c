/*
 * check_campaign_config.c - the shape of a campaign's config: every bad
 * shape is refused with the path of the field at fault; --set edits; and
 * the other pure checks campaigns lean on (template variables, assistant
 * ranking weights).
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "strato/assistant.h"
#include "strato/campaign-config.h"
#include "strato/template.h"
#include "suites.h"

/* Check text (a config) and return the error message ("" when valid). */
static const char *
check_text(const char *text, bool complete)
{
	static struct st_error err;
	json_t *j = json_loads(text, 0, NULL);

	ck_assert_msg(j != NULL, "bad test JSON: %s", text);
	st_error_init(&err);
	if (st_campaign_config_check(j, complete, &err) == 0)
		err.message[0] = '\0';
	else
		ck_assert_int_eq(err.code, ST_EINVAL);
	json_decref(j);
	return err.message;
}

START_TEST(test_valid)
{
	ck_assert_str_eq(check_text("{}", false), "");
	ck_assert_str_eq(check_text(
		"{\"audience\": {\"estado\": [\"nuevo\", \"CONTACTADO\"],"
		" \"tipo\": [\"comprador\"], \"tags\": [\"meta\"],"
		" \"zonas\": [\"Palermo\", \"Núñez\"],"
		" \"origen\": [\"WEB\"]},"
		" \"channel\": \"whatsapp\","
		" \"message\": {\"text\": \"Hola {{primer_nombre}}\","
		"  \"template\": {\"nombre\": \"promo\", \"idioma\": \"es_AR\","
		"   \"variables\": [\"{{nombre}}\", \"{{zona|tu zona}}\"]}},"
		" \"voice\": {\"enabled\": true, \"voice_id\": \"v1\"},"
		" \"throttle\": {\"per_minute\": 30},"
		" \"window\": {\"start\": \"09:00\", \"end\": \"20:30\","
		"  \"timezone\": \"America/Argentina/Buenos_Aires\","
		"  \"days\": [\"mon\", \"FRI\"]}}", true), "");
	/* an overnight window is fine */
	ck_assert_str_eq(check_text("{\"window\": {\"start\": \"22:00\","
				    " \"end\": \"06:00\"}}", false), "");
}
END_TEST

START_TEST(test_normalised)
{
	struct st_error err;
	json_t *j = json_loads("{\"channel\": \"uchat\", \"audience\":"
			       " {\"estado\": [\"nuevo\"]}}", 0, NULL);

	ck_assert_int_eq(st_campaign_config_check(j, false, &err), 0);
	ck_assert_str_eq(json_string_value(json_object_get(j, "channel")),
			 "UCHAT");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(
		json_object_get(j, "audience"), "estado"), 0)), "NUEVO");
	json_decref(j);
}
END_TEST

/* Each bad shape, and how its message must begin. */
static const struct {
	const char *json;
	bool complete;
	const char *want;
} bad[] = {
	{ "{\"audience\": {\"estado\": [\"NUEVO\", \"NUEVOO\"]}}", false,
	  "config.audience.estado[1]: \"NUEVOO\" is not a lead estado (NUEVO, "
	  "CONTACTADO, CALIFICADO, VISITA_AGENDADA, NEGOCIACION, GANADO, "
	  "PERDIDO)" },
	{ "{\"audience\": {\"estado\": \"NUEVO\"}}", false,
	  "config.audience.estado: must be a list of strings" },
	{ "{\"audience\": {\"tipo\": [\"COMPRADOR\", 3]}}", false,
	  "config.audience.tipo[1]: must be a string" },
	{ "{\"audience\": {\"tipo\": [\"turista\"]}}", false,
	  "config.audience.tipo[0]: \"turista\" is not a lead tipo" },
	{ "{\"audience\": {\"tags\": [\"\"]}}", false,
	  "config.audience.tags[0]: must not be empty" },
	{ "{\"audience\": {\"zonas\": {}}}", false,
	  "config.audience.zonas: must be a list of strings" },
	{ "{\"audience\": {\"origen\": [null]}}", false,
	  "config.audience.origen[0]: must be a string" },
	{ "{\"audience\": {\"opt_out\": true}}", false,
	  "config.audience.opt_out: leads that opted out are always left out" },
	{ "{\"audience\": {\"barrio\": []}}", false,
	  "config.audience: unknown field \"barrio\" (estado, tipo, tags, "
	  "zonas, origen, es_cliente, inactive_days, created_from, "
	  "created_to, leads)" },
	{ "{\"audience\": []}", false, "config.audience: must be an object" },
	{ "{\"canal\": \"WHATSAPP\"}", false,
	  "config: unknown field \"canal\"" },
	{ "{\"channel\": \"SMS\"}", false,
	  "config.channel: \"SMS\" is not a channel (MANYCHAT, UCHAT, "
	  "WHATSAPP)" },
	{ "{\"channel\": 1}", false, "config.channel: must be a string" },
	{ "{\"message\": {\"text\": \"x\"}}", true,
	  "config.channel: missing" },
	{ "{\"channel\": \"UCHAT\"}", true, "config.message.text: missing" },
	{ "{\"channel\": \"UCHAT\", \"message\": {}}", true,
	  "config.message.text: missing" },
	{ "{\"message\": {\"text\": \"\"}}", false,
	  "config.message.text: must not be empty" },
	{ "{\"message\": {\"text\": [\"Hola\"]}}", false,
	  "config.message.text: must be a string" },
	{ "{\"message\": {\"text\": \"Hola {{nombr}}\"}}", false,
	  "config.message.text: unknown placeholder {{nombr}}" },
	{ "{\"message\": {\"text\": \"Hola {{nombre\"}}", false,
	  "config.message.text: unclosed placeholder" },
	{ "{\"message\": {\"text\": \"Hola {{ }}\"}}", false,
	  "config.message.text: empty placeholder" },
	{ "{\"message\": {\"texto\": \"Hola\"}}", false,
	  "config.message: unknown field \"texto\" (text, template)" },
	{ "{\"message\": {\"template\": {}}}", false,
	  "config.message.template.nombre: missing" },
	{ "{\"message\": {\"template\": \"promo\"}}", false,
	  "config.message.template: must be an object" },
	{ "{\"message\": {\"template\": {\"nombre\": \"p\", \"idioma\": 5}}}",
	  false, "config.message.template.idioma: must be a string" },
	{ "{\"message\": {\"template\": {\"nombre\": \"p\", \"variables\":"
	  " [\"{{zona}}\", \"{{barrio}}\"]}}}", false,
	  "config.message.template.variables[1]: unknown placeholder "
	  "{{barrio}}" },
	{ "{\"message\": {\"template\": {\"nombre\": \"p\", \"vars\": []}}}",
	  false, "config.message.template: unknown field \"vars\"" },
	{ "{\"channel\": \"MANYCHAT\", \"message\": {\"template\":"
	  " {\"nombre\": \"p\"}}}", false,
	  "config.message.template: templates are sent through WHATSAPP only, "
	  "not MANYCHAT" },
	{ "{\"voice\": {\"enabled\": \"yes\"}}", false,
	  "config.voice.enabled: must be true or false" },
	{ "{\"voice\": {\"voice_id\": 7}}", false,
	  "config.voice.voice_id: must be a string" },
	{ "{\"voice\": {\"speed\": 1}}", false,
	  "config.voice: unknown field \"speed\"" },
	{ "{\"throttle\": {\"per_minute\": 0}}", false,
	  "config.throttle.per_minute: must be a whole number from 1 to 600" },
	{ "{\"throttle\": {\"per_minute\": 2.5}}", false,
	  "config.throttle.per_minute: must be a whole number" },
	{ "{\"throttle\": {\"per_minute\": 601}}", false,
	  "config.throttle.per_minute: must be a whole number" },
	{ "{\"throttle\": 30}", false, "config.throttle: must be an object" },
	{ "{\"window\": {\"start\": \"9:00\", \"end\": \"18:00\"}}", false,
	  "config.window.start: \"9:00\" is not a time of day" },
	{ "{\"window\": {\"start\": \"09:00\", \"end\": \"24:30\"}}", false,
	  "config.window.end: \"24:30\" is not a time of day" },
	{ "{\"window\": {\"start\": \"09:00\"}}", false,
	  "config.window.end: missing" },
	{ "{\"window\": {\"start\": \"09:00\", \"end\": \"09:00\"}}", false,
	  "config.window.end: must differ from start" },
	{ "{\"window\": {\"timezone\": \"../etc/passwd\"}}", false,
	  "config.window.timezone: \"../etc/passwd\" is not a time zone" },
	{ "{\"window\": {\"days\": [\"LUN\"]}}", false,
	  "config.window.days[0]: \"LUN\" is not a day (MON, TUE, WED, THU, "
	  "FRI, SAT, SUN)" },
	{ "{\"window\": {\"hours\": \"9-18\"}}", false,
	  "config.window: unknown field \"hours\"" },
	{ "[]", false, "config: must be a JSON object" },
};

START_TEST(test_bad_shapes)
{
	const char *msg = check_text(bad[_i].json, bad[_i].complete);

	ck_assert_msg(strncmp(msg, bad[_i].want, strlen(bad[_i].want)) == 0,
		      "config %s\n  got:  %s\n  want: %s...", bad[_i].json, msg,
		      bad[_i].want);
}
END_TEST

START_TEST(test_parse)
{
	struct st_error err;
	json_t *j = st_campaign_config_parse("{\"channel\": \"UCHAT\"}", "f",
					     &err);

	ck_assert_ptr_nonnull(j);
	json_decref(j);
	ck_assert_ptr_null(st_campaign_config_parse("{\"a\": ", "c.json",
						    &err));
	ck_assert_msg(strncmp(err.message, "c.json: invalid JSON at line 1",
			      30) == 0, "%s", err.message);
	ck_assert_ptr_null(st_campaign_config_parse("[1]", "c.json", &err));
	ck_assert_str_eq(err.message, "c.json: the config must be a JSON "
			 "object");
	ck_assert_ptr_null(st_campaign_config_parse("{\"a\": 1, \"a\": 2}",
						    "-", &err));
}
END_TEST

/* Apply sets in order to a fresh object; returns its compact JSON. */
static char *
apply(const char *const *sets, size_t n, struct st_error *err, int *rc)
{
	json_t *j = json_object();
	char *s;

	*rc = 0;
	for (size_t i = 0; i < n && *rc == 0; i++)
		*rc = st_campaign_config_set(j, sets[i], err);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return s;
}

START_TEST(test_set)
{
	static const char *const sets[] = {
		"audience.estado=NUEVO, contactado,,",
		"message.text=Hola {{nombre}}, a=b",
		"voice.enabled=yes",
		"throttle.per_minute=20",
		"channel=whatsapp",
		"window.timezone=America/Argentina/Buenos_Aires",
		"window.timezone=",
	};
	struct st_error err;
	int rc;
	char *s = apply(sets, ST_ARRAY_SIZE(sets), &err, &rc);

	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(s, "{\"audience\":{\"estado\":[\"NUEVO\","
			 "\"contactado\"]},\"channel\":\"whatsapp\","
			 "\"message\":{\"text\":\"Hola {{nombre}}, a=b\"},"
			 "\"throttle\":{\"per_minute\":20},"
			 "\"voice\":{\"enabled\":true},\"window\":{}}");
	free(s);
}
END_TEST

START_TEST(test_set_errors)
{
	static const struct {
		const char *set;
		const char *want;
	} cases[] = {
		{ "audience.estdo=NUEVO",
		  "unknown config key \"audience.estdo\"" },
		{ "audience", "invalid --set \"audience\"" },
		{ "=NUEVO", "invalid --set \"=NUEVO\"" },
		{ "voice.enabled=si",
		  "config.voice.enabled: \"si\" is not true or false" },
		{ "throttle.per_minute=10x", "config.throttle.per_minute: "
		  "\"10x\" is not a whole number" },
		{ "throttle.per_minute=", "" }, /* removing what is not there */
	};

	for (size_t i = 0; i < ST_ARRAY_SIZE(cases); i++) {
		struct st_error err;
		int rc;
		char *s;

		st_error_init(&err);
		s = apply(&cases[i].set, 1, &err, &rc);
		free(s);
		if (!cases[i].want[0]) {
			ck_assert_int_eq(rc, 0);
			continue;
		}
		ck_assert_int_eq(rc, -1);
		ck_assert_str_eq(err.message, cases[i].want);
	}
}
END_TEST

START_TEST(test_set_over_scalar)
{
	struct st_error err;
	json_t *j = json_loads("{\"message\": \"hola\"}", 0, NULL);

	ck_assert_int_eq(st_campaign_config_set(j, "message.text=x", &err), -1);
	ck_assert_str_eq(err.message, "config.message: must be an object");
	json_decref(j);
	ck_assert_ptr_nonnull(strstr(st_campaign_config_keys(),
				     "audience.estado, audience.tipo"));
}
END_TEST

START_TEST(test_template_vars)
{
	ck_assert_int_eq(st_template_var_count("Hola"), 0);
	ck_assert_int_eq(st_template_var_count("Hola {{1}}, {{2}} y {{1}}"), 2);
	ck_assert_int_eq(st_template_var_count("Hola {{2}}"), -1);
	ck_assert_int_eq(st_template_var_count("Hola {{nombre}}"), -1);
	ck_assert_int_eq(st_template_var_count("Hola {{1}"), -1);
	ck_assert_int_eq(st_template_var_count("Hola {{0}}"), -1);
	ck_assert_int_eq(st_template_var_count("Hola {{ 1}}"), -1);
}
END_TEST

START_TEST(test_weights)
{
	struct st_error err;
	char *s = st_assistant_weights_parse("zona=0.4,precio=0.3,ambientes=0,"
					     "recencia=2", &err);

	ck_assert_str_eq(s, "{\"zona\":0.4,\"precio\":0.3,\"ambientes\":0.0,"
			 "\"recencia\":2.0}");
	free(s);
	ck_assert_ptr_null(st_assistant_weights_parse("zona=-1", &err));
	ck_assert_str_eq(err.message, "weight zona: \"-1\" is not a number of "
			 "0 or more");
	ck_assert_ptr_null(st_assistant_weights_parse("zona=abc", &err));
	ck_assert_str_eq(err.message, "weight zona: \"abc\" is not a number of "
			 "0 or more");
	ck_assert_ptr_null(st_assistant_weights_parse("zona=nan", &err));
	ck_assert_ptr_null(st_assistant_weights_parse("tipo=1", &err));
	ck_assert_str_eq(err.message, "invalid weight \"tipo=1\"");
	ck_assert_ptr_null(st_assistant_weights_parse("zona", &err));
	ck_assert_str_eq(err.message, "invalid weight \"zona\"");
	ck_assert_ptr_null(st_assistant_weights_parse(",", &err));
	ck_assert_str_eq(err.message, "no weights given");
}
END_TEST

Suite *
campaign_config_suite(void)
{
	Suite *s = suite_create("campaign_config");
	TCase *tc = tcase_create("shape");
	TCase *set = tcase_create("set");
	TCase *other = tcase_create("related");

	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_normalised);
	tcase_add_loop_test(tc, test_bad_shapes, 0, (int)ST_ARRAY_SIZE(bad));
	tcase_add_test(tc, test_parse);
	suite_add_tcase(s, tc);
	tcase_add_test(set, test_set);
	tcase_add_test(set, test_set_errors);
	tcase_add_test(set, test_set_over_scalar);
	suite_add_tcase(s, set);
	tcase_add_test(other, test_template_vars);
	tcase_add_test(other, test_weights);
	suite_add_tcase(s, other);
	return s;
}
