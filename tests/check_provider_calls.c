/*
 * check_provider_calls.c - the channel calls beyond text against the mock
 * provider (tests/mock-provider/mock.py, started for the suite): media by
 * link, contact fields and tags, the WhatsApp media upload. Each test
 * asserts the exact request the mock recorded (method, path, auth header,
 * JSON body) and the outcome of the injected faults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "providers/provider-internal.h"
#include "strato/http.h"
#include "strato/provider.h"
#include "suites.h"
#include "testmock.h"

#define MC_TOKEN "1000001:mcCallsKey0123"
#define WA_TOKEN "EAAGwaCalls0123"
#define UC_TOKEN "ucCalls0123"
#define WA_PATH "/v21.0/106540352242922"

static void
mock_start(void)
{
	static const char *const tokens[] = {
		"manychat=" MC_TOKEN,
		"whatsapp=" WA_TOKEN,
		"uchat=" UC_TOKEN,
		NULL,
	};

	testmock_start(tokens);
}

static void
fault(const char *body)
{
	json_decref(mock_call("POST", "/__fault", body));
}

static void
open_prov(struct st_provider *p, const char *name)
{
	struct st_error err;

	json_decref(mock_call("POST", "/__reset", NULL));
	ck_assert_int_eq(st_provider_init(p, name, mock_url, &err), 0);
	p->backoff_ms = 10;
	p->max_attempts = 3;
	p->timeout_ms = 5000;
	if (strcmp(p->name, "MANYCHAT") == 0) {
		st_provider_set(p, "api_token", MC_TOKEN, true);
	} else if (strcmp(p->name, "UCHAT") == 0) {
		st_provider_set(p, "api_token", UC_TOKEN, true);
	} else {
		st_provider_set(p, "access_token", WA_TOKEN, true);
		st_provider_set(p, "phone_number_id", "106540352242922",
				false);
	}
}

/* The contact of the test's lead on p's channel (free it). */
static char *
contact(struct st_provider *p)
{
	struct st_error err;
	char *id = NULL;
	bool created;

	ck_assert_int_eq(st_channel_contact(p, "+5491155550000", "Ana", NULL,
					    &id, &created, &err), 0);
	ck_assert_ptr_nonnull(id);
	return id;
}

/* How many requests the mock saw to path. */
static size_t
seen_count(const char *path)
{
	json_t *a = mock_call("GET", "/__requests", NULL), *r;
	size_t i, n = 0;

	json_array_foreach(a, i, r)
		n += strcmp(json_string_value(json_object_get(r, "path")),
			    path) == 0;
	json_decref(a);
	return n;
}

/*
 * The last request: "METHOD PATH", its Authorization header and its JSON
 * body with sorted keys must be these.
 */
static void
expect_last(const char *method_path, const char *auth, const char *json)
{
	json_t *a = mock_call("GET", "/__requests", NULL);
	json_t *r = json_array_get(a, json_array_size(a) - 1);
	json_t *h = json_object_get(r, "headers");
	char mp[256], *s;

	ck_assert_ptr_nonnull(r);
	snprintf(mp, sizeof(mp), "%s %s",
		 json_string_value(json_object_get(r, "method")),
		 json_string_value(json_object_get(r, "path")));
	ck_assert_str_eq(mp, method_path);
	ck_assert_str_eq(json_string_value(json_object_get(h,
		"Authorization")), auth);
	ck_assert_str_eq(json_string_value(json_object_get(h, "Accept")),
			 "application/json");
	if (json) {
		ck_assert_str_eq(json_string_value(json_object_get(h,
			"Content-Type")), "application/json");
		s = json_dumps(json_object_get(r, "json"), JSON_SORT_KEYS |
			       JSON_COMPACT);
		ck_assert_str_eq(s, json);
		free(s);
	}
	json_decref(a);
}

/* send_media through the wrapper, which must say ok. */
static void
media_ok(struct st_provider *p, const char *to, enum st_media_kind k,
	 const char *url, const char *caption)
{
	struct st_send_result res;
	struct st_error err;

	ck_assert_msg(st_channel_send_media(p, to, k, url, caption, &res,
					    &err) == 0, "%s", err.message);
	ck_assert_int_eq(res.outcome, ST_SEND_OK);
	st_send_result_release(&res);
}

#define MC_AUTH "Bearer " MC_TOKEN
#define MC_SEND "POST /fb/sending/sendContent"
#define MC_DATA(msgs) "{\"data\":{\"content\":{\"messages\":[" msgs "]," \
	"\"type\":\"whatsapp\"},\"version\":\"v2\"},\"subscriber_id\":" \
	"\"900000001\"}"

