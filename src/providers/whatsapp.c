/*
 * whatsapp.c - the WhatsApp Business Cloud API (Graph API): the phone
 * number (the harmless test), text and template messages.
 *
 * There is no contact to create: the contact is the number, digits only
 * (wa_id). Errors come as {"error": {"code", "message", "error_data":
 * {"details"}}} and are mapped by code to what the sender should do; the
 * HTTP status of each code is not documented, so only the code counts
 * when there is one. The Graph version is the config's api_version
 * (default v21.0).
 */
#include <stdlib.h>
#include <string.h>

#include "provider-internal.h"
#include "strato/util.h"

#define WA_DEFAULT_VERSION "v21.0"

enum st_send_outcome
st_whatsapp_outcome(long code, long status)
{
	switch (code) {
	case 131047: /* more than 24 h since the user wrote */
		return ST_SEND_NEEDS_TEMPLATE;
	case 131026: /* undeliverable */
	case 131053: /* media upload error */
	case 190:    /* token expired */
		return ST_SEND_PERMANENT;
	case 4:      /* app call rate */
	case 80007:  /* WABA rate limit */
	case 130429: /* throughput */
	case 131056: /* pair rate */
	case 131048: /* spam rate limit */
	case 131049: /* marketing per-user limit */
		return ST_SEND_RETRY_LATER;
	default:
		break;
	}
	if (status == 429 || status == 503)
		return ST_SEND_RETRY_LATER;
	if (status >= 500) /* it may have acted before failing */
		return ST_SEND_UNKNOWN;
	return status >= 200 && status < 300 ? ST_SEND_OK : ST_SEND_PERMANENT;
}

/* "/v21.0/<phone_number_id><tail>", or NULL when the id is not set. */
static char *
wa_path(struct st_provider *p, const char *tail, struct st_error *err)
{
	const char *ver = st_provider_conf(p, "api_version");
	const char *id = st_provider_conf(p, "phone_number_id");

	if (!id || !*id) {
		st_error_set(err, ST_ESTATE, "the WHATSAPP phone_number_id is "
			     "not set");
		st_error_hint(err, "Set it with \"strato integration set "
			      "WHATSAPP --phone-number-id ID\".");
		return NULL;
	}
	return st_xasprintf("/%s/%s%s", ver && *ver ? ver : WA_DEFAULT_VERSION,
			    id, tail);
}

static int
wa_call(struct st_provider *p, const char *method, const char *tail,
	json_t *body, bool idempotent, json_t **out,
	struct st_http_response *resp, struct st_error *err)
{
	char *path = wa_path(p, tail, err);
	json_t *j = NULL, *e;
	int ret = -1;

	*out = NULL;
	memset(resp, 0, sizeof(*resp));
	if (!path || st_provider_call(p, method, path, NULL, body, idempotent,
				      resp, err) < 0)
		goto cleanup;
	if (!(j = st_provider_json(p, resp, path + 1, err)))
		goto cleanup;
	e = json_object_get(j, "error");
	if (resp->status >= 200 && resp->status < 300 && !e) {
		*out = j;
		j = NULL;
		ret = 0;
		goto cleanup;
	}
	p->code = (long)json_integer_value(json_object_get(e, "code"));
	st_provider_classify(p, resp->status);
	if (p->code == 190)
		p->failure = ST_PFAIL_AUTH;
	st_provider_fail(p, path + 1, resp->status,
			 json_string_value(json_object_get(e, "message")), err);
	if (json_string_value(json_object_get(json_object_get(e, "error_data"),
					      "details")))
		st_error_detail(err, "WhatsApp error %ld: %s", p->code,
			json_string_value(json_object_get(json_object_get(e,
				"error_data"), "details")));
	else if (p->code)
		st_error_detail(err, "WhatsApp error %ld.", p->code);
cleanup:
	free(path);
	json_decref(j);
	return ret;
}

