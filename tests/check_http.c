/*
 * check_http.c - the HTTP transport and the provider clients against the
 * mock provider (tests/mock-provider/mock.py, started for the suite):
 * the exact requests, and every injected fault's outcome.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "strato/http.h"
#include "strato/provider.h"
#include "suites.h"
#include "testmock.h"

#define MC_TOKEN "1000001:mcSecretKey0123"
#define WA_TOKEN "EAAGwaSecret0123"
#define EL_KEY "sk_elSecret0123"
#define UC_TOKEN "ucSecret0123"

static void
mock_start(void)
{
	static const char *const tokens[] = {
		"manychat=" MC_TOKEN,
		"whatsapp=" WA_TOKEN,
		"elevenlabs=" EL_KEY,
		"uchat=" UC_TOKEN,
		NULL,
	};

	testmock_start(tokens);
}

static void
mock_post(const char *path, const char *body)
{
	json_decref(mock_call("POST", path, body));
}

static void
reset(void)
{
	mock_post("/__reset", NULL);
}

/* The requests the mock saw (json_decref). */
static json_t *
seen(void)
{
	return mock_call("GET", "/__requests", NULL);
}

static size_t
seen_count(const char *path)
{
	json_t *a = seen(), *r;
	size_t i, n = 0;

	json_array_foreach(a, i, r)
		n += strcmp(json_string_value(json_object_get(r, "path")),
			    path) == 0;
	json_decref(a);
	return n;
}

