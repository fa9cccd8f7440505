/*
 * provider.h - the tenant's provider accounts, behind two interfaces.
 *
 * A struct st_provider is one integration opened for calls: its base URL
 * (the config's base_url or the provider's public one), its plain config
 * and its secrets, decrypted in memory only and wiped by
 * st_provider_close(). Calls go through http.h.
 *
 * Channels (MANYCHAT, UCHAT, WHATSAPP) find or create a contact by phone
 * and send text (and, on WhatsApp, templates); a send says what the
 * campaign engine should do next in an enum st_send_outcome. The voice
 * (ELEVENLABS) synthesises to a file, lists voices and reads the
 * characters left. Every call leaves the kind of failure in p->failure
 * (a bad key and an exhausted quota are different things).
 *
 * Settings not in the integration's config come from the environment:
 * STRATO_CA_BUNDLE (CA file), STRATO_HTTP_TIMEOUT_MS,
 * STRATO_HTTP_ATTEMPTS and STRATO_HTTP_BACKOFF_MS.
 */
#ifndef STRATO_PROVIDER_H
#define STRATO_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "strato/crypto.h"
#include "strato/db.h"
#include "strato/error.h"

#define ST_PROVIDER_SECRETS_MAX 8

/* What failed, beyond the error message. */
enum st_provider_failure {
	ST_PFAIL_NONE,
	ST_PFAIL_AUTH,      /* bad or expired credentials */
	ST_PFAIL_QUOTA,     /* ElevenLabs quota_exceeded */
	ST_PFAIL_RATE,      /* rate limited after the retries */
	ST_PFAIL_REFUSED,   /* the provider refused the request (4xx, or an
			       error inside a 200) */
	ST_PFAIL_NOTFOUND,  /* 404: wrong id or base URL */
	ST_PFAIL_SERVER,    /* 5xx after the retries */
	ST_PFAIL_TRANSPORT, /* no response */
	ST_PFAIL_PROTOCOL,  /* a response STRATO cannot read */
};

/* What to do about a message after a send. */
enum st_send_outcome {
	ST_SEND_OK,             /* accepted by the provider */
	ST_SEND_PERMANENT,      /* will never go: do not retry */
	ST_SEND_RETRY_LATER,    /* rate limits, 503: nothing sent, retry later */
	ST_SEND_NEEDS_TEMPLATE, /* outside the 24-hour window */
	ST_SEND_UNKNOWN,        /* may have gone out: never resend blindly */
};

struct st_provider {
	const char *name; /* MANYCHAT, UCHAT, ELEVENLABS, WHATSAPP */
	char *base_url;   /* without a trailing slash */
	json_t *config;   /* the plain fields */
	size_t nsecrets;
	char *secret_names[ST_PROVIDER_SECRETS_MAX];
	char *secret_values[ST_PROVIDER_SECRETS_MAX]; /* wiped on close */
	long timeout_ms;
	long connect_timeout_ms;
	int max_attempts;
	long backoff_ms;
	const char *ca_bundle;
	enum st_provider_failure failure; /* of the last call */
	long code; /* the provider's error code of the last call, or 0 */
};

struct st_send_result {
	enum st_send_outcome outcome;
	char *message_id; /* the provider's id of the message, if any */
	long code;        /* the provider's error code, or 0 */
};

void st_send_result_release(struct st_send_result *r);
const char *st_send_outcome_name(enum st_send_outcome o);
const char *st_provider_failure_name(enum st_provider_failure f);

/*
 * An integration without the database (tests, tools): name is a provider
 * in any case, base_url NULL for the public one.
 */
int st_provider_init(struct st_provider *p, const char *name,
		     const char *base_url, struct st_error *err);
/* Set a plain or secret field (copied; a secret is wiped on close). */
void st_provider_set(struct st_provider *p, const char *field,
		     const char *value, bool secret);
/* A plain field's string value, or NULL. */
const char *st_provider_conf(const struct st_provider *p, const char *f);
/* A secret's value (borrowed until close), or NULL. */
const char *st_provider_secret(const struct st_provider *p, const char *f);
/*
 * Open the tenant's integration: its config and secrets (decrypted with
 * key). Tenant and platform admins only: the secrets are theirs.
 */
int st_provider_open(struct st_db *db, const char *tenant_id,
		     const char *provider, const struct st_crypto_key *key,
		     struct st_provider *p, struct st_error *err);
/* Wipe the secrets and free everything; accepts a zeroed one. */
void st_provider_close(struct st_provider *p);

/*
 * A harmless authenticated call (ManyChat page info, UChat tags, the
 * WhatsApp phone number, ElevenLabs subscription). *summary gets a short
 * line about the account (a new string). The secret is never in it.
 */