/* ManyChat: sendContent with each kind of media, fields and tags. */
START_TEST(test_manychat)
{
	struct st_provider p;
	struct st_error err;
	char *id;

	open_prov(&p, "manychat");
	id = contact(&p);
	media_ok(&p, id, ST_MEDIA_IMAGE, "https://cdn.example/p/1.jpg",
		 "Living de 30 m²");
	expect_last(MC_SEND, MC_AUTH, MC_DATA(
		"{\"type\":\"image\",\"url\":\"https://cdn.example/p/1.jpg\"},"
		"{\"text\":\"Living de 30 m²\",\"type\":\"text\"}"));
	media_ok(&p, id, ST_MEDIA_AUDIO, "https://cdn.example/a.mp3", NULL);
	expect_last(MC_SEND, MC_AUTH, MC_DATA(
		"{\"type\":\"audio\",\"url\":\"https://cdn.example/a.mp3\"}"));
	media_ok(&p, id, ST_MEDIA_FILE, "https://cdn.example/ficha.pdf", "");
	expect_last(MC_SEND, MC_AUTH, MC_DATA(
		"{\"type\":\"file\","
		"\"url\":\"https://cdn.example/ficha.pdf\"}"));
	media_ok(&p, id, ST_MEDIA_VIDEO, "https://cdn.example/tour.mp4", NULL);
	expect_last(MC_SEND, MC_AUTH, MC_DATA(
		"{\"type\":\"video\","
		"\"url\":\"https://cdn.example/tour.mp4\"}"));
	ck_assert_int_eq(st_channel_set_field(&p, id, "presupuesto", "150000",
					      &err), 0);
	expect_last("POST /fb/subscriber/setCustomFieldByName", MC_AUTH,
		    "{\"field_name\":\"presupuesto\","
		    "\"field_value\":\"150000\","
		    "\"subscriber_id\":\"900000001\"}");
	ck_assert_int_eq(st_channel_add_tag(&p, id, "caliente", &err), 0);
	expect_last("POST /fb/subscriber/addTagByName", MC_AUTH,
		    "{\"subscriber_id\":\"900000001\",\"tag_name\":"
		    "\"caliente\"}");
	ck_assert_int_eq(st_channel_remove_tag(&p, id, "caliente", &err), 0);
	expect_last("POST /fb/subscriber/removeTagByName", MC_AUTH,
		    "{\"subscriber_id\":\"900000001\",\"tag_name\":"
		    "\"caliente\"}");
	/* the mock refuses an unknown subscriber as ManyChat does */
	ck_assert_int_eq(st_channel_add_tag(&p, "42", "x", &err), -1);
	ck_assert_int_eq(p.failure, ST_PFAIL_REFUSED);
	ck_assert_str_eq(err.message, "MANYCHAT fb/subscriber/addTagByName "
			 "failed (HTTP 400): Subscriber does not exist");
	ck_assert_int_eq(st_channel_set_field(&p, id, "", "x", &err), -1);
	ck_assert_int_eq(err.code, ST_EUSAGE);
	free(id);
	st_provider_close(&p);
}
END_TEST

#define UC_AUTH "Bearer " UC_TOKEN