static void
open_prov(struct st_provider *p, const char *name)
{
	struct st_error err;

	ck_assert_int_eq(st_provider_init(p, name, mock_url, &err), 0);
	p->backoff_ms = 10;
	p->max_attempts = 3;
	p->timeout_ms = 5000;
	if (strcmp(p->name, "MANYCHAT") == 0)
		st_provider_set(p, "api_token", MC_TOKEN, true);
	else if (strcmp(p->name, "UCHAT") == 0)
		st_provider_set(p, "api_token", UC_TOKEN, true);
	else if (strcmp(p->name, "ELEVENLABS") == 0)
		st_provider_set(p, "api_key", EL_KEY, true);
	else {
		st_provider_set(p, "access_token", WA_TOKEN, true);
		st_provider_set(p, "phone_number_id", "106540352242922", false);
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_redact)
{
	const char *const extra[] = { "phone_secret", NULL };
	const char *json = "{\"a\":{\"access_token\":\"x\",\"phone_secret\":"
			   "\"y\",\"text\":\"hola\"}}";
	char *s;

	s = st_http_redact("Authorization: Bearer abc", 25, NULL);
	ck_assert_str_eq(s, "Authorization: [redacted]");
	free(s);
	s = st_http_redact("xi-api-key: sk_1", 16, NULL);
	ck_assert_str_eq(s, "xi-api-key: [redacted]");
	free(s);
	s = st_http_redact("Content-Type: application/json", 30, NULL);
	ck_assert_str_eq(s, "Content-Type: application/json");
	free(s);
	s = st_http_redact(json, strlen(json), extra);
	ck_assert_str_eq(s, "{\"a\":{\"access_token\":\"[redacted]\","
			 "\"phone_secret\":\"[redacted]\",\"text\":\"hola\"}}");
	free(s);
	s = st_http_redact("https://h/x?token=abc&user_id=5", 31, NULL);
	ck_assert_str_eq(s, "https://h/x?token=[redacted]&user_id=5");
	free(s);
}
END_TEST

START_TEST(test_backoff)
{
	for (int n = 1; n <= 6; n++) {
		long d = st_http_backoff(n, 100, 1000, -1);
		long full = 100L << (n - 1) > 1000 ? 1000 : 100L << (n - 1);

		ck_assert_int_ge(d, full / 2);
		ck_assert_int_le(d, full);
	}
	ck_assert_int_eq(st_http_backoff(1, 100, 30000, 2), 2000);
	ck_assert_int_eq(st_http_backoff(1, 100, 1500, 60), 1500);
	ck_assert_int_eq(st_http_parse_retry_after(" 7\r\n"), 7);
	ck_assert_int_eq(st_http_parse_retry_after("soon"), -1);
	ck_assert_int_eq(st_http_parse_retry_after(
		"Wed, 21 Oct 2015 07:28:00 GMT"), 0);
}
END_TEST

/* ManyChat: find (none), create, send; the exact requests. */
START_TEST(test_manychat_requests)
{
	struct st_provider p;
	struct st_send_result res;
	struct st_error err;
	json_t *a, *r;
	char *id = NULL, *s;
	bool created = false;

	reset();
	open_prov(&p, "manychat");
	ck_assert_int_eq(st_channel_contact(&p, "+5491155550000", "Ana",
					    NULL, &id, &created, &err), 0);
	ck_assert(created);
	ck_assert_ptr_nonnull(id);
	ck_assert_int_eq(st_channel_ops("MANYCHAT")->send_text(&p, id, "Hola Ana", &res, &err), 0);
	ck_assert_int_eq(res.outcome, ST_SEND_OK);
	a = seen();
	ck_assert_int_eq(json_array_size(a), 3);
	r = json_array_get(a, 0);
	ck_assert_str_eq(json_string_value(json_object_get(r, "method")), "GET");
	ck_assert_str_eq(json_string_value(json_object_get(r, "path")),
			 "/fb/subscriber/findBySystemField");
	ck_assert_str_eq(json_string_value(json_object_get(r, "query")),
			 "phone=%2B5491155550000");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r,
		"headers"), "Authorization")), "Bearer " MC_TOKEN);
	ck_assert(strncmp(json_string_value(json_object_get(json_object_get(r,
		"headers"), "User-Agent")), "STRATO/", 7) == 0);
	r = json_array_get(a, 1);
	ck_assert_str_eq(json_string_value(json_object_get(r, "path")),
			 "/fb/subscriber/createSubscriber");
	s = json_dumps(json_object_get(r, "json"), JSON_SORT_KEYS |
		       JSON_COMPACT);
	ck_assert_str_eq(s, "{\"first_name\":\"Ana\","
			 "\"whatsapp_phone\":\"+5491155550000\"}");
	free(s);
	r = json_array_get(a, 2);
	ck_assert_str_eq(json_string_value(json_object_get(r, "method")),
			 "POST");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r,
		"headers"), "Content-Type")), "application/json");
	s = json_dumps(json_object_get(r, "json"), JSON_SORT_KEYS |
		       JSON_COMPACT);
	ck_assert_str_eq(s, "{\"data\":{\"content\":{\"messages\":[{\"text\":"
			 "\"Hola Ana\",\"type\":\"text\"}],\"type\":"
			 "\"whatsapp\"},\"version\":\"v2\"},"
			 "\"subscriber_id\":\"900000001\"}");
	free(s);
	json_decref(a);
	free(id);
	/* found the second time, not created again */
	ck_assert_int_eq(st_channel_contact(&p, "+5491155550000", "Ana",
					    NULL, &id, &created, &err), 0);
	ck_assert(!created);
	ck_assert_str_eq(id, "900000001");
	free(id);
	st_provider_close(&p);
}
END_TEST

/* 429 with Retry-After: 1 is waited for, then the call succeeds. */
START_TEST(test_429_retry_after)
{
	struct st_provider p;
	struct st_error err;
	char *sum = NULL;
	double t0;

	reset();
	open_prov(&p, "manychat");
	mock_post("/__fault", "{\"path\": \"/fb/page/getInfo\", \"status\": 429,"
		  " \"retry_after\": 1}");
	t0 = now_s();
	ck_assert_int_eq(st_provider_test(&p, &sum, &err), 0);
	ck_assert_double_ge(now_s() - t0, 0.9);
	ck_assert_str_eq(sum, "page Inmobiliaria Sur (id 1000001)");
	ck_assert_int_eq(seen_count("/fb/page/getInfo"), 2);
	free(sum);
	st_provider_close(&p);
}
END_TEST

