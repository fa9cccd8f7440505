/*
 * uchat.c - the UChat API: tags (the harmless test), subscribers by
 * WhatsApp number, send-text, send-content (media by link), user fields
 * and tags by name.
 *
 * Success is {"status":"ok","data":…}; errors carry their text under
 * "message", "error" or "detail" depending on the endpoint (422s add an
 * "errors" object by field), so all are looked at. Rate limits and error
 * shapes are not published (PROVIDERS.md marks them unconfirmed): the
 * transport's generic 429/5xx handling covers them.
 */
#include <stdlib.h>
#include <string.h>

#include "provider-internal.h"
#include "strato/util.h"

static const char *
uc_message(json_t *j)
{
	static const char *const keys[] = { "message", "error", "detail" };
	const char *k;
	json_t *v;

	json_object_foreach(json_object_get(j, "errors"), k, v)
		if (json_string_value(json_array_get(v, 0)))
			return json_string_value(json_array_get(v, 0));
	for (size_t i = 0; i < ST_ARRAY_SIZE(keys); i++)
		if (json_string_value(json_object_get(j, keys[i])))
			return json_string_value(json_object_get(j, keys[i]));
	return NULL;
}

static int
uc_call(struct st_provider *p, const char *method, const char *path,
	const char *query, json_t *body, bool idempotent, json_t **out,
	struct st_http_response *resp, struct st_error *err)
{
	json_t *j = NULL;
	const char *st;

	*out = NULL;
	if (st_provider_call(p, method, path, query, body, idempotent, resp,
			     err) < 0)
		return -1;
	if (!(j = st_provider_json(p, resp, path + 1, err)))
		return -1;
	st = json_string_value(json_object_get(j, "status"));
	if (resp->status >= 200 && resp->status < 300 &&
	    !(st && st_str_ieq(st, "error"))) {
		*out = j;
		return 0;
	}
	if (resp->status >= 200 && resp->status < 300)
		p->failure = ST_PFAIL_REFUSED;
	else
		st_provider_classify(p, resp->status);
	st_provider_fail(p, path + 1, resp->status, uc_message(j), err);
	json_decref(j);
	return -1;
}

int
st_uchat_test(struct st_provider *p, char **summary, struct st_error *err)
{
	struct st_http_response r;
	json_t *j = NULL;
	int ret = -1;

	if (uc_call(p, "GET", "/flow/tags", NULL, NULL, true, &j, &r,
		    err) < 0)
		goto cleanup;
	*summary = st_xasprintf("bot reachable, %zu tag%s",
		json_array_size(json_object_get(j, "data")),
		json_array_size(json_object_get(j, "data")) == 1 ? "" : "s");
	ret = 0;
cleanup:
	json_decref(j);
	st_http_response_release(&r);
	return ret;
}

/* UChat's user_id of a WhatsApp contact is the number's digits. */
static char *
digits(const char *phone)
{
	return st_xstrdup(phone[0] == '+' ? phone + 1 : phone);
}

static int
uc_find(struct st_provider *p, const char *phone, char **id,
	struct st_error *err)
{
	struct st_http_response r;
	char *d = digits(phone), *q = st_provider_qs("user_id", d);
	json_t *j = NULL;
	int ret = -1;

	*id = NULL;
	if (uc_call(p, "GET", "/subscriber/get-info-by-user-id", q, NULL,
		    true, &j, &r, err) == 0) {
		const char *ns = json_string_value(json_object_get(
			json_object_get(j, "data"), "user_ns"));

		*id = ns ? st_xstrdup(ns) : NULL;
		ret = 0;
	} else if (p->failure == ST_PFAIL_NOTFOUND) {
		st_error_init(err); /* none yet: not an error */
		p->failure = ST_PFAIL_NONE;
		ret = 0;
	}
	free(d);
	free(q);
	json_decref(j);
	st_http_response_release(&r);
	return ret;
}