/* UChat: send-content v1, the PUT field setter, tags by name. */
START_TEST(test_uchat)
{
	struct st_provider p;
	struct st_error err;
	char *id, want[512];

	open_prov(&p, "uchat");
	id = contact(&p);
	media_ok(&p, id, ST_MEDIA_IMAGE, "https://cdn.example/p/1.jpg",
		 "Frente");
	snprintf(want, sizeof(want), "{\"data\":{\"content\":{\"messages\":["
		 "{\"type\":\"image\",\"url\":\"https://cdn.example/p/1.jpg\"},"
		 "{\"text\":\"Frente\",\"type\":\"text\"}]},"
		 "\"version\":\"v1\"},"
		 "\"user_ns\":\"%s\"}", id);
	expect_last("POST /subscriber/send-content", UC_AUTH, want);
	media_ok(&p, id, ST_MEDIA_FILE, "https://cdn.example/ficha.pdf", NULL);
	snprintf(want, sizeof(want), "{\"data\":{\"content\":{\"messages\":["
		 "{\"type\":\"file\",\"url\":\"https://cdn.example/ficha.pdf\"}"
		 "]},\"version\":\"v1\"},\"user_ns\":\"%s\"}", id);
	expect_last("POST /subscriber/send-content", UC_AUTH, want);
	ck_assert_int_eq(st_channel_set_field(&p, id, "zona", "Palermo", &err),
			 0);
	snprintf(want, sizeof(want), "{\"field_name\":\"zona\",\"user_ns\":"
		 "\"%s\",\"value\":\"Palermo\"}", id);
	expect_last("PUT /subscriber/set-user-field-by-name", UC_AUTH, want);
	ck_assert_int_eq(st_channel_add_tag(&p, id, "caliente", &err), 0);
	snprintf(want, sizeof(want), "{\"tag_name\":\"caliente\",\"user_ns\":"
		 "\"%s\"}", id);
	expect_last("POST /subscriber/add-tag-by-name", UC_AUTH, want);
	ck_assert_int_eq(st_channel_remove_tag(&p, id, "caliente", &err), 0);
	expect_last("POST /subscriber/remove-tag-by-name", UC_AUTH, want);
	/* the unconfirmed tag endpoint is a setting */
	st_provider_set(&p, "add_tag_path", "/subscriber/add-tag", false);
	ck_assert_int_eq(st_channel_add_tag(&p, id, "caliente", &err), -1);
	ck_assert_int_eq(p.failure, ST_PFAIL_NOTFOUND);
	expect_last("POST /subscriber/add-tag", UC_AUTH, want);
	/* an empty user_ns: UChat's 422 by field */
	ck_assert_int_eq(st_channel_set_field(&p, "", "zona", "x", &err), -1);
	ck_assert_int_eq(p.failure, ST_PFAIL_REFUSED);
	ck_assert_str_eq(err.message, "UCHAT subscriber/set-user-field-by-name"
			 " failed (HTTP 422): The user ns field is required.");
	free(id);
	st_provider_close(&p);
}
END_TEST

#define WA_AUTH "Bearer " WA_TOKEN
#define WA_SEND "POST " WA_PATH "/messages"
#define WA_MSG(type, obj) "{\"" type "\":" obj ",\"messaging_product\":" \
	"\"whatsapp\",\"recipient_type\":\"individual\",\"to\":" \
	"\"5491155550000\",\"type\":\"" type "\"}"

/* WhatsApp: link or media id per kind; no fields, no tags. */
START_TEST(test_whatsapp)
{
	struct st_provider p;
	struct st_send_result res;
	struct st_error err;
	char *id;

	open_prov(&p, "whatsapp");
	id = contact(&p);
	media_ok(&p, id, ST_MEDIA_IMAGE, "https://cdn.example/p/1.jpg",
		 "Frente");
	expect_last(WA_SEND, WA_AUTH, WA_MSG("image", "{\"caption\":\"Frente\","
		    "\"link\":\"https://cdn.example/p/1.jpg\"}"));
	media_ok(&p, id, ST_MEDIA_AUDIO, "https://cdn.example/a.mp3", NULL);
	expect_last(WA_SEND, WA_AUTH, WA_MSG("audio",
		    "{\"link\":\"https://cdn.example/a.mp3\"}"));
	media_ok(&p, id, ST_MEDIA_FILE, "https://cdn.example/f/ficha%20PAL3.pdf"
		 "?v=2", "La ficha");
	expect_last(WA_SEND, WA_AUTH, WA_MSG("document", "{\"caption\":"
		    "\"La ficha\",\"filename\":\"ficha%20PAL3.pdf\",\"link\":"
		    "\"https://cdn.example/f/ficha%20PAL3.pdf?v=2\"}"));
	media_ok(&p, id, ST_MEDIA_VIDEO, "media:1013859600285441", NULL);
	expect_last(WA_SEND, WA_AUTH, "{\"messaging_product\":\"whatsapp\","
		    "\"recipient_type\":\"individual\","
		    "\"to\":\"5491155550000\",\"type\":\"video\","
		    "\"video\":{\"id\":\"1013859600285441\"}}");
	media_ok(&p, id, ST_MEDIA_FILE, "media:77", NULL);
	expect_last(WA_SEND, WA_AUTH, WA_MSG("document", "{\"id\":\"77\"}"));
	/* audio takes no caption: refused before anything is sent */
	ck_assert_int_eq(st_channel_send_media(&p, id, ST_MEDIA_AUDIO,
		"https://cdn.example/a.mp3", "hola", &res, &err), -1);
	ck_assert_int_eq(err.code, ST_EUSAGE);
	ck_assert_int_eq(res.outcome, ST_SEND_PERMANENT);
	ck_assert_int_eq(seen_count(WA_PATH "/messages"), 5);
	ck_assert_int_eq(st_channel_set_field(&p, id, "zona", "x", &err), -1);
	ck_assert_int_eq(err.code, ST_EUSAGE);
	ck_assert_str_eq(err.message, "WhatsApp has no contact fields");
	ck_assert_int_eq(st_channel_add_tag(&p, id, "x", &err), -1);
	ck_assert_str_eq(err.message, "WhatsApp has no tags");
	ck_assert_int_eq(st_channel_remove_tag(&p, id, "x", &err), -1);
	ck_assert_int_eq(err.code, ST_EUSAGE);
	ck_assert_int_eq(st_media_kind_parse("FILE"), ST_MEDIA_FILE);
	ck_assert_int_eq(st_media_kind_parse("gif"), -1);
	free(id);
	st_provider_close(&p);
}
END_TEST