/* 500 every time: retried up to the bound, then a server failure. */
START_TEST(test_500_bounded)
{
	struct st_provider p;
	struct st_error err;
	char *sum = NULL;

	reset();
	open_prov(&p, "manychat");
	mock_post("/__fault", "{\"path\": \"/fb/page/getInfo\", \"status\": 500,"
		  " \"count\": 10, \"body\": {\"status\": \"error\", "
		  "\"message\": \"Internal error\"}}");
	ck_assert_int_eq(st_provider_test(&p, &sum, &err), -1);
	ck_assert_int_eq(p.failure, ST_PFAIL_SERVER);
	ck_assert_str_eq(err.message, "MANYCHAT fb/page/getInfo failed "
			 "(HTTP 500): Internal error");
	ck_assert_int_eq(seen_count("/fb/page/getInfo"), 3);
	ck_assert_ptr_null(sum);
	st_provider_close(&p);
}
END_TEST

/* A send that times out after going out: UNKNOWN, sent once only. */
START_TEST(test_send_timeout_unknown)
{
	struct st_provider p;
	struct st_send_result res;
	struct st_error err;
	char *id = NULL;
	bool created;

	reset();
	open_prov(&p, "manychat");
	ck_assert_int_eq(st_channel_contact(&p, "+5491155550001", NULL, NULL,
					    &id, &created, &err), 0);
	mock_post("/__fault", "{\"path\": \"/fb/sending/sendContent\", "
		  "\"delay_ms\": 1500, \"count\": 5}");
	p.timeout_ms = 300;
	ck_assert_int_eq(st_channel_ops("manychat")->send_text(&p, id, "Hola",
							      &res, &err), -1);
	ck_assert_int_eq(res.outcome, ST_SEND_UNKNOWN);
	ck_assert_int_eq(p.failure, ST_PFAIL_TRANSPORT);
	ck_assert(strstr(err.detail, "not repeated") != NULL);
	ck_assert_int_eq(seen_count("/fb/sending/sendContent"), 1);
	free(id);
	st_provider_close(&p);
}
END_TEST

/* A reset connection: an idempotent call is retried, a send is not. */
START_TEST(test_reset)
{
	struct st_provider p;
	struct st_send_result res;
	struct st_error err;
	char *sum = NULL;

	reset();
	open_prov(&p, "uchat");
	mock_post("/__fault", "{\"path\": \"/flow/tags\", \"reset\": true}");
	ck_assert_int_eq(st_provider_test(&p, &sum, &err), 0);
	ck_assert_int_eq(seen_count("/flow/tags"), 2);
	free(sum);
	mock_post("/__fault", "{\"path\": \"/subscriber/send-text\", "
		  "\"reset\": true}");
	ck_assert_int_eq(st_channel_ops("uchat")->send_text(&p, "f1u1", "Hola",
							   &res, &err), -1);
	ck_assert_int_eq(res.outcome, ST_SEND_UNKNOWN);
	ck_assert_int_eq(seen_count("/subscriber/send-text"), 1);
	st_provider_close(&p);
}
END_TEST

