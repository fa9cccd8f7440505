/*
 * elevenlabs.c - ElevenLabs text to speech: synthesis into a file, the
 * voices, the subscription's characters.
 *
 * Errors are {"detail": …} where detail is an object {status, message},
 * an array of validation errors (422) or a plain string. A 401 whose
 * status is quota_exceeded is an exhausted quota, not a bad key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider-internal.h"
#include "strato/util.h"

#define EL_MODEL "eleven_multilingual_v2"
#define EL_FORMAT "mp3_44100_128"

/* Set p->failure and err from an error response. */
static void
el_error(struct st_provider *p, const char *what,
	 const struct st_http_response *r, struct st_error *err)
{
	json_t *j = json_loadb(r->body ? r->body : "", r->len, 0, NULL);
	json_t *d = json_object_get(j, "detail");
	const char *status = json_string_value(json_object_get(d, "status"));
	const char *msg = json_string_value(json_object_get(d, "message"));
	char *loc = NULL;

	st_provider_classify(p, r->status);
	if (status && strcmp(status, "quota_exceeded") == 0)
		p->failure = ST_PFAIL_QUOTA;
	if (!msg)
		msg = json_string_value(d);
	if (!msg)
		msg = json_string_value(json_object_get(json_array_get(d, 0),
							"msg"));
	st_provider_fail(p, what, r->status, msg, err);
	if (p->failure == ST_PFAIL_QUOTA)
		st_error_set(err, ST_ESTATE, "ELEVENLABS quota exceeded: %s",
			     msg ? msg : "no characters left");
	if (status)
		st_error_detail(err, "ElevenLabs status %s.", status);
	else if (json_is_array(d) && (loc = json_dumps(json_object_get(
			json_array_get(d, 0), "loc"), JSON_COMPACT)) != NULL)
		st_error_detail(err, "At %s.", loc);
	free(loc);
	json_decref(j);
}

/* Call; 0 with *out the JSON body of a 2xx, else -1 with err set. */
static int
el_json(struct st_provider *p, const char *path, json_t **out,
	struct st_error *err)
{
	struct st_http_response r;
	int ret = -1;

	*out = NULL;
	if (st_provider_call(p, "GET", path, NULL, NULL, true, &r, err) < 0)
		goto cleanup;
	if (r.status < 200 || r.status > 299) {
		el_error(p, path + 1, &r, err);
		goto cleanup;
	}
	*out = st_provider_json(p, &r, path + 1, err);
	ret = *out ? 0 : -1;
cleanup:
	st_http_response_release(&r);
	return ret;
}

int
st_voice_remaining(struct st_provider *p, long *remaining, long *limit,
		   struct st_error *err)
{
	json_t *j = NULL;
	json_int_t count, lim;

	if (el_json(p, "/v1/user/subscription", &j, err) < 0)
		return -1;
	count = json_integer_value(json_object_get(j, "character_count"));
	lim = json_integer_value(json_object_get(j, "character_limit"));
	*limit = (long)lim;
	*remaining = (long)(lim - count);
	json_decref(j);
	return 0;
}

int
st_elevenlabs_test(struct st_provider *p, char **summary,
		   struct st_error *err)
{
	long left = 0, limit = 0;

	if (st_voice_remaining(p, &left, &limit, err) < 0)
		return -1;
	*summary = st_xasprintf("%ld of %ld characters left", left, limit);
	return 0;
}

void
st_voice_list_release(struct st_voice_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].voice_id);
		free(l->items[i].name);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

int
st_voice_list(struct st_provider *p, struct st_voice_list *out,
	      struct st_error *err)
{
	json_t *j = NULL, *v, *a;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (el_json(p, "/v1/voices", &j, err) < 0)
		return -1;
	a = json_object_get(j, "voices");
	out->items = st_xcalloc(json_array_size(a) + 1, sizeof(*out->items));
	json_array_foreach(a, i, v) {
		const char *id = json_string_value(json_object_get(v,
								   "voice_id"));

		if (!id)
			continue;
		out->items[out->n].voice_id = st_xstrdup(id);
		out->items[out->n++].name = st_xstrdup(
			json_string_value(json_object_get(v, "name")) ?
			json_string_value(json_object_get(v, "name")) : "");
	}
	json_decref(j);
	return 0;
}

/* The body: text, model and the settings without null values. */
static json_t *
tts_body(const char *text, const char *model, const char *settings,
	 struct st_error *err)
{
	json_t *b = json_pack("{s:s, s:s}", "text", text, "model_id", model);
	json_t *s = NULL, *vs = json_object(), *v;
	const char *k;

	if (settings)
		s = json_loads(settings, 0, NULL);
	if (settings && !json_is_object(s)) {
		st_error_set(err, ST_EUSAGE, "voice settings are not a JSON "
			     "object");
		json_decref(s);
		json_decref(vs);
		json_decref(b);
		return NULL;
	}
	json_object_foreach(s, k, v)
		if (!json_is_null(v))
			json_object_set(vs, k, v);
	if (json_object_size(vs))
		json_object_set(b, "voice_settings", vs);
	json_decref(vs);
	json_decref(s);
	return b;
}

static int
write_file(const char *path, const struct st_http_response *r,
	   struct st_error *err)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(r->body, 1, r->len, f) != r->len) {
		st_error_set(err, ST_EIO, "cannot write %s: %m", path);
		if (f)
			fclose(f);
		return -1;
	}
	if (fclose(f) != 0) {
		st_error_set(err, ST_EIO, "cannot write %s: %m", path);
		return -1;
	}
	return 0;
}

/* Idempotent: synthesis has no effect beyond the characters it uses. */
int
st_voice_synthesize(struct st_provider *p, const char *text,
		    const char *voice_id, const char *model_id,
		    const char *format, const char *settings,
		    const char *path, struct st_error *err)
{
	struct st_http_response r = { 0 };
	json_t *body = NULL;
	char *url = NULL, *q = NULL;
	int ret = -1;

	voice_id = voice_id ? voice_id : st_provider_conf(p, "voice_id");
	model_id = model_id ? model_id : st_provider_conf(p, "model_id");
	format = format ? format : st_provider_conf(p, "output_format");
	if (!voice_id || !*voice_id) {
		st_error_set(err, ST_EUSAGE, "no ELEVENLABS voice_id given or "
			     "configured");
		return -1;
	}
	if (!(body = tts_body(text, model_id ? model_id : EL_MODEL, settings,
			      err)))
		return -1;
	url = st_xasprintf("/v1/text-to-speech/%s", voice_id);
	q = st_provider_qs("output_format", format ? format : EL_FORMAT);
	if (st_provider_call(p, "POST", url, q, body, true, &r, err) < 0)
		goto cleanup;
	if (r.status < 200 || r.status > 299) {
		el_error(p, "text-to-speech", &r, err);
		goto cleanup;
	}
	ret = write_file(path, &r, err);
cleanup:
	json_decref(body);
	free(url);
	free(q);
	st_http_response_release(&r);
	return ret;
}