/* The form the mock decoded from the last upload (json_decref). */
static json_t *
last_form(const char **ctype)
{
	json_t *a = mock_call("GET", "/__requests", NULL);
	json_t *r = json_array_get(a, json_array_size(a) - 1);
	json_t *f = json_incref(json_object_get(r, "form"));
	static char ct[160];

	ck_assert_str_eq(json_string_value(json_object_get(r, "path")),
			 WA_PATH "/media");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r,
		"headers"), "Authorization")), WA_AUTH);
	snprintf(ct, sizeof(ct), "%s", json_string_value(json_object_get(
		json_object_get(r, "headers"), "Content-Type")));
	*ctype = ct;
	json_decref(a);
	ck_assert_ptr_nonnull(f);
	return f;
}

/* The multipart upload, with and without the type field; 131053. */
START_TEST(test_whatsapp_upload)
{
	static const char audio[] = "OggS\0\2fake opus voice note";
	struct st_provider p;
	struct st_error err;
	char path[128], *mid = NULL, *s;
	const char *ct;
	json_t *f;
	FILE *o;

	snprintf(path, sizeof(path), "%s/a.ogg", mock_dir);
	ck_assert_ptr_nonnull(o = fopen(path, "wb"));
	ck_assert_int_eq(fwrite(audio, 1, sizeof(audio) - 1, o),
			 sizeof(audio) - 1);
	fclose(o);
	open_prov(&p, "whatsapp");
	ck_assert_msg(st_whatsapp_upload_media(&p, path, "audio/ogg", &mid,
					       &err) == 0, "%s", err.message);
	ck_assert_ptr_nonnull(mid);
	f = last_form(&ct);
	ck_assert(strncmp(ct, "multipart/form-data; boundary=strato-",
			  37) == 0);
	s = json_dumps(f, JSON_SORT_KEYS | JSON_COMPACT);
	ck_assert_str_eq(s, "{\"file\":{\"content_type\":\"audio/ogg\","
			 "\"filename\":\"a.ogg\",\"size\":26},"
			 "\"messaging_product\":\"whatsapp\",\"type\":"
			 "\"audio/ogg\"}");
	free(s);
	json_decref(f);
	free(mid);
	st_provider_set(&p, "media_type_field", "no", false);
	ck_assert_int_eq(st_whatsapp_upload_media(&p, path, "audio/ogg", &mid,
						  &err), 0);
	f = last_form(&ct);
	ck_assert_ptr_null(json_object_get(f, "type"));
	ck_assert_str_eq(json_string_value(json_object_get(f,
		"messaging_product")), "whatsapp");
	json_decref(f);
	free(mid);
	/* the type Meta refuses for voice notes */
	ck_assert_int_eq(st_whatsapp_upload_media(&p, path, "audio/opus", &mid,
						  &err), -1);
	ck_assert_ptr_null(mid);
	ck_assert_int_eq(p.failure, ST_PFAIL_REFUSED);
	ck_assert_int_eq(p.code, 131053);
	ck_assert(strstr(err.message, "Media upload error"));
	ck_assert_int_eq(st_whatsapp_upload_media(&p, "/nonexistent/x.ogg",
		"audio/ogg", &mid, &err), -1);
	ck_assert_int_eq(err.code, ST_EIO);
	ck_assert_int_eq(st_whatsapp_upload_media(&p, path, "", &mid, &err),
			 -1);
	ck_assert_int_eq(err.code, ST_EUSAGE);
	st_provider_close(&p);
}
END_TEST