/* Malformed JSON, and ManyChat's error inside an HTTP 200. */
START_TEST(test_malformed_and_200_error)
{
	struct st_provider p;
	struct st_send_result res;
	struct st_error err;
	char *sum = NULL, *id = NULL;
	bool created;

	reset();
	open_prov(&p, "manychat");
	mock_post("/__fault", "{\"path\": \"/fb/page/getInfo\", "
		  "\"malformed\": true}");
	ck_assert_int_eq(st_provider_test(&p, &sum, &err), -1);
	ck_assert_int_eq(p.failure, ST_PFAIL_PROTOCOL);
	ck_assert_str_eq(err.message, "MANYCHAT fb/page/getInfo failed: the "
			 "response is not valid JSON (HTTP 200)");
	ck_assert_int_eq(st_channel_contact(&p, "+5491155550002", NULL, NULL,
					    &id, &created, &err), 0);
	mock_post("/__fault", "{\"path\": \"/fb/sending/sendContent\", "
		  "\"status\": 200, \"body\": {\"status\": \"error\", "
		  "\"message\": \"Subscriber has blocked the page\"}}");
	ck_assert_int_eq(st_channel_ops("manychat")->send_text(&p, id, "Hola",
							      &res, &err), -1);
	ck_assert_int_eq(res.outcome, ST_SEND_PERMANENT);
	ck_assert_int_eq(p.failure, ST_PFAIL_REFUSED);
	ck_assert(strstr(err.message, "Subscriber has blocked the page"));
	mock_post("/__fault", "{\"path\": \"/fb/sending/sendContent\", "
		  "\"status\": 400, \"body\": {\"status\": \"error\", "
		  "\"message\": \"Validation error\", \"code\": 3011}}");
	ck_assert_int_eq(st_channel_ops("manychat")->send_text(&p, id, "Hola",
							      &res, &err), -1);
	ck_assert_int_eq(res.outcome, ST_SEND_NEEDS_TEMPLATE);
	ck_assert_int_eq(res.code, 3011);
	free(id);
	st_provider_close(&p);
}
END_TEST

/* No server on the port: FAILED (nothing went out), after every attempt. */
START_TEST(test_refused)
{
	struct st_http_request req = { 0 };
	struct st_http_response r;
	struct st_error err;

	req.method = "POST";
	req.url = "http://127.0.0.1:9/x";
	req.body = "{}";
	req.body_len = 2;
	req.max_attempts = 2;
	req.backoff_ms = 5;
	ck_assert_int_eq(st_http_send(&req, &r, &err), -1);
	ck_assert_int_eq(r.outcome, ST_HTTP_FAILED);
	ck_assert_int_eq(r.attempts, 2);
	ck_assert_int_eq(err.code, ST_ECONN);
	ck_assert(strncmp(err.message, "POST http://127.0.0.1:9/x failed: ",
			  34) == 0);
	st_http_response_release(&r);
}
END_TEST

static json_t *
last_json(const char **path)
{
	json_t *a = seen();
	json_t *r = json_array_get(a, json_array_size(a) - 1);
	json_t *j = json_incref(json_object_get(r, "json"));

	if (path) {
		static char buf[128];

		snprintf(buf, sizeof(buf), "%s %s",
			 json_string_value(json_object_get(r, "method")),
			 json_string_value(json_object_get(r, "path")));
		*path = buf;
	}
	json_decref(a);
	return j;
}

static char *
dump(json_t *j)
{
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);

	json_decref(j);
	return s;
}

