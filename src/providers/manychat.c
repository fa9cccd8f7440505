/*
 * manychat.c - the ManyChat public API: page info, subscribers by phone,
 * sendContent (Dynamic Block v2, WhatsApp content: text and media by
 * link), custom fields and tags by name.
 *
 * Every answer says {"status":"success"} or {"status":"error", "message",
 * "details" | "code"}, and some refusals come with HTTP 200, so the status
 * field is always checked. Subscriber ids are strings that may exceed
 * 2^53: they are kept as text.
 */
#include <stdlib.h>
#include <string.h>

#include "provider-internal.h"
#include "strato/util.h"

/* The most specific text of an error body. */
static const char *
mc_message(json_t *j)
{
	json_t *m = json_object_get(json_object_get(j, "details"), "messages");
	const char *s = json_string_value(json_object_get(json_array_get(m, 0),
							  "message"));
	const char *top = json_string_value(json_object_get(j, "message"));

	if (s && top && strcmp(s, top) != 0)
		return s;
	return top ? top : s;
}

/*
 * Call and check: 0 with *out the body when the status is success; -1
 * otherwise, with p->failure and p->code (ManyChat's "code") set.
 */
static int
mc_call(struct st_provider *p, const char *method, const char *path,
	const char *query, json_t *body, bool idempotent, json_t **out,
	struct st_http_response *resp, struct st_error *err)
{
	json_t *j = NULL;
	const char *what = path + 1;

	*out = NULL;
	if (st_provider_call(p, method, path, query, body, idempotent, resp,
			     err) < 0)
		return -1;
	if (!(j = st_provider_json(p, resp, what, err)))
		return -1;
	p->code = (long)json_integer_value(json_object_get(j, "code"));
	if (resp->status >= 200 && resp->status < 300 &&
	    st_str_ieq(json_string_value(json_object_get(j, "status")),
		       "success")) {
		*out = j;
		return 0;
	}
	if (resp->status >= 200 && resp->status < 300)
		p->failure = ST_PFAIL_REFUSED; /* an error inside a 200 */
	else
		st_provider_classify(p, resp->status);
	st_provider_fail(p, what, resp->status, mc_message(j), err);
	if (p->code)
		st_error_detail(err, "ManyChat error code %ld.", p->code);
	json_decref(j);
	return -1;
}

int
st_manychat_test(struct st_provider *p, char **summary, struct st_error *err)
{
	struct st_http_response r;
	json_t *j = NULL, *d;
	int ret = -1;

	if (mc_call(p, "GET", "/fb/page/getInfo", NULL, NULL, true, &j, &r,
		    err) < 0)
		goto cleanup;
	d = json_object_get(j, "data");
	*summary = st_xasprintf("page %s (id %" JSON_INTEGER_FORMAT ")",
		json_string_value(json_object_get(d, "name")) ?
		json_string_value(json_object_get(d, "name")) : "?",
		json_integer_value(json_object_get(d, "id")));
	ret = 0;
cleanup:
	json_decref(j);
	st_http_response_release(&r);
	return ret;
}

/* An id as text, whether it came as a string or a number. */
static char *
id_text(json_t *v)
{
	if (json_is_string(v))
		return st_xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return st_xasprintf("%" JSON_INTEGER_FORMAT,
				    json_integer_value(v));
	return NULL;
}

static int
mc_find(struct st_provider *p, const char *phone, char **id,
	struct st_error *err)
{
	struct st_http_response r;
	char *q = st_provider_qs("phone", phone);
	json_t *j = NULL;
	int ret = -1;

	*id = NULL;
	if (mc_call(p, "GET", "/fb/subscriber/findBySystemField", q, NULL,
		    true, &j, &r, err) < 0)
		goto cleanup;
	*id = id_text(json_object_get(json_object_get(j, "data"), "id"));
	ret = 0;
cleanup:
	free(q);
	json_decref(j);
	st_http_response_release(&r);
	return ret;
}