/* Send one image on channel name, the contact made first. */
static int
send_image(struct st_provider *p, const char *name, char **id,
	   struct st_send_result *res, struct st_error *err)
{
	if (!*id) {
		open_prov(p, name);
		*id = contact(p);
	}
	st_send_result_release(res);
	return st_channel_send_media(p, *id, ST_MEDIA_IMAGE,
				     "https://cdn.example/1.jpg", NULL, res,
				     err);
}

/*
 * The faults on send_media, every channel: 429 + Retry-After retried,
 * 500 UNKNOWN and not retried, malformed JSON a protocol error.
 */
START_TEST(test_media_faults)
{
	static const char *const names[] = { "manychat", "uchat", "whatsapp" };
	static const char *const paths[] = { "/fb/sending/sendContent",
		"/subscriber/send-content", WA_PATH "/messages" };
	const char *name = names[_i], *path = paths[_i];
	struct st_provider p;
	struct st_send_result res = { 0 };
	struct st_error err;
	char f[256], *id = NULL;

	ck_assert_int_eq(send_image(&p, name, &id, &res, &err), 0);
	snprintf(f, sizeof(f), "{\"path\": \"%s\", \"status\": 429, "
		 "\"retry_after\": 1}", path);
	fault(f);
	ck_assert_int_eq(send_image(&p, name, &id, &res, &err), 0);
	ck_assert_int_eq(res.outcome, ST_SEND_OK);
	ck_assert_int_eq(seen_count(path), 3);
	snprintf(f, sizeof(f), "{\"path\": \"%s\", \"status\": 500, \"count\":"
		 " 5}", path);
	fault(f);
	ck_assert_int_eq(send_image(&p, name, &id, &res, &err), -1);
	ck_assert_int_eq(res.outcome, ST_SEND_UNKNOWN);
	ck_assert_int_eq(p.failure, ST_PFAIL_SERVER);
	ck_assert_int_eq(seen_count(path), 4);
	json_decref(mock_call("POST", "/__reset", NULL));
	snprintf(f, sizeof(f), "{\"path\": \"%s\", \"malformed\": true}",
		 path);
	fault(f);
	ck_assert_int_eq(send_image(&p, name, &id, &res, &err), -1);
	ck_assert_int_eq(p.failure, ST_PFAIL_PROTOCOL);
	ck_assert_int_eq(res.outcome, ST_SEND_UNKNOWN);
	ck_assert(strstr(err.message, "the response is not valid JSON"));
	st_send_result_release(&res);
	free(id);
	st_provider_close(&p);
}
END_TEST

/* ManyChat's refusal inside a 200; faults on the field and tag calls. */
START_TEST(test_command_faults)
{
	struct st_provider p;
	struct st_send_result res = { 0 };
	struct st_error err;
	char *id = NULL;

	ck_assert_int_eq(send_image(&p, "manychat", &id, &res, &err), 0);
	fault("{\"path\": \"/fb/sending/sendContent\", \"status\": 200, "
	      "\"body\": {\"status\": \"error\", \"message\": "
	      "\"Subscriber has blocked the page\"}}");
	ck_assert_int_eq(send_image(&p, "manychat", &id, &res, &err), -1);
	ck_assert_int_eq(p.failure, ST_PFAIL_REFUSED);
	ck_assert_int_eq(res.outcome, ST_SEND_PERMANENT);
	ck_assert_str_eq(err.message, "MANYCHAT fb/sending/sendContent failed "
			 "(HTTP 200): Subscriber has blocked the page");
	fault("{\"path\": \"/fb/subscriber/addTagByName\", \"status\": 200, "
	      "\"body\": {\"status\": \"error\", \"message\": \"Tag not "
	      "found\"}}");
	ck_assert_int_eq(st_channel_add_tag(&p, id, "x", &err), -1);
	ck_assert_int_eq(p.failure, ST_PFAIL_REFUSED);
	/* a field or tag is the same when set twice: 500 is retried */
	fault("{\"path\": \"/fb/subscriber/setCustomFieldByName\", "
	      "\"status\": 500}");
	ck_assert_int_eq(st_channel_set_field(&p, id, "zona", "Palermo",
					      &err), 0);
	ck_assert_int_eq(seen_count("/fb/subscriber/setCustomFieldByName"), 2);
	fault("{\"path\": \"/fb/subscriber/setCustomFieldByName\", "
	      "\"status\": 429, \"retry_after\": 1}");
	ck_assert_int_eq(st_channel_set_field(&p, id, "zona", "Palermo",
					      &err), 0);
	ck_assert_int_eq(seen_count("/fb/subscriber/setCustomFieldByName"), 4);
	fault("{\"path\": \"/fb/subscriber/removeTagByName\", "
	      "\"malformed\": true}");
	ck_assert_int_eq(st_channel_remove_tag(&p, id, "x", &err), -1);
	ck_assert_int_eq(p.failure, ST_PFAIL_PROTOCOL);
	st_send_result_release(&res);
	free(id);
	st_provider_close(&p);
}
END_TEST

