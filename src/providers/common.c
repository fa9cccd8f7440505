/*
 * common.c - what every provider client shares: the integration in
 * memory, its secrets wiped on close, the authenticated call and the
 * classification of failures.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "provider-internal.h"
#include "integration-internal.h"
#include "strato/integration.h"
#include "strato/util.h"

static const struct {
	const char *name;
	const char *base_url;
} defaults[] = {
	{ "MANYCHAT", "https://api.manychat.com" },
	{ "UCHAT", "https://www.uchat.com.au/api" },
	{ "ELEVENLABS", "https://api.elevenlabs.io" },
	{ "WHATSAPP", "https://graph.facebook.com" },
};

static long
env_long(const char *name, long def)
{
	const char *v = getenv(name);
	char *end = NULL;
	long n;

	if (!v || !*v)
		return def;
	n = strtol(v, &end, 10);
	return *end || n <= 0 ? def : n;
}

/* The public base URL unless one is given; trailing slashes dropped. */
int
st_provider_init(struct st_provider *p, const char *name,
		 const char *base_url, struct st_error *err)
{
	const char *canon = st_integration_provider(name);
	size_t n;

	memset(p, 0, sizeof(*p));
	if (!canon) {
		st_error_set(err, ST_EUSAGE, "unknown provider \"%s\"",
			     name ? name : "");
		st_error_hint(err, "Use one of " ST_INTEGRATION_PROVIDERS ".");
		return -1;
	}
	p->name = canon;
	for (size_t i = 0; i < ST_ARRAY_SIZE(defaults); i++)
		if (!base_url && strcmp(defaults[i].name, canon) == 0)
			base_url = defaults[i].base_url;
	p->base_url = st_xstrdup(base_url);
	n = strlen(p->base_url);
	while (n > 0 && p->base_url[n - 1] == '/')
		p->base_url[--n] = '\0';
	p->config = json_object();
	p->timeout_ms = env_long("STRATO_HTTP_TIMEOUT_MS", 30000);
	p->connect_timeout_ms = 10000;
	p->max_attempts = (int)env_long("STRATO_HTTP_ATTEMPTS", 4);
	p->backoff_ms = env_long("STRATO_HTTP_BACKOFF_MS", 500);
	p->ca_bundle = getenv("STRATO_CA_BUNDLE");
	if (p->ca_bundle && !*p->ca_bundle)
		p->ca_bundle = NULL;
	return 0;
}

void
st_provider_set(struct st_provider *p, const char *field, const char *value,
		bool secret)
{
	if (!secret) {
		json_object_set_new(p->config, field, json_string(value));
		if (strcmp(field, "base_url") == 0 && *value) {
			free(p->base_url);
			p->base_url = st_xstrdup(value);
			while (*p->base_url && p->base_url[strlen(p->base_url)
							   - 1] == '/')
				p->base_url[strlen(p->base_url) - 1] = '\0';
		}
		return;
	}
	for (size_t i = 0; i < p->nsecrets; i++)
		if (strcmp(p->secret_names[i], field) == 0) {
			st_free_secret(p->secret_values[i]);
			p->secret_values[i] = st_xstrdup(value);
			return;
		}
	if (p->nsecrets == ST_PROVIDER_SECRETS_MAX)
		return;
	p->secret_names[p->nsecrets] = st_xstrdup(field);
	p->secret_values[p->nsecrets++] = st_xstrdup(value);
}

const char *
st_provider_conf(const struct st_provider *p, const char *f)
{
	return json_string_value(json_object_get(p->config, f));
}

const char *
st_provider_secret(const struct st_provider *p, const char *f)
{
	for (size_t i = 0; i < p->nsecrets; i++)
		if (strcmp(p->secret_names[i], f) == 0)
			return p->secret_values[i];
	return NULL;
}

void
st_provider_close(struct st_provider *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nsecrets; i++) {
		free(p->secret_names[i]);
		st_free_secret(p->secret_values[i]);
	}
	free(p->base_url);
	json_decref(p->config);
	memset(p, 0, sizeof(*p));
}

void
st_send_result_release(struct st_send_result *r)
{
	if (!r)
		return;
	free(r->message_id);
	memset(r, 0, sizeof(*r));
}