static int
uc_create(struct st_provider *p, const char *phone, const char *first,
	  const char *last, char **id, struct st_error *err)
{
	struct st_http_response r;
	json_t *body = json_object(), *j = NULL;
	char *d = digits(phone);
	const char *ns;
	int ret = -1;

	*id = NULL;
	json_object_set_new(body, "phone", json_string(d));
	if (first)
		json_object_set_new(body, "first_name", json_string(first));
	if (last)
		json_object_set_new(body, "last_name", json_string(last));
	if (uc_call(p, "POST", "/subscriber/create", NULL, body, false, &j, &r,
		    err) < 0)
		goto cleanup;
	ns = json_string_value(json_object_get(json_object_get(j, "data"),
					       "user_ns"));
	if (!ns) {
		p->failure = ST_PFAIL_PROTOCOL;
		st_error_set(err, ST_ECONN, "UCHAT subscriber/create failed: "
			     "the response has no user_ns");
		goto cleanup;
	}
	*id = st_xstrdup(ns);
	ret = 0;
cleanup:
	free(d);
	json_decref(body);
	json_decref(j);
	st_http_response_release(&r);
	return ret;
}

/* A send: POST body (taken) to path, the outcome in res. */
static int
uc_send(struct st_provider *p, const char *path, json_t *body,
	struct st_send_result *res, struct st_error *err)
{
	struct st_http_response r;
	json_t *j = NULL;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = uc_call(p, "POST", path, NULL, body, false, &j, &r, err);
	res->outcome = ret == 0 ? ST_SEND_OK : st_provider_send_outcome(p, &r);
	json_decref(body);
	json_decref(j);
	st_http_response_release(&r);
	return ret;
}

static int
uc_send_text(struct st_provider *p, const char *contact, const char *text,
	     struct st_send_result *res, struct st_error *err)
{
	return uc_send(p, "/subscriber/send-text", json_pack("{s:s, s:s}",
		       "user_ns", contact, "text", text), res, err);
}

/*
 * send-content, Dynamic Block v1: the media by link, then the caption
 * as a text message (v1 media carry none).
 */
static int
uc_send_media(struct st_provider *p, const char *contact,
	      enum st_media_kind kind, const char *url, const char *caption,
	      struct st_send_result *res, struct st_error *err)
{
	json_t *m = json_pack("[{s:s, s:s}]", "type", st_media_kind_name(kind),
			      "url", url);

	if (caption && *caption)
		json_array_append_new(m, json_pack("{s:s, s:s}", "type", "text",
						   "text", caption));
	return uc_send(p, "/subscriber/send-content",
		       json_pack("{s:s, s:{s:s, s:{s:o}}}", "user_ns", contact,
				 "data", "version", "v1", "content",
				 "messages", m), res, err);
}

/* A call that only says ok: the body is taken. */
static int
uc_command(struct st_provider *p, const char *method, const char *path,
	   json_t *body, struct st_error *err)
{
	struct st_http_response r;
	json_t *j = NULL;
	int ret;

	ret = uc_call(p, method, path, NULL, body, true, &j, &r, err);
	json_decref(body);
	json_decref(j);
	st_http_response_release(&r);
	return ret;
}

/* PUT with "value" (not "field_value", which UChat answers with a 422). */
static int
uc_set_field(struct st_provider *p, const char *contact, const char *field,
	     const char *value, struct st_error *err)
{
	return uc_command(p, "PUT", "/subscriber/set-user-field-by-name",
			  json_pack("{s:s, s:s, s:s}", "user_ns", contact,
				    "field_name", field, "value", value), err);
}

/*
 * Tags by name. The endpoints are not confirmed by UChat's public
 * documents: the config's add_tag_path and remove_tag_path override them.
 */
static int
uc_tag(struct st_provider *p, const char *contact, const char *tag,
       bool add, struct st_error *err)
{
	const char *path = st_provider_conf(p, add ? "add_tag_path"
						   : "remove_tag_path");

	if (!path || !*path)
		path = add ? "/subscriber/add-tag-by-name"
			   : "/subscriber/remove-tag-by-name";
	return uc_command(p, "POST", path, json_pack("{s:s, s:s}", "user_ns",
						     contact, "tag_name", tag),
			  err);
}

static int
uc_add_tag(struct st_provider *p, const char *contact, const char *tag,
	   struct st_error *err)
{
	return uc_tag(p, contact, tag, true, err);
}

static int
uc_remove_tag(struct st_provider *p, const char *contact, const char *tag,
	      struct st_error *err)
{
	return uc_tag(p, contact, tag, false, err);
}

const struct st_channel_ops st_uchat_ops = {
	.provider = "UCHAT",
	.find_contact = uc_find,
	.create_contact = uc_create,
	.send_text = uc_send_text,
	.send_template = NULL,
	.send_media = uc_send_media,
	.set_field = uc_set_field,
	.add_tag = uc_add_tag,
	.remove_tag = uc_remove_tag,
};
