/*
 * ingest-parse.c - webhook bodies into normalised events (pure).
 *
 * WhatsApp Cloud API: {"object":"whatsapp_business_account","entry":[{
 * "changes":[{"field":"messages","value":{"metadata":{"phone_number_id"},
 * "contacts","messages","statuses","errors"}}]}]}. ManyChat: the "Full
 * Subscriber Data" object an External Request posts (numeric or string
 * id, last_input_text), bare or under "subscriber". UChat: the inbound
 * webhook {"meta":{"user_ns"},"message":{"_id","type":"in",...}}, with an
 * optional "user" object. Provider ids are kept as text: ManyChat's may
 * exceed 2^53, so a JSON number is copied from its digits, not a double.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "strato/ingest.h"
#include "strato/util.h"

static const char *const source_names[] = { "MANYCHAT", "UCHAT", "WHATSAPP" };

/* The source named by s, in any case. */
int
st_ingest_source_parse(const char *s, enum st_ingest_source *out)
{
	for (size_t i = 0; s && i < ST_ARRAY_SIZE(source_names); i++)
		if (st_str_ieq(s, source_names[i])) {
			*out = (enum st_ingest_source)i;
			return 0;
		}
	return -1;
}

/* The provider name of a source, as the tables spell it. */
const char *
st_ingest_source_name(enum st_ingest_source s)
{
	return (size_t)s < ST_ARRAY_SIZE(source_names) ? source_names[s] : "?";
}

/* Free an envelope; the token is wiped. */
void
st_ingest_envelope_release(struct st_ingest_envelope *e)
{
	if (!e)
		return;
	free(e->body);
	free(e->signature);
	st_free_secret(e->token);
	memset(e, 0, sizeof(*e));
}

static void
msg_release(struct st_ingest_msg *m)
{
	free(m->external_id);
	free(m->user_id);
	free(m->nombre);
	free(m->telefono);
	free(m->email);
	free(m->texto);
	free(m->timestamp);
	free(m->ad_id);
}

/* Free an event; a body token is wiped. */
void
st_ingest_event_release(struct st_ingest_event *ev)
{
	if (!ev)
		return;
	for (size_t i = 0; i < ev->nmsgs; i++)
		msg_release(&ev->msgs[i]);
	for (size_t i = 0; i < ev->nstatuses; i++) {
		free(ev->statuses[i].external_id);
		free(ev->statuses[i].error_code);
		free(ev->statuses[i].error_message);
	}
	free(ev->msgs);
	free(ev->statuses);
	free(ev->phone_number_id);
	st_free_secret(ev->token);
	memset(ev, 0, sizeof(*ev));
}

/* A string, or an integer's digits; NULL for anything else or "". */
static char *
dup_id(const json_t *v)
{
	if (json_is_string(v) && json_string_length(v) > 0 &&
	    strlen(json_string_value(v)) == json_string_length(v))
		return st_xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return st_xasprintf("%" JSON_INTEGER_FORMAT,
				    json_integer_value(v));
	return NULL;
}

/* A non-empty string without NUL bytes, copied; else NULL. */
static char *
dup_str(const json_t *v)
{
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return st_xstrdup(json_string_value(v));
}

/* Headers are case-insensitive; the first of name wins. */
static const json_t *
header(const json_t *h, const char *name)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)h, k, v)
		if (st_str_ieq(k, name))
			return v;
	return NULL;
}

static char *
bearer(const json_t *v)
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	if (!s)
		return NULL;
	if (strncasecmp(s, "Bearer ", 7) == 0)
		s += 7;
	return *s ? st_xstrdup(s) : NULL;
}