const char *
st_send_outcome_name(enum st_send_outcome o)
{
	static const char *const names[] = { "OK", "PERMANENT", "RETRY_LATER",
					     "NEEDS_TEMPLATE", "UNKNOWN" };

	return (size_t)o < ST_ARRAY_SIZE(names) ? names[o] : "?";
}

const char *
st_provider_failure_name(enum st_provider_failure f)
{
	static const char *const names[] = { "none", "auth", "quota", "rate",
		"refused", "not_found", "server", "transport", "protocol" };

	return (size_t)f < ST_ARRAY_SIZE(names) ? names[f] : "?";
}

/* "Authorization: Bearer …" or "xi-api-key: …"; wiped by the caller. */
static char *
auth_header(struct st_provider *p, struct st_error *err)
{
	bool el = strcmp(p->name, "ELEVENLABS") == 0;
	bool wa = strcmp(p->name, "WHATSAPP") == 0;
	const char *field = el ? "api_key" : wa ? "access_token" : "api_token";
	const char *flag = el ? "api-key" : wa ? "access-token" : "api-token";
	const char *v = st_provider_secret(p, field);

	if (!v) {
		st_error_set(err, ST_ESTATE, "the %s %s is not set", p->name,
			     field);
		st_error_hint(err, "Set it with \"strato integration set %s "
			      "--%s --secret-stdin\".", p->name, flag);
		return NULL;
	}
	return el ? st_xasprintf("xi-api-key: %s", v)
		  : st_xasprintf("Authorization: Bearer %s", v);
}

char *
st_provider_qs(const char *name, const char *value)
{
	char *e = curl_easy_escape(NULL, value, 0);
	char *s = st_xasprintf("%s=%s", name, e ? e : "");

	curl_free(e);
	return s;
}

/*
 * The auth header holds the secret: it is built just before the call
 * and wiped right after it.
 */
int
st_provider_call_raw(struct st_provider *p, const char *method,
		     const char *path, const char *query, const char *ctype,
		     const char *body, size_t len, bool idempotent,
		     struct st_http_response *resp, struct st_error *err)
{
	struct st_http_request req = { 0 };
	char *auth = NULL, *url = NULL, *ct = NULL;
	int ret = -1;

	memset(resp, 0, sizeof(*resp));
	p->failure = ST_PFAIL_NONE;
	p->code = 0;
	if (!(auth = auth_header(p, err)))
		return -1;
	url = st_xasprintf("%s%s%s%s", p->base_url, path, query ? "?" : "",
			   query ? query : "");
	req.method = method;
	req.url = url;
	req.headers[req.nheaders++] = auth;
	req.headers[req.nheaders++] = "Accept: application/json";
	if (body) {
		ct = st_xasprintf("Content-Type: %s", ctype);
		req.body = body;
		req.body_len = len;
		req.headers[req.nheaders++] = ct;
	}
	req.timeout_ms = p->timeout_ms;
	req.connect_timeout_ms = p->connect_timeout_ms;
	req.max_attempts = p->max_attempts;
	req.backoff_ms = p->backoff_ms;
	req.ca_bundle = p->ca_bundle;
	req.idempotent = idempotent;
	ret = st_http_send(&req, resp, err);
	if (ret < 0)
		p->failure = ST_PFAIL_TRANSPORT;
	st_free_secret(auth);
	free(url);
	free(ct);
	return ret;
}

int
st_provider_call(struct st_provider *p, const char *method, const char *path,
		 const char *query, json_t *body, bool idempotent,
		 struct st_http_response *resp, struct st_error *err)
{
	char *json = NULL;
	int ret;

	if (body)
		json = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	ret = st_provider_call_raw(p, method, path, query, "application/json",
				   json, json ? strlen(json) : 0, idempotent,
				   resp, err);
	free(json);
	return ret;
}

json_t *
st_provider_json(struct st_provider *p, const struct st_http_response *resp,
		 const char *what, struct st_error *err)
{
	json_error_t je;
	json_t *j = json_loadb(resp->body ? resp->body : "", resp->len, 0,
			       &je);

	if (j)
		return j;
	p->failure = ST_PFAIL_PROTOCOL;
	st_error_set(err, ST_ECONN, "%s %s failed: the response is not valid "
		     "JSON (HTTP %ld)", p->name, what, resp->status);
	st_error_detail(err, "%s at byte %d.", je.text, je.position);
	return NULL;
}

