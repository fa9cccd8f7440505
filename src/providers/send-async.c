/*
 * send-async.c - a channel send split in two for curl multi: build the
 * request (st_send_prepare_*), and read what came back (st_send_finish).
 *
 * The synchronous clients (manychat.c, uchat.c, whatsapp.c) send one
 * message per call; the campaign engine keeps many in flight on one
 * multi handle, so it needs the request without the call. The bodies
 * are those of the synchronous clients and the answers are read by the
 * same rules: WhatsApp by its error code (st_whatsapp_outcome), ManyChat
 * by "status" (errors may come with HTTP 200; 3011 and 3031 mean the
 * 24-hour window is closed), UChat by "status". A send that failed after
 * its request went out, or with a 500, 502 or 504, is UNKNOWN: the
 * provider may have acted, so it is never resent blindly.
 */
#include <stdlib.h>
#include <string.h>

#include "provider-internal.h"
#include "strato/send-async.h"
#include "strato/util.h"

/*
 * Free what a prepared send holds, the auth header wiped; a zeroed one is
 * fine.
 */
void
st_send_req_release(struct st_send_req *r)
{
	if (!r)
		return;
	st_free_secret(r->auth);
	free(r->url);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* The auth header of a channel; NULL with err when the secret is unset. */
static char *
channel_auth(struct st_provider *p, struct st_error *err)
{
	bool wa = strcmp(p->name, "WHATSAPP") == 0;
	const char *v = st_provider_secret(p, wa ? "access_token"
					       : "api_token");

	if (!v) {
		st_error_set(err, ST_ESTATE, "the %s %s is not set", p->name,
			     wa ? "access_token" : "api_token");
		return NULL;
	}
	return st_xasprintf("Authorization: Bearer %s", v);
}

/* Fill r for a POST of body to path under the provider's base URL. */
static int
prepare(struct st_provider *p, const char *path, json_t *body,
	struct st_send_req *r, struct st_error *err)
{
	struct st_http_request *h = &r->http;

	memset(r, 0, sizeof(*r));
	if (!(r->auth = channel_auth(p, err)))
		return -1;
	r->url = st_xasprintf("%s%s", p->base_url, path);
	r->body = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	h->method = "POST";
	h->url = r->url;
	h->headers[h->nheaders++] = r->auth;
	h->headers[h->nheaders++] = "Accept: application/json";
	h->headers[h->nheaders++] = "Content-Type: application/json";
	h->body = r->body;
	h->body_len = strlen(r->body);
	h->timeout_ms = p->timeout_ms;
	h->connect_timeout_ms = p->connect_timeout_ms;
	h->ca_bundle = p->ca_bundle;
	h->idempotent = false;
	r->provider = p->name;
	return 0;
}

/* "/v21.0/<phone_number_id>/messages", or NULL when the id is unset. */
static char *
wa_messages_path(struct st_provider *p, struct st_error *err)
{
	const char *ver = st_provider_conf(p, "api_version");
	const char *id = st_provider_conf(p, "phone_number_id");

	if (!id || !*id) {
		st_error_set(err, ST_ESTATE, "the WHATSAPP phone_number_id is "
			     "not set");
		return NULL;
	}
	return st_xasprintf("/%s/%s/messages", ver && *ver ? ver : "v21.0",
			    id);
}

/* The message part of each channel's body, posted where it goes. */
static int
prepare_message(struct st_provider *p, const char *contact, json_t *msg,
		struct st_send_req *r, struct st_error *err)
{
	json_t *body = NULL;
	char *path = NULL;
	int ret = -1;

	if (strcmp(p->name, "WHATSAPP") == 0) {
		const char *type = json_string_value(json_object_get(msg,
								     "type"));

		if (!(path = wa_messages_path(p, err)))
			goto cleanup;
		body = json_pack("{s:s, s:s, s:s, s:s, s:O}",
				 "messaging_product", "whatsapp",
				 "recipient_type", "individual",
				 "to", contact[0] == '+' ? contact + 1 : contact,
				 "type", type, type,
				 json_object_get(msg, "payload"));
	} else if (strcmp(p->name, "MANYCHAT") == 0) {
		path = st_xstrdup("/fb/sending/sendContent");
		body = json_pack("{s:s, s:{s:s, s:{s:s, s:[O]}}}",
				 "subscriber_id", contact, "data", "version",
				 "v2", "content", "type", "whatsapp",
				 "messages", json_object_get(msg, "content"));
	} else {
		path = st_xstrdup("/subscriber/send-content");
		body = json_pack("{s:s, s:{s:s, s:{s:[O]}}}", "user_ns",
				 contact, "data", "version", "v1", "content",
				 "messages", json_object_get(msg, "content"));
	}
	ret = prepare(p, path, body, r, err);
cleanup:
	json_decref(body);
	free(path);
	return ret;
}

/*
 * Prepare a text message to contact (a WhatsApp number, a ManyChat
 * subscriber id or a UChat user_ns). UChat takes text on send-text.
 */
int
st_send_prepare_text(struct st_provider *p, const char *contact,
		     const char *text, struct st_send_req *r,
		     struct st_error *err)
{
	json_t *msg = NULL, *body = NULL;
	int ret;

	if (strcmp(p->name, "UCHAT") == 0) {
		body = json_pack("{s:s, s:s}", "user_ns", contact, "text",
				 text);
		ret = prepare(p, "/subscriber/send-text", body, r, err);
		json_decref(body);
		return ret;
	}
	msg = json_pack("{s:s, s:{s:s, s:b}, s:{s:s, s:s}}", "type", "text",
			"payload", "body", text, "preview_url", 0,
			"content", "type", "text", "text", text);
	ret = prepare_message(p, contact, msg, r, err);
	json_decref(msg);
	return ret;
}

/*
 * Prepare an audio message by link (url must be reachable by the
 * provider): a WhatsApp audio object, a ManyChat or UChat audio block.
 * On WhatsApp "media:<id>" sends an uploaded media id instead.
 */
int
st_send_prepare_audio(struct st_provider *p, const char *contact,
		      const char *url, struct st_send_req *r,
		      struct st_error *err)
{
	bool id = strncmp(url, "media:", 6) == 0;
	json_t *msg = json_pack("{s:s, s:{s:s}, s:{s:s, s:s}}", "type",
				"audio", "payload", id ? "id" : "link",
				id ? url + 6 : url, "content", "type", "audio",
				"url", url);
	int ret = prepare_message(p, contact, msg, r, err);

	json_decref(msg);
	return ret;
}

/*
 * Prepare a WhatsApp template with its body parameters in order; other
 * channels have no templates through the API (ST_EUSAGE).
 */
int
st_send_prepare_template(struct st_provider *p, const char *contact,
			 const char *name, const char *lang,
			 const char *const *params, size_t nparams,
			 struct st_send_req *r, struct st_error *err)
{
	json_t *msg;
	int ret;

	if (strcmp(p->name, "WHATSAPP") != 0) {
		st_error_set(err, ST_EUSAGE, "%s cannot send WhatsApp "
			     "templates", p->name);
		return -1;
	}
	msg = json_pack("{s:s, s:{s:s, s:{s:s}, s:o}}", "type", "template",
			"payload", "name", name, "language", "code",
			lang ? lang : "es_AR", "components",
			st_whatsapp_components(params, nparams));
	ret = prepare_message(p, contact, msg, r, err);
	json_decref(msg);
	return ret;
}

/* The outcome of an HTTP status that says no more than itself. */
static enum st_send_outcome
by_status(long status)
{
	if (status == 429 || status == 503)
		return ST_SEND_RETRY_LATER;
	if (status >= 500) /* it may have acted before failing */
		return ST_SEND_UNKNOWN;
	if (status >= 200 && status < 300) /* unreadable success */
		return ST_SEND_UNKNOWN;
	return ST_SEND_PERMANENT;
}

/* The most telling error text of a provider's error body. */
static const char *
error_text(json_t *j)
{
	static const char *const keys[] = { "message", "error", "detail" };
	json_t *e = json_object_get(j, "error");
	json_t *m = json_object_get(json_object_get(j, "details"), "messages");
	const char *s;

	if ((s = json_string_value(json_object_get(e, "message"))))
		return s;
	if ((s = json_string_value(json_object_get(json_array_get(m, 0),
						   "message"))))
		return s;
	for (size_t i = 0; i < ST_ARRAY_SIZE(keys); i++)
		if ((s = json_string_value(json_object_get(j, keys[i]))))
			return s;
	return NULL;
}

/* Read a channel's JSON answer into res: 0 accepted, -1 not. */
static int
read_answer(const char *provider, long status, json_t *j,
	    struct st_send_result *res)
{
	bool ok2xx = status >= 200 && status < 300;
	const char *st = json_string_value(json_object_get(j, "status"));
	json_t *e = json_object_get(j, "error");
	const char *id;

	if (strcmp(provider, "WHATSAPP") == 0) {
		res->code = (long)json_integer_value(json_object_get(e, "code"));
		if (ok2xx && !e) {
			id = json_string_value(json_object_get(json_array_get(
				json_object_get(j, "messages"), 0), "id"));
			res->message_id = id ? st_xstrdup(id) : NULL;
			return 0;
		}
		res->outcome = st_whatsapp_outcome(res->code, status);
		return -1;
	}
	res->code = (long)json_integer_value(json_object_get(j, "code"));
	if (ok2xx && ((strcmp(provider, "MANYCHAT") == 0 &&
		       st_str_ieq(st, "success")) ||
		      (strcmp(provider, "UCHAT") == 0 &&
		       !st_str_ieq(st, "error"))))
		return 0;
	if (strcmp(provider, "MANYCHAT") == 0 &&
	    (res->code == 3011 || res->code == 3031))
		res->outcome = ST_SEND_NEEDS_TEMPLATE;
	else
		res->outcome = ok2xx ? ST_SEND_PERMANENT : by_status(status);
	return -1;
}

/*
 * Read a finished send: resp as st_http_multi_next() gave it (its
 * outcome FAILED or UNKNOWN when no response came). 0 when the provider
 * accepted it (res->message_id when it gives one); else -1 with
 * res->outcome saying what to do and err the provider's words.
 */
int
st_send_finish(const char *provider, const struct st_http_response *resp,
	       struct st_send_result *res, struct st_error *err)
{
	json_t *j = NULL;
	const char *msg;
	int ret;

	memset(res, 0, sizeof(*res));
	if (resp->outcome != ST_HTTP_DONE) {
		res->outcome = resp->outcome == ST_HTTP_UNKNOWN
			? ST_SEND_UNKNOWN : ST_SEND_RETRY_LATER;
		return -1;
	}
	j = json_loadb(resp->body ? resp->body : "", resp->len, 0, NULL);
	if (!j) {
		res->outcome = by_status(resp->status);
		st_error_set(err, ST_ECONN, "%s send failed: the response is "
			     "not valid JSON (HTTP %ld)", provider,
			     resp->status);
		return -1;
	}
	ret = read_answer(provider, resp->status, j, res);
	if (ret < 0) {
		msg = error_text(j);
		st_error_set(err, ST_ECONN, "%s send failed (HTTP %ld): %s",
			     provider, resp->status,
			     msg && *msg ? msg : "no message given");
	}
	res->outcome = ret == 0 ? ST_SEND_OK : res->outcome;
	json_decref(j);
	return ret;
}
