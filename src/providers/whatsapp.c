/*
 * whatsapp.c - the WhatsApp Business Cloud API (Graph API): the phone
 * number (the harmless test), text, template and media messages, and the
 * upload of media (multipart form data).
 *
 * There is no contact to create: the contact is the number, digits only
 * (wa_id). Errors come as {"error": {"code", "message", "error_data":
 * {"details"}}} and are mapped by code to what the sender should do; the
 * HTTP status of each code is not documented, so only the code counts
 * when there is one. The Graph version is the config's api_version
 * (default v21.0).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

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

/*
 * Read a Graph answer: 0 with *out the body on a 2xx without "error";
 * else -1 with p->failure, p->code and err from the error object.
 */
static int
wa_reply(struct st_provider *p, const char *what,
	 const struct st_http_response *resp, json_t **out,
	 struct st_error *err)
{
	json_t *j = NULL, *e, *ed;
	const char *details;

	if (!(j = st_provider_json(p, resp, what, err)))
		return -1;
	e = json_object_get(j, "error");
	if (resp->status >= 200 && resp->status < 300 && !e) {
		*out = j;
		return 0;
	}
	p->code = (long)json_integer_value(json_object_get(e, "code"));
	st_provider_classify(p, resp->status);
	if (p->code == 190)
		p->failure = ST_PFAIL_AUTH;
	st_provider_fail(p, what, resp->status,
			 json_string_value(json_object_get(e, "message")), err);
	ed = json_object_get(e, "error_data");
	details = json_string_value(json_object_get(ed, "details"));
	if (details)
		st_error_detail(err, "WhatsApp error %ld: %s", p->code,
				details);
	else if (p->code)
		st_error_detail(err, "WhatsApp error %ld.", p->code);
	json_decref(j);
	return -1;
}

static int
wa_call(struct st_provider *p, const char *method, const char *tail,
	json_t *body, bool idempotent, json_t **out,
	struct st_http_response *resp, struct st_error *err)
{
	char *path = wa_path(p, tail, err);
	int ret = -1;

	*out = NULL;
	memset(resp, 0, sizeof(*resp));
	if (!path || st_provider_call(p, method, path, NULL, body, idempotent,
				      resp, err) < 0)
		goto cleanup;
	ret = wa_reply(p, path + 1, resp, out, err);
cleanup:
	free(path);
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

json_t *
st_whatsapp_components(const char *const *params, size_t nparams)
{
	json_t *comps = json_array(), *ps;

	if (!nparams)
		return comps;
	ps = json_array();
	for (size_t i = 0; i < nparams; i++)
		json_array_append_new(ps, json_pack("{s:s, s:s}", "type",
						    "text", "text", params[i]));
	json_array_append_new(comps, json_pack("{s:s, s:o}", "type", "body",
					       "parameters", ps));
	return comps;
}

static int
wa_send_template(struct st_provider *p, const char *contact,
		 const char *name, const char *lang,
		 const char *const *params, size_t nparams,
		 struct st_send_result *res, struct st_error *err)
{
	json_t *body, *comps = st_whatsapp_components(params, nparams);
	int ret;

	body = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:s}, s:o}}",
			 "messaging_product", "whatsapp", "recipient_type",
			 "individual", "to", contact, "type", "template",
			 "template", "name", name, "language", "code",
			 lang ? lang : "es_AR", "components", comps);
	ret = wa_send(p, body, res, err);
	json_decref(body);
	return ret;
}

/* The last segment of a link's path, or NULL: a document's filename. */
static char *
link_filename(const char *url)
{
	const char *host = strstr(url, "://");
	const char *path = strchr(host ? host + 3 : url, '/');
	const char *end, *b;

	if (!path)
		return NULL;
	end = path + strcspn(path, "?#");
	for (b = end; b > path && b[-1] != '/'; b--)
		;
	return b < end ? st_xstrndup(b, (size_t)(end - b)) : NULL;
}

/*
 * {"link": url} or, for "media:<id>", {"id": id}; a caption except on
 * audio, and a document's filename from its link.
 */
static json_t *
wa_media_object(enum st_media_kind kind, const char *url,
		const char *caption)
{
	bool id = strncmp(url, "media:", 6) == 0;
	json_t *o = json_pack("{s:s}", id ? "id" : "link", id ? url + 6 : url);
	char *fn = NULL;

	if (caption && *caption)
		json_object_set_new(o, "caption", json_string(caption));
	if (kind == ST_MEDIA_FILE && !id && (fn = link_filename(url)))
		json_object_set_new(o, "filename", json_string(fn));
	free(fn);
	return o;
}

static int
wa_send_media(struct st_provider *p, const char *contact,
	      enum st_media_kind kind, const char *url, const char *caption,
	      struct st_send_result *res, struct st_error *err)
{
	const char *type = kind == ST_MEDIA_FILE ? "document"
						 : st_media_kind_name(kind);
	json_t *body;
	int ret;

	if (kind == ST_MEDIA_AUDIO && caption && *caption) {
		memset(res, 0, sizeof(*res));
		res->outcome = ST_SEND_PERMANENT;
		st_error_set(err, ST_EUSAGE, "WhatsApp audio takes no caption");
		st_error_hint(err, "Send the caption as a text message.");
		return -1;
	}
	body = json_pack("{s:s, s:s, s:s, s:s, s:o}", "messaging_product",
			 "whatsapp", "recipient_type", "individual", "to",
			 contact, "type", type, type,
			 wa_media_object(kind, url, caption));
	ret = wa_send(p, body, res, err);
	json_decref(body);
	return ret;
}