void
st_provider_classify(struct st_provider *p, long status)
{
	if (status == 401 || status == 403)
		p->failure = ST_PFAIL_AUTH;
	else if (status == 404)
		p->failure = ST_PFAIL_NOTFOUND;
	else if (status == 429)
		p->failure = ST_PFAIL_RATE;
	else if (status >= 500)
		p->failure = ST_PFAIL_SERVER;
	else
		p->failure = ST_PFAIL_REFUSED;
}

void
st_provider_fail(struct st_provider *p, const char *what, long status,
		 const char *message, struct st_error *err)
{
	enum st_errcode code = p->failure == ST_PFAIL_AUTH ? ST_EPERM
		: p->failure == ST_PFAIL_NOTFOUND ? ST_ENOTFOUND
		: p->failure == ST_PFAIL_REFUSED ? ST_EINVAL : ST_ECONN;

	st_error_set(err, code, "%s %s failed (HTTP %ld): %s", p->name, what,
		     status, message && *message ? message
						 : "no message given");
	if (p->failure == ST_PFAIL_AUTH)
		st_error_hint(err, "Check the credentials with \"strato "
			      "integration set %s\".", p->name);
	else if (p->failure == ST_PFAIL_QUOTA)
		st_error_hint(err, "The account's quota is used up; it is not "
			      "a bad key.");
}

enum st_send_outcome
st_provider_send_outcome(const struct st_provider *p,
			 const struct st_http_response *r)
{
	switch (p->failure) {
	case ST_PFAIL_NONE:
		return ST_SEND_OK;
	case ST_PFAIL_TRANSPORT:
		return r->outcome == ST_HTTP_UNKNOWN ? ST_SEND_UNKNOWN
						     : ST_SEND_RETRY_LATER;
	case ST_PFAIL_RATE:
		return ST_SEND_RETRY_LATER;
	case ST_PFAIL_SERVER:
		/* 503 says the service did not take it; a 500, 502 or 504
		 * may come after the provider acted: never resend blindly */
		return r->status == 503 ? ST_SEND_RETRY_LATER : ST_SEND_UNKNOWN;
	case ST_PFAIL_PROTOCOL:
		return r->status >= 200 && r->status < 300 ? ST_SEND_UNKNOWN
							   : ST_SEND_PERMANENT;
	default:
		return ST_SEND_PERMANENT;
	}
}

const struct st_channel_ops *
st_channel_ops(const char *provider)
{
	const char *p = st_integration_provider(provider);

	if (p && strcmp(p, "MANYCHAT") == 0)
		return &st_manychat_ops;
	if (p && strcmp(p, "UCHAT") == 0)
		return &st_uchat_ops;
	if (p && strcmp(p, "WHATSAPP") == 0)
		return &st_whatsapp_ops;
	return NULL;
}

int
st_channel_contact(struct st_provider *p, const char *phone,
		   const char *first_name, const char *last_name, char **id,
		   bool *created, struct st_error *err)
{
	const struct st_channel_ops *ops = st_channel_ops(p->name);

	*id = NULL;
	*created = false;
	if (!ops) {
		st_error_set(err, ST_EUSAGE, "%s is not a messaging channel",
			     p->name);
		return -1;
	}
	if (ops->find_contact(p, phone, id, err) < 0)
		return -1;
	if (*id)
		return 0;
	*created = true;
	return ops->create_contact(p, phone, first_name, last_name, id, err);
}

const char *
st_media_kind_name(enum st_media_kind k)
{
	static const char *const names[] = { "image", "audio", "file",
					     "video" };

	return (size_t)k < ST_ARRAY_SIZE(names) ? names[k] : "?";
}

int
st_media_kind_parse(const char *s)
{
	for (int k = ST_MEDIA_IMAGE; k <= ST_MEDIA_VIDEO; k++)
		if (s && st_str_ieq(s, st_media_kind_name(k)))
			return k;
	return -1;
}