/* A raw call the library never makes: the provider's error shape. */
static json_t *
raw(struct st_provider *p, const char *method, const char *path,
    const char *body, long want_status)
{
	struct st_http_response r;
	struct st_error err;
	json_t *b = json_loads(body, 0, NULL), *j;

	ck_assert_int_eq(st_provider_call(p, method, path, NULL, b, true, &r,
					  &err), 0);
	ck_assert_int_eq(r.status, want_status);
	j = json_loads(r.body, 0, NULL);
	ck_assert_ptr_nonnull(j);
	json_decref(b);
	st_http_response_release(&r);
	return j;
}

static void
expect_raw(struct st_provider *p, const char *method, const char *path,
	   const char *body, long status, const char *want)
{
	json_t *j = raw(p, method, path, body, status);
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);

	ck_assert_msg(strstr(s, want) != NULL, "%s %s: %s", method, path, s);
	free(s);
	json_decref(j);
}

/* The mock checks required fields as the providers do. */
START_TEST(test_mock_validation)
{
	struct st_provider p;
	char *id;

	open_prov(&p, "uchat");
	expect_raw(&p, "PUT", "/subscriber/set-user-field-by-name",
		   "{\"user_ns\":\"f1u1\",\"field_name\":\"zona\","
		   "\"field_value\":\"x\"}", 422,
		   "The value field is required.");
	expect_raw(&p, "POST", "/subscriber/set-user-field-by-name",
		   "{\"user_ns\":\"f1u1\",\"field_name\":\"zona\","
		   "\"value\":\"x\"}",
		   405, "Supported methods: PUT.");
	expect_raw(&p, "POST", "/subscriber/send-content", "{\"user_ns\":"
		   "\"f1u1\",\"data\":{\"version\":\"v2\","
		   "\"content\":{}}}", 422,
		   "The selected data.version is invalid.");
	st_provider_close(&p);
	open_prov(&p, "manychat");
	id = contact(&p);
	expect_raw(&p, "POST", "/fb/sending/sendContent", "{\"subscriber_id\":"
		   "\"900000001\",\"data\":{\"version\":\"v2\",\"content\":{"
		   "\"messages\":[{\"type\":\"image\"}]}}}", 400,
		   "\"details\":{\"messages\":[{\"message\":\"messages.0.url "
		   "must be a valid URL\"}]},\"message\":\"Validation error\"");
	free(id);
	st_provider_close(&p);
	open_prov(&p, "whatsapp");
	expect_raw(&p, "POST", WA_PATH "/messages", "{\"messaging_product\":"
		   "\"whatsapp\",\"to\":\"54911\",\"type\":\"audio\","
		   "\"audio\":{"
		   "\"link\":\"https://a/x.mp3\",\"caption\":\"c\"}}", 400,
		   "\"details\":\"Param audio['caption'] is not a valid "
		   "parameter\"");
	expect_raw(&p, "POST", WA_PATH "/messages", "{\"messaging_product\":"
		   "\"whatsapp\",\"to\":\"54911\",\"type\":\"image\","
		   "\"image\":{"
		   "\"link\":\"https://a/x.jpg\",\"id\":\"1\"}}", 400,
		   "\"code\":100");
	expect_raw(&p, "POST", WA_PATH "/media", "{}", 400,
		   "The parameter messaging_product is required.");
	st_provider_close(&p);
}
END_TEST

Suite *
provider_calls_suite(void)
{
	Suite *s = suite_create("provider_calls");
	TCase *tc = tcase_create("mock");

	tcase_add_unchecked_fixture(tc, mock_start, testmock_stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_manychat);
	tcase_add_test(tc, test_uchat);
	tcase_add_test(tc, test_whatsapp);
	tcase_add_test(tc, test_whatsapp_upload);
	tcase_add_loop_test(tc, test_media_faults, 0, 3);
	tcase_add_test(tc, test_command_faults);
	tcase_add_test(tc, test_mock_validation);
	suite_add_tcase(s, tc);
	return s;
}
