/*
 * integration-secret.c - the providers' fields and the sealed secrets blob.
 *
 * The blob is a flat JSON object of strings, {"api_token":"…"}, written
 * and read here by hand rather than with jansson so that every copy of a
 * secret is one this file wipes. Secret values are printable ASCII (what
 * every provider's tokens are), so only '"' and '\' need escaping.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "integration-internal.h"

static const struct st_integration_field manychat_fields[] = {
	{ "api_token", true, true, "API token from Settings > API "
	  "(\"page_id:api_key\")", ST_FIELD_TEXT },
	{ "webhook_token", true, false, "shared secret ManyChat's External "
	  "Request sends to STRATO", ST_FIELD_TEXT },
	{ "base_url", false, false, "API base URL (https://api.manychat.com)",
	  ST_FIELD_TEXT },
	{ "max_per_second", false, false, "campaign sends per second on the "
	  "account (25; 0: no limit)", ST_FIELD_RATE },
	{ NULL, false, false, NULL, ST_FIELD_TEXT },
};

static const struct st_integration_field uchat_fields[] = {
	{ "api_token", true, true, "API token of the workspace's bot",
	  ST_FIELD_TEXT },
	{ "webhook_token", true, false, "shared secret UChat's webhook sends "
	  "to STRATO", ST_FIELD_TEXT },
	{ "base_url", false, false, "API base URL "
	  "(https://www.uchat.com.au/api)", ST_FIELD_TEXT },
	{ "add_tag_path", false, false, "tag endpoint (unconfirmed; "
	  "/subscriber/add-tag-by-name)", ST_FIELD_TEXT },
	{ "remove_tag_path", false, false, "untag endpoint (unconfirmed; "
	  "/subscriber/remove-tag-by-name)", ST_FIELD_TEXT },
	{ "max_per_second", false, false, "campaign sends per second on the "
	  "account (10; 0: no limit)", ST_FIELD_RATE },
	{ NULL, false, false, NULL, ST_FIELD_TEXT },
};

static const struct st_integration_field elevenlabs_fields[] = {
	{ "api_key", true, true, "API key (the xi-api-key header)",
	  ST_FIELD_TEXT },
	{ "voice_id", false, true, "voice to synthesise with", ST_FIELD_TEXT },
	{ "model_id", false, false, "model (eleven_multilingual_v2)",
	  ST_FIELD_TEXT },
	{ "output_format", false, false, "audio format (mp3_44100_128)",
	  ST_FIELD_TEXT },
	{ "base_url", false, false, "API base URL "
	  "(https://api.elevenlabs.io)", ST_FIELD_TEXT },
	{ NULL, false, false, NULL, ST_FIELD_TEXT },
};

static const struct st_integration_field whatsapp_fields[] = {
	{ "phone_number_id", false, true, "Cloud API phone number id",
	  ST_FIELD_TEXT },
	{ "waba_id", false, false, "WhatsApp Business Account id",
	  ST_FIELD_TEXT },
	{ "access_token", true, true, "system user access token",
	  ST_FIELD_TEXT },
	{ "app_secret", true, true, "app secret that signs webhooks",
	  ST_FIELD_TEXT },
	{ "verify_token", true, false, "webhook verify token", ST_FIELD_TEXT },
	{ "api_version", false, false, "Graph API version (v21.0)",
	  ST_FIELD_TEXT },
	{ "base_url", false, false, "API base URL "
	  "(https://graph.facebook.com)", ST_FIELD_TEXT },
	{ "media_type_field", false, false, "media upload sends the type "
	  "field: yes (default) or no (unconfirmed)", ST_FIELD_TEXT },
	{ "max_per_second", false, false, "campaign sends per second on the "
	  "account (80; 0: no limit)", ST_FIELD_RATE },
	{ "pair_burst", false, false, "campaign messages to one recipient "
	  "at once (45; 0: no limit)", ST_FIELD_RATE },
	{ "pair_interval_s", false, false, "seconds until one more to the "
	  "same recipient (6)", ST_FIELD_POSITIVE },
	{ NULL, false, false, NULL, ST_FIELD_TEXT },
};

static const struct {
	const char *name;
	const struct st_integration_field *fields;
} providers[] = {
	{ "MANYCHAT", manychat_fields },
	{ "UCHAT", uchat_fields },
	{ "ELEVENLABS", elevenlabs_fields },
	{ "WHATSAPP", whatsapp_fields },
};

/* Case-insensitive: users type manychat, the table says MANYCHAT. */
const char *
st_integration_provider(const char *s)
{
	for (size_t i = 0; s && i < ST_ARRAY_SIZE(providers); i++)
		if (st_str_ieq(s, providers[i].name))
			return providers[i].name;
	return NULL;
}