/* An envelope, or the line itself as the raw body. */
int
st_ingest_envelope_parse(const char *line, size_t len,
			 struct st_ingest_envelope *out, struct st_error *err)
{
	json_t *j = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
	const json_t *h = json_object_get(j, "headers");
	const json_t *b = json_object_get(j, "body");
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(j) || (!h && !b) || json_object_get(j, "object")) {
		out->body = st_xmalloc(len + 1); /* NUL bytes and all */
		memcpy(out->body, line, len);
		out->body[len] = '\0';
		out->body_len = len;
		ret = 0;
		goto cleanup;
	}
	if (!json_is_object(h) || !json_is_string(b)) {
		st_error_set(err, ST_EINVAL, "envelope needs \"headers\" (an "
			     "object) and \"body\" (a string)");
		goto cleanup;
	}
	out->body_len = json_string_length(b);
	out->body = st_xmalloc(out->body_len + 1);
	memcpy(out->body, json_string_value(b), out->body_len + 1);
	out->signature = dup_str(header(h, "X-Hub-Signature-256"));
	out->token = bearer(header(h, "Authorization"));
	if (!out->token)
		out->token = dup_str(header(h, "X-Webhook-Token"));
	ret = 0;
cleanup:
	json_decref(j);
	return ret;
}

/* Hex-decode the header, MAC the body, compare in constant time. */
bool
st_ingest_signature_ok(const char *hdr, const char *secret,
		       const char *body, size_t len)
{
	unsigned char mac[EVP_MAX_MD_SIZE], want[32];
	unsigned int maclen = 0;
	bool ok = false;

	if (!hdr || !secret || strncmp(hdr, "sha256=", 7) != 0 ||
	    strlen(hdr + 7) != 64)
		return false;
	for (int i = 0; i < 32; i++) {
		int v = 0;

		for (int k = 0; k < 2; k++) {
			int d = st_hex_digit(hdr[7 + 2 * i + k]);

			if (d < 0)
				return false;
			v = v * 16 + d;
		}
		want[i] = (unsigned char)v;
	}
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
		 (const unsigned char *)body, len, mac, &maclen) &&
	    maclen == 32)
		ok = CRYPTO_memcmp(mac, want, 32) == 0;
	OPENSSL_cleanse(mac, sizeof(mac));
	return ok;
}

/* Constant-time token comparison, lengths included. */
bool
st_ingest_token_eq(const char *a, const char *b)
{
	unsigned char ha[32], hb[32];
	unsigned int n = 0;
	static const char k[] = "strato-token-compare";

	if (!a || !b)
		return false;
	/* Compare MACs, so that the time does not tell the length either. */
	HMAC(EVP_sha256(), k, sizeof(k) - 1, (const unsigned char *)a,
	     strlen(a), ha, &n);
	HMAC(EVP_sha256(), k, sizeof(k) - 1, (const unsigned char *)b,
	     strlen(b), hb, &n);
	return CRYPTO_memcmp(ha, hb, 32) == 0;
}

static struct st_ingest_msg *
add_msg(struct st_ingest_event *ev)
{
	ev->msgs = st_xrealloc(ev->msgs, (ev->nmsgs + 1) * sizeof(*ev->msgs));
	memset(&ev->msgs[ev->nmsgs], 0, sizeof(*ev->msgs));
	return &ev->msgs[ev->nmsgs++];
}

/* WhatsApp's message type to a strato.message tipo, and its text. */
static const char *
wa_tipo(const char *t)
{
	static const char *const map[][2] = {
		{ "text", "TEXT" }, { "audio", "AUDIO" }, { "voice", "AUDIO" },
		{ "image", "IMAGE" }, { "video", "VIDEO" },
		{ "document", "DOCUMENT" }, { "sticker", "STICKER" },
		{ "location", "LOCATION" }, { "contacts", "CONTACTS" },
		{ "interactive", "INTERACTIVE" }, { "button", "INTERACTIVE" },
		{ "reaction", "REACTION" },
	};

	for (size_t i = 0; t && i < ST_ARRAY_SIZE(map); i++)
		if (strcmp(t, map[i][0]) == 0)
			return map[i][1];
	return "UNKNOWN";
}

static char *
wa_text(const json_t *m)
{
	static const char *const paths[][3] = {
		{ "text", "body", NULL }, { "button", "text", NULL },
		{ "image", "caption", NULL }, { "video", "caption", NULL },
		{ "document", "caption", NULL },
		{ "interactive", "button_reply", "title" },
		{ "interactive", "list_reply", "title" },
	};

	for (size_t i = 0; i < ST_ARRAY_SIZE(paths); i++) {
		const json_t *v = json_object_get(m, paths[i][0]);

		for (int k = 1; k < 3 && paths[i][k]; k++)
			v = json_object_get(v, paths[i][k]);
		if (json_is_string(v))
			return dup_str(v);
	}
	return NULL;
}