int
st_whatsapp_test(struct st_provider *p, char **summary, struct st_error *err)
{
	struct st_http_response r;
	json_t *j = NULL;
	int ret = -1;

	if (wa_call(p, "GET", "", NULL, true, &j, &r, err) < 0)
		goto cleanup;
	*summary = st_xasprintf("number %s (%s), quality %s",
		json_string_value(json_object_get(j, "display_phone_number")) ?
		json_string_value(json_object_get(j, "display_phone_number")) :
		"?", json_string_value(json_object_get(j, "verified_name")) ?
		json_string_value(json_object_get(j, "verified_name")) : "?",
		json_string_value(json_object_get(j, "quality_rating")) ?
		json_string_value(json_object_get(j, "quality_rating")) : "?");
	ret = 0;
cleanup:
	json_decref(j);
	st_http_response_release(&r);
	return ret;
}

/* The number is the contact: digits only, as wa_id. */
static int
wa_find(struct st_provider *p, const char *phone, char **id,
	struct st_error *err)
{
	(void)p;
	(void)err;
	*id = st_xstrdup(phone[0] == '+' ? phone + 1 : phone);
	return 0;
}

static int
wa_create(struct st_provider *p, const char *phone, const char *first,
	  const char *last, char **id, struct st_error *err)
{
	(void)first;
	(void)last;
	return wa_find(p, phone, id, err);
}

/* Send body (its "type" object set by the caller) and read the wamid. */
static int
wa_send(struct st_provider *p, json_t *body, struct st_send_result *res,
	struct st_error *err)
{
	struct st_http_response r;
	json_t *j = NULL;
	const char *wamid;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = wa_call(p, "POST", "/messages", body, false, &j, &r, err);
	res->code = p->code;
	if (ret == 0) {
		wamid = json_string_value(json_object_get(json_array_get(
			json_object_get(j, "messages"), 0), "id"));
		res->message_id = wamid ? st_xstrdup(wamid) : NULL;
		res->outcome = ST_SEND_OK;
	} else if (p->failure == ST_PFAIL_TRANSPORT ||
		   p->failure == ST_PFAIL_PROTOCOL) {
		res->outcome = st_provider_send_outcome(p, &r);
	} else {
		res->outcome = st_whatsapp_outcome(p->code, r.status);
	}
	json_decref(j);
	st_http_response_release(&r);
	return ret;
}

static int
wa_send_text(struct st_provider *p, const char *contact, const char *text,
	     struct st_send_result *res, struct st_error *err)
{
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:b}}",
				 "messaging_product", "whatsapp",
				 "recipient_type", "individual", "to", contact,
				 "type", "text", "text", "body", text,
				 "preview_url", 0);
	int ret = wa_send(p, body, res, err);

	json_decref(body);
	return ret;
}

static int
wa_send_template(struct st_provider *p, const char *contact,
		 const char *name, const char *lang,
		 const char *const *params, size_t nparams,
		 struct st_send_result *res, struct st_error *err)
{
	json_t *body, *comps = json_array(), *ps = json_array();
	int ret;

	for (size_t i = 0; i < nparams; i++)
		json_array_append_new(ps, json_pack("{s:s, s:s}", "type",
						    "text", "text", params[i]));
	if (nparams)
		json_array_append_new(comps, json_pack("{s:s, s:o}", "type",
						       "body", "parameters",
						       ps));
	else
		json_decref(ps);
	body = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:s}, s:o}}",
			 "messaging_product", "whatsapp", "recipient_type",
			 "individual", "to", contact, "type", "template",
			 "template", "name", name, "language", "code",
			 lang ? lang : "es_AR", "components", comps);
	ret = wa_send(p, body, res, err);
	json_decref(body);
	return ret;
}

const struct st_channel_ops st_whatsapp_ops = {
	"WHATSAPP", wa_find, wa_create, wa_send_text, wa_send_template,
};