/* WhatsApp: text and template bodies, the wamid, the error codes. */
START_TEST(test_whatsapp)
{
	static const struct {
		long code;
		enum st_send_outcome want;
	} codes[] = {
		{ 131047, ST_SEND_NEEDS_TEMPLATE }, { 131026, ST_SEND_PERMANENT },
		{ 130429, ST_SEND_RETRY_LATER }, { 131056, ST_SEND_RETRY_LATER },
		{ 80007, ST_SEND_RETRY_LATER }, { 131053, ST_SEND_PERMANENT },
	};
	const struct st_channel_ops *ops = st_channel_ops("WhatsApp");
	const char *const params[] = { "Ana", "14:00" };
	struct st_provider p;
	struct st_send_result res;
	struct st_error err;
	const char *path;
	char *s, *id = NULL, f[256];
	bool created;

	reset();
	open_prov(&p, "whatsapp");
	ck_assert_int_eq(st_channel_contact(&p, "+5491155550000", NULL, NULL,
					    &id, &created, &err), 0);
	ck_assert_str_eq(id, "5491155550000");
	ck_assert_int_eq(ops->send_text(&p, id, "Hola", &res, &err), 0);
	ck_assert_int_eq(res.outcome, ST_SEND_OK);
	ck_assert(strncmp(res.message_id, "wamid.", 6) == 0);
	st_send_result_release(&res);
	s = dump(last_json(&path));
	ck_assert_str_eq(path, "POST /v21.0/106540352242922/messages");
	ck_assert_str_eq(s, "{\"messaging_product\":\"whatsapp\","
			 "\"recipient_type\":\"individual\",\"text\":{\"body\":"
			 "\"Hola\",\"preview_url\":false},\"to\":"
			 "\"5491155550000\",\"type\":\"text\"}");
	free(s);
	ck_assert_int_eq(ops->send_template(&p, id, "visit_reminder", "es_AR",
					    params, 2, &res, &err), 0);
	st_send_result_release(&res);
	s = dump(last_json(NULL));
	ck_assert_str_eq(s, "{\"messaging_product\":\"whatsapp\","
			 "\"recipient_type\":\"individual\",\"template\":{"
			 "\"components\":[{\"parameters\":[{\"text\":\"Ana\","
			 "\"type\":\"text\"},{\"text\":\"14:00\",\"type\":"
			 "\"text\"}],\"type\":\"body\"}],\"language\":{\"code\":"
			 "\"es_AR\"},\"name\":\"visit_reminder\"},\"to\":"
			 "\"5491155550000\",\"type\":\"template\"}");
	free(s);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		snprintf(f, sizeof(f), "{\"path\": \"/v21.0/106540352242922/"
			 "messages\", \"status\": 400, \"body\": {\"error\": {"
			 "\"message\": \"(#%ld) x\", \"type\": \"OAuthException\","
			 " \"code\": %ld, \"error_data\": {\"details\": \"d\"}}}}",
			 codes[i].code, codes[i].code);
		mock_post("/__fault", f);
		ck_assert_int_eq(ops->send_text(&p, id, "Hola", &res, &err), -1);
		ck_assert_msg(res.outcome == codes[i].want, "code %ld: %s",
			      codes[i].code, st_send_outcome_name(res.outcome));
		ck_assert_int_eq(res.code, codes[i].code);
		st_send_result_release(&res);
	}
	/* a 131047 sent once: no retry */
	ck_assert_int_eq(seen_count("/v21.0/106540352242922/messages"), 8);
	ck_assert_int_eq(st_whatsapp_outcome(0, 503), ST_SEND_RETRY_LATER);
	/* a send that failed with a 500, 502 or 504 may have gone out */
	ck_assert_int_eq(st_whatsapp_outcome(0, 500), ST_SEND_UNKNOWN);
	ck_assert_int_eq(st_whatsapp_outcome(0, 504), ST_SEND_UNKNOWN);
	free(id);
	st_provider_close(&p);
}
END_TEST

/* UChat: a 404 lookup is "none", then create and send-text. */
START_TEST(test_uchat)
{
	struct st_provider p;
	struct st_send_result res;
	struct st_error err;
	const char *path;
	char *id = NULL, *s;
	bool created;

	reset();
	open_prov(&p, "uchat");
	ck_assert_int_eq(st_channel_contact(&p, "+5491155550000", "Ana", NULL,
					    &id, &created, &err), 0);
	ck_assert(created);
	ck_assert(strncmp(id, "f1u", 3) == 0);
	s = dump(last_json(&path));
	ck_assert_str_eq(path, "POST /subscriber/create");
	ck_assert_str_eq(s, "{\"first_name\":\"Ana\",\"phone\":"
			 "\"5491155550000\"}");
	free(s);
	ck_assert_int_eq(st_channel_ops("uchat")->send_text(&p, id, "Hola",
							   &res, &err), 0);
	s = dump(last_json(&path));
	ck_assert_str_eq(path, "POST /subscriber/send-text");
	ck_assert(strstr(s, "\"text\":\"Hola\""));
	free(s);
	ck_assert_int_eq(st_channel_ops("uchat")->send_text(&p, "", "Hola",
							   &res, &err), -1);
	ck_assert_int_eq(res.outcome, ST_SEND_PERMANENT);
	ck_assert_str_eq(err.message, "UCHAT subscriber/send-text failed "
			 "(HTTP 422): The user ns field is required.");
	free(id);
	st_provider_close(&p);
}
END_TEST