int st_provider_test(struct st_provider *p, char **summary,
		     struct st_error *err);

/* What a media message carries (send_media). */
enum st_media_kind {
	ST_MEDIA_IMAGE,
	ST_MEDIA_AUDIO,
	ST_MEDIA_FILE,
	ST_MEDIA_VIDEO,
};

/* A channel: ManyChat, UChat or WhatsApp. */
struct st_channel_ops {
	const char *provider;
	/* contact id for phone (E.164), or *id NULL when there is none */
	int (*find_contact)(struct st_provider *p, const char *phone,
			    char **id, struct st_error *err);
	int (*create_contact)(struct st_provider *p, const char *phone,
			      const char *first_name, const char *last_name,
			      char **id, struct st_error *err);
	/* 0 when accepted; -1 with res->outcome saying what to do */
	int (*send_text)(struct st_provider *p, const char *contact,
			 const char *text, struct st_send_result *res,
			 struct st_error *err);
	/* WhatsApp only (NULL elsewhere): params fill the body in order */
	int (*send_template)(struct st_provider *p, const char *contact,
			     const char *name, const char *lang,
			     const char *const *params, size_t nparams,
			     struct st_send_result *res,
			     struct st_error *err);
	/*
	 * Media by public link (url); caption may be NULL. On WhatsApp a url
	 * "media:<id>" sends an uploaded media id instead (see
	 * st_whatsapp_upload_media). Outcomes as send_text.
	 */
	int (*send_media)(struct st_provider *p, const char *contact,
			  enum st_media_kind kind, const char *url,
			  const char *caption, struct st_send_result *res,
			  struct st_error *err);
	/* Contact fields and tags: ManyChat and UChat (NULL on WhatsApp) */
	int (*set_field)(struct st_provider *p, const char *contact,
			 const char *field, const char *value,
			 struct st_error *err);
	int (*add_tag)(struct st_provider *p, const char *contact,
		       const char *tag, struct st_error *err);
	int (*remove_tag)(struct st_provider *p, const char *contact,
			  const char *tag, struct st_error *err);
};

/* The channel of a provider name (any case), or NULL. */
const struct st_channel_ops *st_channel_ops(const char *provider);
/* Find, else create: *id is a new string. */
int st_channel_contact(struct st_provider *p, const char *phone,
		       const char *first_name, const char *last_name,
		       char **id, bool *created, struct st_error *err);
/* The outcome of a WhatsApp Cloud API error code and HTTP status. */
enum st_send_outcome st_whatsapp_outcome(long code, long status);
/* "image", "audio", "file", "video"; and back (-1 when unknown). */
const char *st_media_kind_name(enum st_media_kind k);
int st_media_kind_parse(const char *s);
/*
 * The channel calls through p's channel, with ST_EUSAGE when the
 * provider is no channel or the channel has no such call (WhatsApp has
 * no contact fields or tags).
 */
int st_channel_send_media(struct st_provider *p, const char *contact,
			  enum st_media_kind kind, const char *url,
			  const char *caption, struct st_send_result *res,
			  struct st_error *err);
int st_channel_set_field(struct st_provider *p, const char *contact,
			 const char *field, const char *value,
			 struct st_error *err);
int st_channel_add_tag(struct st_provider *p, const char *contact,
		       const char *tag, struct st_error *err);
int st_channel_remove_tag(struct st_provider *p, const char *contact,
			  const char *tag, struct st_error *err);
/*
 * Upload the file at path (mime: its type, e.g. "audio/ogg") to the
 * WhatsApp Cloud API as multipart form data; *media_id gets the id (a new
 * string), to send as url "media:<id>". Kept by Meta for 30 days.
 */
int st_whatsapp_upload_media(struct st_provider *p, const char *path,
			     const char *mime, char **media_id,
			     struct st_error *err);

/* The voice: ElevenLabs. */
struct st_voice {
	char *voice_id;
	char *name;
};

struct st_voice_list {
	size_t n;
	struct st_voice *items;
};

void st_voice_list_release(struct st_voice_list *l);
/*
 * Synthesise text into path. voice_id, model_id and format NULL take the
 * config's voice_id, model_id and output_format (then
 * eleven_multilingual_v2, mp3_44100_128). settings is NULL or a JSON
 * object of voice_settings; keys with null values are left out.
 */
int st_voice_synthesize(struct st_provider *p, const char *text,
			const char *voice_id, const char *model_id,
			const char *format, const char *settings,
			const char *path, struct st_error *err);
int st_voice_list(struct st_provider *p, struct st_voice_list *out,
		  struct st_error *err);
/* Characters left this period: character_limit - character_count. */
int st_voice_remaining(struct st_provider *p, long *remaining, long *limit,
		       struct st_error *err);

#endif
