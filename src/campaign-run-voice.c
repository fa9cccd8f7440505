/*
 * campaign-run-voice.c - the voice of a campaign: ElevenLabs synthesis of
 * each personalised text, cached so the same text is never paid twice.
 *
 * The key is the SHA-256 of (voice, model, settings, format, text), NUL
 * separated. The audio lives on disk as <cache dir>/<hash>.<ext> and is
 * reached by the channel at <media base URL>/<hash>.<ext> (the operator
 * serves the cache directory there); strato.voice_cache remembers, per
 * tenant, what each file cost (characters) and how often it was reused.
 * A row without its file (a wiped disk) is synthesised again; a file
 * without its row is taken and the row written. The cache directory is
 * STRATO_VOICE_CACHE (default /var/cache/strato/voice); the base URL the
 * ELEVENLABS integration's media_base_url, else STRATO_MEDIA_BASE_URL.
 * WhatsApp takes the file itself: it is uploaded (the media endpoint)
 * and its media id kept in the cache row for 29 days, Meta keeping an
 * upload for 30.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "campaign-run-internal.h"
#include "db-internal.h"
#include "strato/tenant.h"
#include "strato/util.h"

#define VOICE_MODEL "eleven_multilingual_v2"
#define VOICE_FORMAT "mp3_44100_128"

static const char *
env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

/*
 * Open the tenant's ELEVENLABS integration for the run. Without one,
 * v->open stays false and every synthesis fails with that reason.
 */
int
cr_voice_open(struct st_db *db, const struct st_campaign_run_opts *o,
	      const char *tenant_id, struct cr_voice *v,
	      struct st_error *err)
{
	const char *s;

	memset(v, 0, sizeof(*v));
	v->cache_dir = st_xstrdup(env_or("STRATO_VOICE_CACHE",
					 "/var/cache/strato/voice"));
	if (st_provider_open(db, tenant_id, "ELEVENLABS", o->key, &v->p,
			     err) < 0) {
		st_error_init(err);
		return 0;
	}
	v->open = true;
	s = st_provider_conf(&v->p, "media_base_url");
	s = s && *s ? s : getenv("STRATO_MEDIA_BASE_URL");
	v->media_base_url = s && *s ? st_xstrdup(s) : NULL;
	s = st_provider_conf(&v->p, "model_id");
	v->model_id = st_xstrdup(s && *s ? s : VOICE_MODEL);
	s = st_provider_conf(&v->p, "output_format");
	v->format = st_xstrdup(s && *s ? s : VOICE_FORMAT);
	return 0;
}

void
cr_voice_close(struct cr_voice *v)
{
	if (!v)
		return;
	if (v->open)
		st_provider_close(&v->p);
	free(v->cache_dir);
	free(v->media_base_url);
	free(v->model_id);
	free(v->format);
	memset(v, 0, sizeof(*v));
}

/* The cache key as 64 hex digits into hex (65 bytes). */
static void
voice_hash(const char *voice, const char *model, const char *settings,
	   const char *format, const char *text, char hex[65])
{
	const char *parts[] = { voice, model, settings, format, text };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (size_t i = 0; i < ST_ARRAY_SIZE(parts); i++)
		EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]) + 1);
	EVP_DigestFinal_ex(ctx, md, &n);
	EVP_MD_CTX_free(ctx);
	for (unsigned int i = 0; i < n && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
}

/* "mp3_44100_128" -> "mp3"; opus -> "ogg"; pcm, wav, ulaw as they are. */
static char *
extension(const char *format)
{
	size_t n = strcspn(format, "_");

	if (n == 4 && strncmp(format, "opus", 4) == 0)
		return st_xstrdup("ogg");
	return st_xstrndup(format, n);
}

