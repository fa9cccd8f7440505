/*
 * check_send_async.c - the campaign engine's split sends: the requests
 * st_send_prepare_* build for each channel, how st_send_finish reads
 * every kind of answer, and a curl multi transfer that fails before it
 * is sent. No server is needed: the answers are made up here.
 */
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "strato/http.h"
#include "strato/send-async.h"
#include "suites.h"

static void
open_channel(struct st_provider *p, const char *name)
{
	struct st_error err;

	ck_assert_int_eq(st_provider_init(p, name, "http://127.0.0.1:9/",
					  &err), 0);
	st_provider_set(p, "phone_number_id", "1065", false);
	st_provider_set(p, strcmp(name, "WHATSAPP") == 0 ? "access_token"
			: "api_token", "tok", true);
}

/* The body of a prepared request, parsed. */
static json_t *
body_of(const struct st_send_req *r)
{
	json_t *j = json_loads(r->http.body, 0, NULL);

	ck_assert_ptr_nonnull(j);
	return j;
}

START_TEST(whatsapp_text_and_audio)
{
	struct st_provider p;
	struct st_send_req r;
	struct st_error err;
	json_t *j;

	open_channel(&p, "WHATSAPP");
	ck_assert_int_eq(st_send_prepare_text(&p, "+5491141110001", "Hola",
					      &r, &err), 0);
	ck_assert_str_eq(r.http.url,
			 "http://127.0.0.1:9/v21.0/1065/messages");
	ck_assert_str_eq(r.http.headers[0], "Authorization: Bearer tok");
	ck_assert(!r.http.idempotent);
	j = body_of(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "to")),
			 "5491141110001");
	ck_assert_str_eq(json_string_value(json_object_get(
		json_object_get(j, "text"), "body")), "Hola");
	json_decref(j);
	st_send_req_release(&r);
	ck_assert_int_eq(st_send_prepare_audio(&p, "549", "media:77", &r,
					       &err), 0);
	j = body_of(&r);
	ck_assert_str_eq(json_string_value(json_object_get(
		json_object_get(j, "audio"), "id")), "77");
	json_decref(j);
	st_send_req_release(&r);
	st_provider_close(&p);
}
END_TEST

START_TEST(manychat_and_uchat)
{
	struct st_provider p;
	struct st_send_req r;
	struct st_error err;
	json_t *j, *m;

	open_channel(&p, "MANYCHAT");
	ck_assert_int_eq(st_send_prepare_audio(&p, "9001", "https://m/a.mp3",
					       &r, &err), 0);
	ck_assert_str_eq(r.http.url,
			 "http://127.0.0.1:9/fb/sending/sendContent");
	j = body_of(&r);
	m = json_array_get(json_object_get(json_object_get(json_object_get(j,
		"data"), "content"), "messages"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(m, "type")),
			 "audio");
	ck_assert_str_eq(json_string_value(json_object_get(m, "url")),
			 "https://m/a.mp3");
	json_decref(j);
	st_send_req_release(&r);
	ck_assert_int_eq(st_send_prepare_template(&p, "9001", "t", NULL, NULL,
						  0, &r, &err), -1);
	ck_assert_int_eq(err.code, ST_EUSAGE);
	st_provider_close(&p);
	open_channel(&p, "UCHAT");
	ck_assert_int_eq(st_send_prepare_text(&p, "f1u9", "Hola", &r, &err),
			 0);
	ck_assert_str_eq(r.http.url, "http://127.0.0.1:9/subscriber/send-text");
	j = body_of(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "user_ns")),
			 "f1u9");
	json_decref(j);
	st_send_req_release(&r);
	st_provider_close(&p);
}
END_TEST

/* st_send_finish of a made-up answer: its return and outcome. */
static int
finish(const char *provider, long status, const char *body,
       enum st_http_outcome o, struct st_send_result *res)
{
	struct st_http_response resp;
	struct st_error err;

	memset(&resp, 0, sizeof(resp));
	resp.outcome = o;
	resp.status = status;
	resp.body = (char *)body;
	resp.len = body ? strlen(body) : 0;
	return st_send_finish(provider, &resp, res, &err);
}