/* The channel of p, or NULL with err set. */
static const struct st_channel_ops *
channel(struct st_provider *p, struct st_error *err)
{
	const struct st_channel_ops *ops = st_channel_ops(p->name);

	if (!ops)
		st_error_set(err, ST_EUSAGE, "%s is not a messaging channel",
			     p->name);
	return ops;
}

int
st_channel_send_media(struct st_provider *p, const char *contact,
		      enum st_media_kind kind, const char *url,
		      const char *caption, struct st_send_result *res,
		      struct st_error *err)
{
	const struct st_channel_ops *ops = channel(p, err);

	memset(res, 0, sizeof(*res));
	res->outcome = ST_SEND_PERMANENT;
	if (!ops)
		return -1;
	if ((size_t)kind > ST_MEDIA_VIDEO || !url || !*url) {
		st_error_set(err, ST_EUSAGE, "%s media needs a kind and a url",
			     p->name);
		return -1;
	}
	return ops->send_media(p, contact, kind, url, caption, res, err);
}

/* "WhatsApp has no contact fields": the channels without the call. */
static bool
missing(struct st_provider *p, bool have, const char *what,
	struct st_error *err)
{
	if (have)
		return false;
	st_error_set(err, ST_EUSAGE, "%s has no %s",
		     strcmp(p->name, "WHATSAPP") == 0 ? "WhatsApp" : p->name,
		     what);
	return true;
}

int
st_channel_set_field(struct st_provider *p, const char *contact,
		     const char *field, const char *value,
		     struct st_error *err)
{
	const struct st_channel_ops *ops = channel(p, err);

	if (!ops || missing(p, ops->set_field != NULL, "contact fields",
			    err))
		return -1;
	if (!field || !*field) {
		st_error_set(err, ST_EUSAGE, "%s set field needs a field name",
			     p->name);
		return -1;
	}
	return ops->set_field(p, contact, field, value ? value : "", err);
}

/* Add (add true) or remove a tag by name. */
static int
tag(struct st_provider *p, const char *contact, const char *name, bool add,
    struct st_error *err)
{
	const struct st_channel_ops *ops = channel(p, err);

	if (!ops || missing(p, add ? ops->add_tag != NULL
			    : ops->remove_tag != NULL, "tags", err))
		return -1;
	if (!name || !*name) {
		st_error_set(err, ST_EUSAGE, "%s tag needs a tag name",
			     p->name);
		return -1;
	}
	return add ? ops->add_tag(p, contact, name, err)
		   : ops->remove_tag(p, contact, name, err);
}

int
st_channel_add_tag(struct st_provider *p, const char *contact,
		   const char *name, struct st_error *err)
{
	return tag(p, contact, name, true, err);
}

int
st_channel_remove_tag(struct st_provider *p, const char *contact,
		      const char *name, struct st_error *err)
{
	return tag(p, contact, name, false, err);
}

int
st_provider_test(struct st_provider *p, char **summary, struct st_error *err)
{
	*summary = NULL;
	if (strcmp(p->name, "MANYCHAT") == 0)
		return st_manychat_test(p, summary, err);
	if (strcmp(p->name, "UCHAT") == 0)
		return st_uchat_test(p, summary, err);
	if (strcmp(p->name, "WHATSAPP") == 0)
		return st_whatsapp_test(p, summary, err);
	return st_elevenlabs_test(p, summary, err);
}

/* Plain fields from config, secrets copied and the originals wiped. */
int
st_provider_open(struct st_db *db, const char *tenant_id,
		 const char *provider, const struct st_crypto_key *key,
		 struct st_provider *p, struct st_error *err)
{
	struct st_secrets s = { 0 };
	char *config = NULL;
	json_t *c = NULL, *v;
	const char *k;

	if (st_provider_init(p, provider, NULL, err) < 0)
		return -1;
	if (st_integration_open_secrets(db, tenant_id, p->name, key, &config,
					&s, err) < 0) {
		st_provider_close(p);
		return -1;
	}
	c = json_loads(config, 0, NULL);
	json_object_foreach(c, k, v)
		if (json_is_string(v))
			st_provider_set(p, k, json_string_value(v), false);
	for (size_t i = 0; i < s.n; i++)
		st_provider_set(p, s.names[i], s.values[i], true);
	json_decref(c);
	free(config);
	st_secrets_release(&s);
	return 0;
}