/* mkdir -p of the cache directory (two levels are enough in practice). */
static int
ensure_dir(const char *dir, struct st_error *err)
{
	char *parent = st_xstrdup(dir);
	char *slash = strrchr(parent, '/');

	if (slash && slash != parent) {
		*slash = '\0';
		mkdir(parent, 0755);
	}
	free(parent);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		st_error_set(err, ST_EIO, "cannot create the voice cache "
			     "\"%s\": %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Whether the tenant's cache has the row; a hit counts once more. */
static int
cache_row(struct st_db *db, const char *tenant_id, const char *hash,
	  bool *have, struct st_error *err)
{
	PGresult *res = NULL;
	int ret = -1;

	*have = false;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, "UPDATE strato.voice_cache SET hits = hits + 1"
		" WHERE tenant_id = $1 AND hash = $2 RETURNING 1", 2,
		(const char *const[]){ tenant_id, hash }, err);
	if (res) {
		*have = PQntuples(res) == 1;
		ret = st_tenant_commit(db, err);
	}
	if (ret < 0)
		st_tenant_rollback(db);
	PQclear(res);
	return ret;
}

/* Remember a synthesis (or a file found without its row). */
static int
cache_store(struct st_db *db, struct cr_voice *v, const char *tenant_id,
	    const char *hash, const char *voice_id, int chars, long bytes,
	    struct st_error *err)
{
	char c[16], b[32];
	int ret = -1;

	snprintf(c, sizeof(c), "%d", chars);
	snprintf(b, sizeof(b), "%ld", bytes);
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (st_db_run(db, "INSERT INTO strato.voice_cache (tenant_id, hash,"
		      " voice_id, model_id, chars, bytes, format)"
		      " VALUES ($1, $2, $3, $4, $5::int, $6::bigint, $7)"
		      " ON CONFLICT (tenant_id, hash) DO UPDATE SET"
		      " chars = EXCLUDED.chars, bytes = EXCLUDED.bytes", 7,
		      (const char *const[]){ tenant_id, hash, voice_id,
					     v->model_id, c, b, v->format },
		      err) == 0)
		ret = st_tenant_commit(db, err);
	if (ret < 0)
		st_tenant_rollback(db);
	return ret;
}

/* The MIME type of an output format, for the upload. */
static const char *
mime_of(const char *ext)
{
	if (strcmp(ext, "mp3") == 0)
		return "audio/mpeg";
	if (strcmp(ext, "ogg") == 0)
		return "audio/ogg";
	return "application/octet-stream";
}

/*
 * WhatsApp: "media:<id>" of the file's upload, the id reused for 29 days
 * (the upload is idempotent enough: a second one only costs bandwidth).
 */
static int
wa_media(struct st_db *db, const char *tenant_id, const char *hash,
	 const char *path, const char *ext, struct st_provider *chan,
	 char **url, struct st_error *err)
{
	PGresult *res = NULL;
	char *id = NULL;
	int ret = -1;

	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT wa_media_id FROM strato.voice_cache"
		" WHERE tenant_id = $1 AND hash = $2 AND wa_media_at > now()"
		" - interval '29 days'", 2, (const char *const[]){ tenant_id,
		hash }, err);
	if (!res)
		goto cleanup;
	if (PQntuples(res) == 1)
		id = st_db_dup(res, 0, 0);
	if (!id && (st_whatsapp_upload_media(chan, path, mime_of(ext), &id,
					     err) < 0 ||
		    st_db_run(db, "UPDATE strato.voice_cache SET wa_media_id ="
			      " $3, wa_media_at = now() WHERE tenant_id = $1"
			      " AND hash = $2", 3, (const char *const[]){
			      tenant_id, hash, id }, err) < 0))
		goto cleanup;
	*url = st_xasprintf("media:%s", id);
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0)
		st_tenant_rollback(db);
	PQclear(res);
	free(id);
	return ret;
}

/* Characters as ElevenLabs bills them: code points, not bytes. */
static int
utf8_chars(const char *s)
{
	int n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Synthesise text into path (through a temporary file, then renamed). */
static int
synthesize(struct cr_voice *v, const char *voice_id, const char *text,
	   const char *path, struct st_error *err)
{
	char *tmp = st_xasprintf("%s.%ld.tmp", path, (long)getpid());
	int ret = -1;

	if (st_voice_synthesize(&v->p, text, voice_id, v->model_id,
				v->format, NULL, tmp, err) < 0)
		goto cleanup;
	if (rename(tmp, path) < 0) {
		st_error_set(err, ST_EIO, "cannot store \"%s\": %s", path,
			     strerror(errno));
		goto cleanup;
	}
	ret = 0;
cleanup:
	unlink(tmp);
	free(tmp);
	return ret;
}

/*
 * The audio of text in voice_id (NULL: the integration's voice), from
 * the cache or synthesised into it. *url a new string. On failure
 * v->p.failure tells an exhausted quota (ST_PFAIL_QUOTA) from the rest.
 */
int
cr_voice_get(struct st_db *db, struct cr_voice *v, const char *tenant_id,
	     const char *voice_id, const char *text, struct st_provider *chan,
	     char **url, int *chars, bool *cached, struct st_error *err)
{
	char hash[65];
	char *ext = NULL, *path = NULL;
	struct stat st;
	bool have = false, wa;
	int ret = -1;

	*url = NULL;
	*chars = 0;
	*cached = false;
	if (!v->open) {
		st_error_set(err, ST_ESTATE, "no active ELEVENLABS "
			     "integration");
		return -1;
	}
	v->p.failure = ST_PFAIL_NONE;
	voice_id = voice_id ? voice_id : st_provider_conf(&v->p, "voice_id");
	wa = strcmp(chan->name, "WHATSAPP") == 0;
	if (!voice_id || (!wa && !v->media_base_url)) {
		st_error_set(err, ST_ESTATE, "no %s for the voice",
			     voice_id ? "media_base_url" : "voice_id");
		return -1;
	}
	voice_hash(voice_id, v->model_id, "", v->format, text, hash);
	ext = extension(v->format);
	path = st_xasprintf("%s/%s.%s", v->cache_dir, hash, ext);
	if (cache_row(db, tenant_id, hash, &have, err) < 0 ||
	    ensure_dir(v->cache_dir, err) < 0)
		goto cleanup;
	if (stat(path, &st) == 0 && st.st_size > 0) {
		*cached = true;
		if (!have && cache_store(db, v, tenant_id, hash, voice_id, 0,
					 (long)st.st_size, err) < 0)
			goto cleanup;
	} else {
		if (synthesize(v, voice_id, text, path, err) < 0)
			goto cleanup;
		*chars = utf8_chars(text);
		if (stat(path, &st) < 0 ||
		    cache_store(db, v, tenant_id, hash, voice_id, *chars,
				(long)st.st_size, err) < 0)
			goto cleanup;
	}
	if (wa) {
		if (wa_media(db, tenant_id, hash, path, ext, chan, url,
			     err) < 0)
			goto cleanup;
	} else {
		*url = st_xasprintf("%s/%s.%s", v->media_base_url, hash, ext);
	}
	ret = 0;
cleanup:
	free(ext);
	free(path);
	return ret;
}