/* The profile name of wa_id among value.contacts. */
static char *
wa_contact_name(const json_t *contacts, const char *wa_id)
{
	size_t i;
	const json_t *c;

	json_array_foreach(contacts, i, c) {
		char *id = dup_id(json_object_get(c, "wa_id"));
		bool same = id && wa_id && strcmp(id, wa_id) == 0;

		free(id);
		if (same || json_array_size(contacts) == 1)
			return dup_str(json_object_get(
				json_object_get(c, "profile"), "name"));
	}
	return NULL;
}

static int
wa_message(struct st_ingest_event *ev, const json_t *value, const json_t *m,
	   struct st_error *err)
{
	struct st_ingest_msg *x = add_msg(ev);
	const json_t *ref = json_object_get(m, "referral");

	x->external_id = dup_id(json_object_get(m, "id"));
	x->user_id = dup_id(json_object_get(m, "from"));
	if (!x->external_id || !x->user_id) {
		st_error_set(err, ST_EINVAL, "whatsapp message without %s",
			     x->external_id ? "\"from\"" : "\"id\"");
		return -1;
	}
	x->telefono = st_xasprintf("+%s", x->user_id);
	x->nombre = wa_contact_name(json_object_get(value, "contacts"),
				    x->user_id);
	x->timestamp = dup_id(json_object_get(m, "timestamp"));
	x->tipo = wa_tipo(json_string_value(json_object_get(m, "type")));
	x->texto = wa_text(m);
	x->canal = "WHATSAPP";
	if (json_is_object(ref)) {
		const char *st = json_string_value(
			json_object_get(ref, "source_type"));

		x->from_ad = !st || strcmp(st, "ad") == 0;
		x->ad_id = dup_id(json_object_get(ref, "source_id"));
	}
	return 0;
}