/* An id that came as a string or a number, as text. */
static char *
id_of(json_t *v)
{
	if (json_is_string(v) && *json_string_value(v))
		return st_xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return st_xasprintf("%" JSON_INTEGER_FORMAT,
				    json_integer_value(v));
	return NULL;
}

/* The whole file (a new buffer); NULL with err set. */
static char *
slurp(const char *path, size_t *len, struct st_error *err)
{
	struct st_buf b = ST_BUF_INIT;
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f) {
		st_error_set(err, ST_EIO, "cannot open \"%s\": %s", path,
			     strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		st_buf_add(&b, chunk, n);
	if (ferror(f) || b.len == 0) {
		st_error_set(err, ferror(f) ? ST_EIO : ST_EUSAGE, "cannot "
			     "upload \"%s\": %s", path, ferror(f) ?
			     strerror(errno) : "the file is empty");
		st_buf_release(&b);
	}
	fclose(f);
	*len = b.len;
	return b.len ? st_buf_detach(&b) : NULL;
}

/* "strato-" and 24 random hex digits, not found in the data. */
static char *
boundary(const char *data, size_t len)
{
	unsigned char r[12];
	char *b = NULL;

	do {
		free(b);
		if (RAND_bytes(r, sizeof(r)) != 1)
			for (size_t i = 0; i < sizeof(r); i++)
				r[i] = (unsigned char)rand();
		b = st_xasprintf("strato-%02x%02x%02x%02x%02x%02x%02x%02x"
				 "%02x%02x%02x%02x", r[0], r[1], r[2], r[3],
				 r[4], r[5], r[6], r[7], r[8], r[9], r[10],
				 r[11]);
	} while (memmem(data, len, b, strlen(b)));
	return b;
}

/*
 * messaging_product, type (unless the config's media_type_field is
 * "no": Meta's documents disagree on it) and file, named by path's last
 * component with quotes and line breaks made '_'.
 */
static char *
multipart(struct st_provider *p, const char *bnd, const char *path,
	  const char *mime, const char *data, size_t len, size_t *out_len)
{
	const char *tf = st_provider_conf(p, "media_type_field");
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct st_buf b = ST_BUF_INIT;
	char *fn = st_xstrdup(*base ? base : "file");

	for (char *c = fn; *c; c++)
		if (*c == '"' || *c == '\\' || *c == '\r' || *c == '\n')
			*c = '_';
	st_buf_addf(&b, "--%s\r\nContent-Disposition: form-data; name=\""
		    "messaging_product\"\r\n\r\nwhatsapp\r\n", bnd);
	if (!tf || !st_str_ieq(tf, "no"))
		st_buf_addf(&b, "--%s\r\nContent-Disposition: form-data; "
			    "name=\"type\"\r\n\r\n%s\r\n", bnd, mime);
	st_buf_addf(&b, "--%s\r\nContent-Disposition: form-data; name=\"file"
		    "\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n", bnd, fn,
		    mime);
	st_buf_add(&b, data, len);
	st_buf_addf(&b, "\r\n--%s--\r\n", bnd);
	free(fn);
	*out_len = b.len;
	return st_buf_detach(&b);
}

/* A repeated upload only leaves another copy: safe to retry. */
int
st_whatsapp_upload_media(struct st_provider *p, const char *path,
			 const char *mime, char **media_id,
			 struct st_error *err)
{
	struct st_http_response r = { 0 };
	char *data = NULL, *bnd = NULL, *body = NULL, *ct = NULL, *url = NULL;
	size_t len = 0, blen = 0;
	json_t *j = NULL;
	int ret = -1;

	*media_id = NULL;
	if (!mime || !*mime || strpbrk(mime, "\r\n")) {
		st_error_set(err, ST_EUSAGE, "WhatsApp upload needs the file's "
			     "MIME type");
		return -1;
	}
	if (!(url = wa_path(p, "/media", err)) ||
	    !(data = slurp(path, &len, err)))
		goto cleanup;
	bnd = boundary(data, len);
	body = multipart(p, bnd, path, mime, data, len, &blen);
	ct = st_xasprintf("multipart/form-data; boundary=%s", bnd);
	if (st_provider_call_raw(p, "POST", url, NULL, ct, body, blen, true,
				 &r, err) < 0 ||
	    wa_reply(p, url + 1, &r, &j, err) < 0)
		goto cleanup;
	if (!(*media_id = id_of(json_object_get(j, "id")))) {
		p->failure = ST_PFAIL_PROTOCOL;
		st_error_set(err, ST_ECONN, "WHATSAPP %s failed: the response "
			     "has no media id", url + 1);
		goto cleanup;
	}
	ret = 0;
cleanup:
	json_decref(j);
	st_http_response_release(&r);
	free(data);
	free(bnd);
	free(body);
	free(ct);
	free(url);
	return ret;
}

const struct st_channel_ops st_whatsapp_ops = {
	.provider = "WHATSAPP",
	.find_contact = wa_find,
	.create_contact = wa_create,
	.send_text = wa_send_text,
	.send_template = wa_send_template,
	.send_media = wa_send_media,
	.set_field = NULL,
	.add_tag = NULL,
	.remove_tag = NULL,
};