/* The table of a canonical name; NULL for anything else. */
const struct st_integration_field *
st_integration_fields(const char *provider)
{
	for (size_t i = 0; provider && i < ST_ARRAY_SIZE(providers); i++)
		if (strcmp(provider, providers[i].name) == 0)
			return providers[i].fields;
	return NULL;
}

/* Exact, lower-case field names only: flags are mapped before. */
const struct st_integration_field *
st_integration_field(const char *provider, const char *name)
{
	const struct st_integration_field *f = st_integration_fields(provider);

	for (; f && f->name; f++)
		if (name && strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* For error hints: the valid fields, in table order. */
char *
st_integration_field_names(const char *provider)
{
	struct st_buf b = ST_BUF_INIT;
	const struct st_integration_field *f = st_integration_fields(provider);

	for (; f && f->name; f++)
		st_buf_addf(&b, "%s%s", b.len ? ", " : "", f->name);
	return st_buf_detach(&b);
}

/*
 * Four characters of a short secret would give away too much of it, so
 * secrets under 12 characters show as the ellipsis alone.
 */
char *
st_integration_mask(const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;

	if (n < 12)
		return st_xstrdup("…");
	return st_xasprintf("…%s", secret + n - 4);
}

/* Wipe every value; names are borrowed from the field tables. */
void
st_secrets_release(struct st_secrets *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		st_free_secret(s->values[i]);
	memset(s, 0, sizeof(*s));
}

/* Replace or add; an equal value is no change (and no audit entry). */
bool
st_secrets_put(struct st_secrets *s, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			break;
	if (i < s->n) {
		if (strcmp(s->values[i], value) == 0)
			return false;
		st_free_secret(s->values[i]);
	} else if (s->n == ST_SECRETS_MAX) {
		return false; /* cannot happen: no provider has that many */
	} else {
		s->names[s->n++] = name;
	}
	s->values[i] = st_xstrdup(value);
	return true;
}

/* Borrowed; valid until the set changes. */
const char *
st_secrets_get(const struct st_secrets *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return s->values[i];
	return NULL;
}

/* Printable ASCII only, so the blob needs just two escapes. */
int
st_secrets_check_value(const char *provider, const char *name,
		       const char *value, struct st_error *err)
{
	size_t n = value ? strlen(value) : 0;

	if (n == 0) {
		st_error_set(err, ST_EINVAL, "the %s %s is empty", provider,
			     name);
		return -1;
	}
	if (n > 4096) {
		st_error_set(err, ST_EINVAL, "the %s %s is longer than 4096 "
			     "characters", provider, name);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)value[i] < 0x20 ||
		    (unsigned char)value[i] > 0x7e) {
			st_error_set(err, ST_EINVAL, "the %s %s holds a "
				     "control character or non-ASCII byte",
				     provider, name);
			st_error_hint(err, "Provider tokens are printable "
				      "ASCII; check what was pasted.");
			return -1;
		}
	return 0;
}

/* The blob's exact size, so it is written once and never reallocated. */
static size_t
blob_size(const struct st_secrets *s)
{
	size_t n = 3; /* "{}" and the NUL */

	for (size_t i = 0; i < s->n; i++) {
		n += strlen(s->names[i]) + 6; /* "":"" and a comma */
		for (const char *p = s->values[i]; *p; p++)
			n += (*p == '"' || *p == '\\') ? 2 : 1;
	}
	return n;
}

static char *
blob_write(const struct st_secrets *s, size_t *len)
{
	size_t cap = blob_size(s);
	char *buf = st_xmalloc(cap);
	char *o = buf;

	*o++ = '{';
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			*o++ = ',';
		o += sprintf(o, "\"%s\":\"", s->names[i]);
		for (const char *p = s->values[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				*o++ = '\\';
			*o++ = *p;
		}
		*o++ = '"';
	}
	*o++ = '}';
	*o = '\0';
	*len = (size_t)(o - buf);
	return buf;
}

/* One JSON string at *p into a new buffer (wiped by the caller). */
static char *
blob_string(const char **p)
{
	const char *s = *p;
	char *out, *o;

	if (*s++ != '"')
		return NULL;
	out = o = st_xmalloc(strlen(s) + 1);
	while (*s && *s != '"') {
		if (*s == '\\') {
			s++;
			if (*s != '"' && *s != '\\')
				break;
		}
		*o++ = *s++;
	}
	*o = '\0';
	if (*s != '"') {
		st_free_secret(out);
		return NULL;
	}
	*p = s + 1;
	return out;
}

/* Parse a blob this file wrote; field names must be the provider's. */
static int
blob_read(const char *provider, const char *p, struct st_secrets *out)
{
	char *name = NULL, *value = NULL;
	const struct st_integration_field *f;
	int ret = -1;
	int k = 0;

	if (*p++ != '{')
		return -1;
	while (*p != '}') {
		if (k++ && *p++ != ',')
			goto cleanup;
		name = blob_string(&p);
		if (!name || *p++ != ':' || !(value = blob_string(&p)))
			goto cleanup;
		f = st_integration_field(provider, name);
		if (!f || !f->secret)
			goto cleanup;
		st_secrets_put(out, f->name, value);
		free(name);
		st_free_secret(value);
		name = value = NULL;
	}
	ret = p[1] == '\0' ? 0 : -1;
cleanup:
	free(name);
	st_free_secret(value);
	return ret;
}

/* The additional data: where the ciphertext lives. */
static char *
aad_of(const char *tenant_id, const char *provider)
{
	return st_xasprintf("strato.tenant_integration:%s:%s", tenant_id,
			    provider);
}

/* Written to a buffer of exact size, sealed, then wiped. */
char *
st_secrets_seal(const char *tenant_id, const char *provider,
		const struct st_secrets *s, const struct st_crypto_key *key,
		struct st_error *err)
{
	static const char hexd[] = "0123456789abcdef";
	char *aad = aad_of(tenant_id, provider);
	unsigned char *ct = NULL;
	size_t ctlen = 0, len = 0;
	char *blob = blob_write(s, &len);
	char *hex = NULL;

	if (st_crypto_seal(key, aad, (unsigned char *)blob, len, &ct, &ctlen,
			   err) == 0) {
		hex = st_xmalloc(2 * ctlen + 3);
		hex[0] = '\\';
		hex[1] = 'x';
		for (size_t i = 0; i < ctlen; i++) {
			hex[2 + 2 * i] = hexd[ct[i] >> 4];
			hex[3 + 2 * i] = hexd[ct[i] & 0x0f];
		}
		hex[2 + 2 * ctlen] = '\0';
	}
	OPENSSL_cleanse(blob, len);
	free(blob);
	free(ct);
	free(aad);
	return hex;
}

/* Hex digits to bytes; NULL on a bad digit or odd length. */
static unsigned char *
hex_decode(const char *hex, size_t *n)
{
	size_t len = strlen(hex);
	unsigned char *out;

	if (len % 2)
		return NULL;
	out = st_xmalloc(len / 2 + 1);
	for (size_t i = 0; i < len / 2; i++) {
		int hi = st_hex_digit(hex[2 * i]);
		int lo = st_hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(out);
			return NULL;
		}
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	*n = len / 2;
	return out;
}

/* Key checks first, so a wrong key is named instead of failing the tag. */
static int
check_key(const char *provider, const char *key_id,
	  const struct st_crypto_key *key, struct st_error *err)
{
	if (!key) {
		st_error_set(err, ST_ESTATE, "cannot decrypt the %s secrets: "
			     "no master key is configured", provider);
		st_error_detail(err, "They were encrypted under key %s.",
				key_id ? key_id : "(none)");
		st_error_hint(err, "Set STRATO_MASTER_KEY_FILE to a file "
			      "holding the key (base64 of 32 bytes), or "
			      "STRATO_MASTER_KEY.");
		return -1;
	}
	if (!key_id || strcmp(key_id, key->id) != 0) {
		st_error_set(err, ST_EINVAL, "cannot decrypt the %s secrets: "
			     "they were encrypted under key %s, not the "
			     "configured key %s", provider,
			     key_id ? key_id : "(none)", key->id);
		st_error_hint(err, "Configure the master key they were sealed "
			      "with; \"strato integration rotate-key\" moves "
			      "them to a new one.");
		return -1;
	}
	return 0;
}

/* The key id is checked before the tag, to name a wrong key. */
int
st_secrets_open(const char *tenant_id, const char *provider,
		const char *hex, const char *key_id,
		const struct st_crypto_key *key, struct st_secrets *out,
		struct st_error *err)
{
	char *aad = NULL, *pt = NULL;
	unsigned char *ct = NULL;
	size_t ctlen = 0, ptlen = 0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (check_key(provider, key_id, key, err) < 0)
		return -1;
	aad = aad_of(tenant_id, provider);
	ct = hex_decode(hex, &ctlen);
	if (!ct || st_crypto_open(key, aad, ct, ctlen, &pt, &ptlen, err) < 0) {
		st_error_set(err, ST_EINVAL, "cannot decrypt the %s secrets: "
			     "the ciphertext fails authentication under key "
			     "%s", provider, key->id);
		st_error_detail(err, "It was altered, or copied from another "
				"tenant or provider.");
		st_error_hint(err, "Set the secrets again with \"strato "
			      "integration set\".");
		goto cleanup;
	}
	if (blob_read(provider, pt, out) < 0) {
		st_secrets_release(out);
		st_error_set(err, ST_EINTERNAL, "cannot read the %s secrets: "
			     "the decrypted data is malformed", provider);
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (pt) {
		OPENSSL_cleanse(pt, ptlen);
		free(pt);
	}
	free(ct);
	free(aad);
	return ret;
}