static const char *
wa_estado(const char *s)
{
	static const char *const map[][2] = {
		{ "sent", "SENT" }, { "delivered", "DELIVERED" },
		{ "read", "READ" }, { "played", "READ" },
		{ "failed", "FAILED" },
	};

	for (size_t i = 0; s && i < ST_ARRAY_SIZE(map); i++)
		if (strcmp(s, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

static int
wa_status(struct st_ingest_event *ev, const json_t *s, struct st_error *err)
{
	struct st_ingest_status *x;
	const json_t *e0 = json_array_get(json_object_get(s, "errors"), 0);
	const char *estado = wa_estado(json_string_value(
		json_object_get(s, "status")));

	if (!estado) {
		st_error_set(err, ST_EINVAL, "whatsapp status without a known "
			     "\"status\"");
		return -1;
	}
	ev->statuses = st_xrealloc(ev->statuses,
		(ev->nstatuses + 1) * sizeof(*ev->statuses));
	x = &ev->statuses[ev->nstatuses++];
	memset(x, 0, sizeof(*x));
	x->estado = estado;
	x->external_id = dup_id(json_object_get(s, "id"));
	if (!x->external_id) {
		st_error_set(err, ST_EINVAL, "whatsapp status without \"id\"");
		return -1;
	}
	if (e0) {
		x->error_code = dup_id(json_object_get(e0, "code"));
		x->error_message = dup_str(json_object_get(e0, "title"));
		if (!x->error_message)
			x->error_message = dup_str(json_object_get(e0,
								   "message"));
	}
	return 0;
}

/* One change's value: metadata, then messages, statuses, errors. */
static int
wa_value(struct st_ingest_event *ev, const json_t *v, struct st_error *err)
{
	char *pnid = dup_id(json_object_get(json_object_get(v, "metadata"),
					    "phone_number_id"));
	size_t i;
	const json_t *m;

	if (!pnid) {
		st_error_set(err, ST_EINVAL, "whatsapp change without "
			     "metadata.phone_number_id");
		return -1;
	}
	if (ev->phone_number_id && strcmp(ev->phone_number_id, pnid) != 0) {
		st_error_set(err, ST_EINVAL, "whatsapp event for two phone "
			     "numbers (%s, %s)", ev->phone_number_id, pnid);
		free(pnid);
		return -1;
	}
	free(ev->phone_number_id);
	ev->phone_number_id = pnid;
	json_array_foreach(json_object_get(v, "messages"), i, m)
		if (wa_message(ev, v, m, err) < 0)
			return -1;
	json_array_foreach(json_object_get(v, "statuses"), i, m)
		if (wa_status(ev, m, err) < 0)
			return -1;
	ev->nerrors += json_array_size(json_object_get(v, "errors"));
	return 0;
}

static int
parse_whatsapp(struct st_ingest_event *ev, const json_t *j,
	       struct st_error *err)
{
	const char *obj = json_string_value(json_object_get(j, "object"));
	size_t i, k;
	const json_t *e, *c;

	if (!obj || strcmp(obj, "whatsapp_business_account") != 0) {
		st_error_set(err, ST_EINVAL, "not a whatsapp event (\"object\" "
			     "is not whatsapp_business_account)");
		return -1;
	}
	json_array_foreach(json_object_get(j, "entry"), i, e)
		json_array_foreach(json_object_get(e, "changes"), k, c) {
			const char *f = json_string_value(
				json_object_get(c, "field"));

			if (f && strcmp(f, "messages") != 0)
				continue;
			if (wa_value(ev, json_object_get(c, "value"), err) < 0)
				return -1;
		}
	return 0;
}

/* ManyChat: from_ad when the growth tool or an ad field says so. */
static bool
mc_from_ad(const json_t *s, const json_t *top)
{
	const json_t *gt = json_object_get(s, "last_growth_tool");
	const char *t = json_string_value(json_is_object(gt)
		? json_object_get(gt, "type") : gt);

	if (json_object_get(s, "ad_id") || json_object_get(top, "ad_id"))
		return true;
	return t && (strstr(t, "ads") || strstr(t, "ad_"));
}

static int
parse_manychat(struct st_ingest_event *ev, const json_t *j,
	       struct st_error *err)
{
	const json_t *s = json_object_get(j, "subscriber");
	struct st_ingest_msg *x;
	const char *key;

	if (!json_is_object(s))
		s = j;
	key = json_string_value(json_object_get(s, "key"));
	if (!json_object_get(s, "id") || (!json_object_get(s, "page_id") &&
	    !(key && strncmp(key, "user:", 5) == 0))) {
		st_error_set(err, ST_EINVAL, "not a manychat subscriber (needs "
			     "\"id\" and \"page_id\" or \"key\")");
		return -1;
	}
	x = add_msg(ev);
	x->user_id = dup_id(json_object_get(s, "id"));
	x->texto = dup_str(json_object_get(j, "text"));
	if (!x->texto)
		x->texto = dup_str(json_object_get(s, "last_input_text"));
	x->external_id = dup_id(json_object_get(j, "message_id"));
	x->timestamp = dup_str(json_object_get(s, "last_interaction"));
	if (!x->user_id) {
		st_error_set(err, ST_EINVAL, "manychat subscriber \"id\" is "
			     "not a string or an integer");
		return -1;
	}
	if (!x->external_id && !x->timestamp) {
		st_error_set(err, ST_EINVAL, "manychat event without "
			     "\"message_id\" or \"last_interaction\"");
		return -1;
	}
	if (!x->external_id)
		x->external_id = st_xasprintf("manychat:%s:%s", x->user_id,
					      x->timestamp);
	free(x->timestamp);
	x->timestamp = NULL; /* W3C text, not unix seconds */
	x->nombre = dup_str(json_object_get(s, "name"));
	x->telefono = dup_str(json_object_get(s, "whatsapp_phone"));
	if (!x->telefono)
		x->telefono = dup_str(json_object_get(s, "phone"));
	x->email = dup_str(json_object_get(s, "email"));
	x->tipo = "TEXT";
	x->canal = json_object_get(s, "whatsapp_phone") &&
		   !json_is_null(json_object_get(s, "whatsapp_phone"))
		? "WHATSAPP" : json_object_get(s, "ig_username") &&
		  !json_is_null(json_object_get(s, "ig_username"))
		? "INSTAGRAM" : "MESSENGER";
	x->from_ad = mc_from_ad(s, j);
	x->ad_id = dup_id(json_object_get(j, "ad_id"));
	if (!x->ad_id)
		x->ad_id = dup_id(json_object_get(s, "ad_id"));
	return 0;
}

static const char *
uc_canal(const json_t *j)
{
	const char *c = json_string_value(json_object_get(j, "channel"));

	if (!c)
		c = json_string_value(json_object_get(
			json_object_get(j, "meta"), "channel"));
	if (c && (st_str_ieq(c, "messenger") || st_str_ieq(c, "facebook")))
		return "MESSENGER";
	if (c && st_str_ieq(c, "instagram"))
		return "INSTAGRAM";
	if (c && (st_str_ieq(c, "web") || st_str_ieq(c, "webchat")))
		return "WEB";
	return "WHATSAPP";
}

static int
parse_uchat(struct st_ingest_event *ev, const json_t *j,
	    struct st_error *err)
{
	const json_t *meta = json_object_get(j, "meta");
	const json_t *m = json_object_get(j, "message");
	const json_t *u = json_object_get(j, "user");
	const char *type = json_string_value(json_object_get(m, "type"));
	struct st_ingest_msg *x;

	if (!json_is_object(meta) || !json_is_object(m)) {
		st_error_set(err, ST_EINVAL, "not a uchat event (needs "
			     "\"meta\" and \"message\")");
		return -1;
	}
	if (type && strcmp(type, "in") != 0) {
		st_error_set(err, ST_EINVAL, "uchat message of type \"%s\" "
			     "(only \"in\" is taken)", type);
		return -1;
	}
	x = add_msg(ev);
	x->user_id = dup_id(json_object_get(meta, "user_ns"));
	x->external_id = dup_id(json_object_get(m, "mid"));
	if (!x->external_id)
		x->external_id = dup_id(json_object_get(m, "_id"));
	if (!x->user_id || !x->external_id) {
		st_error_set(err, ST_EINVAL, "uchat event without %s",
			     x->user_id ? "message \"mid\" or \"_id\""
					: "meta.user_ns");
		return -1;
	}
	x->texto = dup_str(json_object_get(m, "content"));
	if (!x->texto)
		x->texto = dup_str(json_object_get(m, "text"));
	x->timestamp = dup_id(json_object_get(m, "ts"));
	x->nombre = dup_str(json_object_get(u, "name"));
	x->telefono = dup_str(json_object_get(u, "phone"));
	x->email = dup_str(json_object_get(u, "email"));
	x->tipo = "TEXT";
	x->canal = uc_canal(j);
	return 0;
}

/* Dispatch on the source; an event must carry something. */
int
st_ingest_parse(enum st_ingest_source source, const char *body, size_t len,
		struct st_ingest_event *ev, struct st_error *err)
{
	json_error_t je;
	json_t *j = json_loadb(body, len, 0, &je);
	int ret = -1;

	memset(ev, 0, sizeof(*ev));
	ev->source = source;
	if (!j) {
		st_error_set(err, ST_EINVAL, "not JSON: %s (column %d)",
			     je.text, je.column);
		return -1;
	}
	if (!json_is_object(j)) {
		st_error_set(err, ST_EINVAL, "not a JSON object");
		goto cleanup;
	}
	ev->token = dup_str(json_object_get(j, "token"));
	ret = source == ST_INGEST_WHATSAPP ? parse_whatsapp(ev, j, err)
	    : source == ST_INGEST_MANYCHAT ? parse_manychat(ev, j, err)
	    : parse_uchat(ev, j, err);
	if (ret == 0 && !ev->nmsgs && !ev->nstatuses && !ev->nerrors) {
		st_error_set(err, ST_EINVAL, "unknown event shape (no "
			     "messages, statuses or errors)");
		ret = -1;
	}
cleanup:
	if (ret < 0)
		st_ingest_event_release(ev);
	json_decref(j);
	return ret;
}