/* ElevenLabs: synthesis into a file, voices, remaining, quota. */
START_TEST(test_elevenlabs)
{
	struct st_provider p;
	struct st_voice_list vl;
	struct st_error err;
	const char *path;
	char file[128], buf[64] = { 0 }, *s;
	long left, limit;
	FILE *f;

	reset();
	open_prov(&p, "elevenlabs");
	st_provider_set(&p, "voice_id", "VoiceSofia01", false);
	snprintf(file, sizeof(file), "%s/a.mp3", mock_dir);
	ck_assert_int_eq(st_voice_synthesize(&p, "Hola", NULL, NULL, NULL,
		"{\"stability\": 0.5, \"style\": null}", file, &err), 0);
	f = fopen(file, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fread(buf, 1, sizeof(buf) - 1, f), 14);
	fclose(f);
	unlink(file);
	ck_assert(memcmp(buf, "ID3", 3) == 0);
	s = dump(last_json(&path));
	ck_assert_str_eq(path, "POST /v1/text-to-speech/VoiceSofia01");
	ck_assert_str_eq(s, "{\"model_id\":\"eleven_multilingual_v2\","
			 "\"text\":\"Hola\",\"voice_settings\":{"
			 "\"stability\":0.5}}");
	free(s);
	ck_assert_int_eq(st_voice_list(&p, &vl, &err), 0);
	ck_assert_int_eq(vl.n, 2);
	ck_assert_str_eq(vl.items[1].voice_id, "VoiceMateo02");
	st_voice_list_release(&vl);
	ck_assert_int_eq(st_voice_remaining(&p, &left, &limit, &err), 0);
	ck_assert_int_eq(left, 28766);
	ck_assert_int_eq(limit, 30000);
	ck_assert_int_eq(st_voice_synthesize(&p, "Hola", "nope", NULL, NULL,
					     NULL, file, &err), -1);
	ck_assert_int_eq(p.failure, ST_PFAIL_NOTFOUND);
	ck_assert(strstr(err.message, "voice_id nope was not found"));
	mock_post("/__fault", "{\"path\": \"/v1/text-to-speech/VoiceSofia01\","
		  " \"status\": 401, \"body\": {\"detail\": {\"status\": "
		  "\"quota_exceeded\", \"message\": \"This request exceeds "
		  "your quota of 10000.\"}}}");
	ck_assert_int_eq(st_voice_synthesize(&p, "Hola", NULL, NULL, NULL,
					     NULL, file, &err), -1);
	ck_assert_int_eq(p.failure, ST_PFAIL_QUOTA);
	ck_assert_str_eq(err.message, "ELEVENLABS quota exceeded: This "
			 "request exceeds your quota of 10000.");
	ck_assert_int_eq(access(file, F_OK), -1);
	st_provider_set(&p, "api_key", "wrong", true);
	ck_assert_int_eq(st_voice_remaining(&p, &left, &limit, &err), -1);
	ck_assert_int_eq(p.failure, ST_PFAIL_AUTH);
	st_provider_close(&p);
}
END_TEST

Suite *
http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("mock");

	tcase_add_unchecked_fixture(tc, mock_start, testmock_stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_redact);
	tcase_add_test(tc, test_backoff);
	tcase_add_test(tc, test_manychat_requests);
	tcase_add_test(tc, test_429_retry_after);
	tcase_add_test(tc, test_500_bounded);
	tcase_add_test(tc, test_send_timeout_unknown);
	tcase_add_test(tc, test_reset);
	tcase_add_test(tc, test_malformed_and_200_error);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_whatsapp);
	tcase_add_test(tc, test_uchat);
	tcase_add_test(tc, test_elevenlabs);
	suite_add_tcase(s, tc);
	return s;
}