START_TEST(answers)
{
	static const struct {
		const char *provider;
		long status;
		const char *body;
		enum st_http_outcome o;
		int ret;
		enum st_send_outcome outcome;
	} cases[] = {
		{ "WHATSAPP", 200, "{\"messages\":[{\"id\":\"wamid.X\"}]}",
		  ST_HTTP_DONE, 0, ST_SEND_OK },
		{ "WHATSAPP", 400, "{\"error\":{\"code\":131047}}",
		  ST_HTTP_DONE, -1, ST_SEND_NEEDS_TEMPLATE },
		{ "WHATSAPP", 400, "{\"error\":{\"code\":131026}}",
		  ST_HTTP_DONE, -1, ST_SEND_PERMANENT },
		{ "WHATSAPP", 400, "{\"error\":{\"code\":130429}}",
		  ST_HTTP_DONE, -1, ST_SEND_RETRY_LATER },
		{ "WHATSAPP", 500, "oops", ST_HTTP_DONE, -1, ST_SEND_UNKNOWN },
		{ "WHATSAPP", 503, "oops", ST_HTTP_DONE, -1,
		  ST_SEND_RETRY_LATER },
		{ "WHATSAPP", 200, "{\"mess", ST_HTTP_DONE, -1,
		  ST_SEND_UNKNOWN },
		{ "MANYCHAT", 200, "{\"status\":\"success\"}", ST_HTTP_DONE, 0,
		  ST_SEND_OK },
		{ "MANYCHAT", 200, "{\"status\":\"error\",\"code\":3011}",
		  ST_HTTP_DONE, -1, ST_SEND_NEEDS_TEMPLATE },
		{ "MANYCHAT", 200, "{\"status\":\"error\",\"message\":\"x\"}",
		  ST_HTTP_DONE, -1, ST_SEND_PERMANENT },
		{ "MANYCHAT", 429, "{}", ST_HTTP_DONE, -1,
		  ST_SEND_RETRY_LATER },
		{ "UCHAT", 200, "{\"status\":\"ok\"}", ST_HTTP_DONE, 0,
		  ST_SEND_OK },
		{ "UCHAT", 422, "{\"message\":\"bad\"}", ST_HTTP_DONE, -1,
		  ST_SEND_PERMANENT },
		{ "UCHAT", 0, NULL, ST_HTTP_FAILED, -1, ST_SEND_RETRY_LATER },
		{ "UCHAT", 0, NULL, ST_HTTP_UNKNOWN, -1, ST_SEND_UNKNOWN },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct st_send_result res;

		ck_assert_msg(finish(cases[i].provider, cases[i].status,
				     cases[i].body, cases[i].o, &res) ==
			      cases[i].ret, "case %zu: return", i);
		ck_assert_msg(res.outcome == cases[i].outcome,
			      "case %zu: outcome %s", i,
			      st_send_outcome_name(res.outcome));
		if (i == 0)
			ck_assert_str_eq(res.message_id, "wamid.X");
		st_send_result_release(&res);
	}
}
END_TEST

/* Nothing listens on port 1: the request never left, so FAILED. */
START_TEST(multi_refused)
{
	struct st_http_multi *m = st_http_multi_new(4);
	struct st_http_request req = { 0 };
	struct st_http_response resp;
	struct st_error err;
	int tag = 7, got = 0;
	void *back = NULL;

	req.method = "POST";
	req.url = "http://127.0.0.1:1/x";
	req.body = "{}";
	req.body_len = 2;
	st_http_multi_add(m, &req, &tag);
	ck_assert_uint_eq(st_http_multi_running(m), 1);
	for (int i = 0; i < 50 && !got; i++)
		got = st_http_multi_next(m, 100, &back, &resp, &err);
	ck_assert_int_eq(got, 1);
	ck_assert_ptr_eq(back, &tag);
	ck_assert_int_eq(resp.outcome, ST_HTTP_FAILED);
	ck_assert_int_eq(err.code, ST_ECONN);
	ck_assert_uint_eq(st_http_multi_running(m), 0);
	st_http_response_release(&resp);
	st_http_multi_free(m);
}
END_TEST

Suite *
send_async_suite(void)
{
	Suite *s = suite_create("send_async");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, whatsapp_text_and_audio);
	tcase_add_test(tc, manychat_and_uchat);
	tcase_add_test(tc, answers);
	tcase_add_test(tc, multi_refused);
	suite_add_tcase(s, tc);
	return s;
}