/* A WhatsApp contact: whatsapp_phone; opt-in stays with the lead's consent. */
static int
mc_create(struct st_provider *p, const char *phone, const char *first,
	  const char *last, char **id, struct st_error *err)
{
	struct st_http_response r;
	json_t *body = json_object(), *j = NULL;
	int ret = -1;

	*id = NULL;
	if (first)
		json_object_set_new(body, "first_name", json_string(first));
	if (last)
		json_object_set_new(body, "last_name", json_string(last));
	json_object_set_new(body, "whatsapp_phone", json_string(phone));
	if (mc_call(p, "POST", "/fb/subscriber/createSubscriber", NULL, body,
		    false, &j, &r, err) < 0)
		goto cleanup;
	*id = id_text(json_object_get(json_object_get(j, "data"), "id"));
	if (!*id) {
		p->failure = ST_PFAIL_PROTOCOL;
		st_error_set(err, ST_ECONN, "MANYCHAT createSubscriber failed: "
			     "the response has no subscriber id");
		goto cleanup;
	}
	ret = 0;
cleanup:
	json_decref(body);
	json_decref(j);
	st_http_response_release(&r);
	return ret;
}

/*
 * sendContent with these messages (a new reference, taken). 3011 and
 * 3031: outside the 24-hour window, which needs a template flow.
 */
static int
mc_send(struct st_provider *p, const char *contact, json_t *messages,
	struct st_send_result *res, struct st_error *err)
{
	struct st_http_response r;
	json_t *body, *j = NULL;
	int ret;

	memset(res, 0, sizeof(*res));
	body = json_pack("{s:s, s:{s:s, s:{s:s, s:o}}}", "subscriber_id",
			 contact, "data", "version", "v2", "content", "type",
			 "whatsapp", "messages", messages);
	ret = mc_call(p, "POST", "/fb/sending/sendContent", NULL, body, false,
		      &j, &r, err);
	res->code = p->code;
	res->outcome = ret == 0 ? ST_SEND_OK
		: p->code == 3011 || p->code == 3031 ? ST_SEND_NEEDS_TEMPLATE
		: st_provider_send_outcome(p, &r);
	json_decref(body);
	json_decref(j);
	st_http_response_release(&r);
	return ret;
}

static int
mc_send_text(struct st_provider *p, const char *contact, const char *text,
	     struct st_send_result *res, struct st_error *err)
{
	return mc_send(p, contact, json_pack("[{s:s, s:s}]", "type", "text",
					     "text", text), res, err);
}

/*
 * A media message by link; Dynamic Block media have no caption, so a
 * caption is a text message after it, in the same sendContent.
 */
static int
mc_send_media(struct st_provider *p, const char *contact,
	      enum st_media_kind kind, const char *url, const char *caption,
	      struct st_send_result *res, struct st_error *err)
{
	json_t *m = json_pack("[{s:s, s:s}]", "type", st_media_kind_name(kind),
			      "url", url);

	if (caption && *caption)
		json_array_append_new(m, json_pack("{s:s, s:s}", "type", "text",
						   "text", caption));
	return mc_send(p, contact, m, res, err);
}

/* A command endpoint on a subscriber: body gets subscriber_id first. */
static int
mc_command(struct st_provider *p, const char *path, const char *contact,
	   const char *k1, const char *v1, const char *k2, const char *v2,
	   struct st_error *err)
{
	struct st_http_response r;
	json_t *body = json_pack("{s:s, s:s}", "subscriber_id", contact, k1,
				 v1), *j = NULL;
	int ret;

	if (k2)
		json_object_set_new(body, k2, json_string(v2));
	ret = mc_call(p, "POST", path, NULL, body, true, &j, &r, err);
	json_decref(body);
	json_decref(j);
	st_http_response_release(&r);
	return ret;
}

/* By name (case-insensitive in ManyChat); the value goes as text. */
static int
mc_set_field(struct st_provider *p, const char *contact, const char *field,
	     const char *value, struct st_error *err)
{
	return mc_command(p, "/fb/subscriber/setCustomFieldByName", contact,
			  "field_name", field, "field_value", value, err);
}

static int
mc_add_tag(struct st_provider *p, const char *contact, const char *tag,
	   struct st_error *err)
{
	return mc_command(p, "/fb/subscriber/addTagByName", contact,
			  "tag_name", tag, NULL, NULL, err);
}

static int
mc_remove_tag(struct st_provider *p, const char *contact, const char *tag,
	      struct st_error *err)
{
	return mc_command(p, "/fb/subscriber/removeTagByName", contact,
			  "tag_name", tag, NULL, NULL, err);
}

const struct st_channel_ops st_manychat_ops = {
	.provider = "MANYCHAT",
	.find_contact = mc_find,
	.create_contact = mc_create,
	.send_text = mc_send_text,
	.send_template = NULL,
	.send_media = mc_send_media,
	.set_field = mc_set_field,
	.add_tag = mc_add_tag,
	.remove_tag = mc_remove_tag,
};
