/*
 * ingest.c - a run of webhook ingestion: the tenants' integrations and
 * their secrets, each line's authentication, tenant and rejects.
 *
 * At the start the run reads, for every active tenant (or the one given),
 * its integration for the source: the plain config and the one secret
 * ingestion needs (WhatsApp's app_secret, ManyChat's and UChat's
 * webhook_token), opened with the master key and kept in memory until
 * st_ingest_free wipes it. Lines are then judged against that table, so
 * a batch costs no more lookups than its events.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db-internal.h"
#include "ingest-internal.h"
#include "integration-internal.h"
#include "strato/tenant.h"
#include "strato/util.h"

struct st_ingest {
	struct st_db *db;
	struct st_crypto_key *key; /* for the replies' channels */
	struct st_ingest_opts o;
	size_t n;
	struct ing_tenant *t;
};

static void
tenant_release(struct ing_tenant *t)
{
	st_outbox_close(t->outbox);
	free(t->id);
	free(t->nombre);
	free(t->region);
	free(t->phone_number_id);
	st_free_secret(t->secret);
}

/* Wipe the secrets and free the run. */
void
st_ingest_free(struct st_ingest *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->n; i++)
		tenant_release(&in->t[i]);
	free(in->t);
	st_crypto_key_free(in->key);
	free(in);
}

static const char *
secret_name(enum st_ingest_source s)
{
	return s == ST_INGEST_WHATSAPP ? "app_secret" : "webhook_token";
}

/* Fill t (id set) from its tenant row and its integration for source. */
static int
load_tenant(struct st_db *db, enum st_ingest_source source,
	    const struct st_crypto_key *key, struct ing_tenant *t,
	    struct st_error *err)
{
	const char *prov = st_ingest_source_name(source);
	struct st_secrets s = { 0 };
	PGresult *res = NULL;
	int ret = -1;

	if (st_tenant_begin(db, t->id, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT t.nombre, coalesce(t.config->>'country',"
		" 'AR'), i.config->>'phone_number_id', encode("
		"i.secret_ciphertext, 'hex'), i.secret_key_id, i.is_active,"
		" i.id IS NOT NULL FROM strato.tenant t LEFT JOIN"
		" strato.tenant_integration i ON i.tenant_id = t.id AND"
		" i.provider = $2 WHERE t.id = $1", 2,
		(const char *const[]){ t->id, prov }, err);
	if (!res)
		goto cleanup;
	if (PQntuples(res) != 1) {
		st_error_set(err, ST_ENOTFOUND, "tenant %s is not visible",
			     t->id);
		goto cleanup;
	}
	t->nombre = st_db_dup(res, 0, 0);
	t->region = st_db_dup(res, 0, 1);
	t->phone_number_id = st_db_dup(res, 0, 2);
	t->active = st_db_bool(res, 0, 5);
	t->configured = st_db_bool(res, 0, 6);
	if (!PQgetisnull(res, 0, 3)) {
		if (st_secrets_open(t->id, prov, PQgetvalue(res, 0, 3),
				    PQgetvalue(res, 0, 4), key, &s, err) < 0)
			goto cleanup;
		if (st_secrets_get(&s, secret_name(source)))
			t->secret = st_xstrdup(st_secrets_get(&s,
						secret_name(source)));
	}
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0)
		st_tenant_rollback(db);
	st_secrets_release(&s);
	PQclear(res);
	return ret;
}

/* The ids of every active tenant (service logins see them all). */
static int
tenant_ids(struct st_ingest *in, struct st_error *err)
{
	struct st_tenant_list l;

	if (st_tenant_list(in->db, &l, err) < 0)
		return -1;
	in->t = st_xcalloc(l.n + 1, sizeof(*in->t));
	for (size_t i = 0; i < l.n; i++)
		if (l.items[i].is_active)
			in->t[in->n++].id = st_xstrdup(l.items[i].id);
	st_tenant_list_release(&l);
	return 0;
}

/* Open the master key, load every tenant, keep the key for replies. */
struct st_ingest *
st_ingest_new(struct st_db *db, const struct st_ingest_opts *o,
	      struct st_error *err)
{
	struct st_ingest *in = st_xcalloc(1, sizeof(*in));
	struct st_crypto_key *key = st_crypto_key_from_env(err);
	int ret = -1;

	if (!key && err->code != ST_ENOTFOUND)
		goto cleanup;
	st_error_init(err);
	in->db = db;
	in->o = *o;
	if (o->tenant_id) {
		in->n = 1;
		in->t = st_xcalloc(1, sizeof(*in->t));
		in->t[0].id = st_xstrdup(o->tenant_id);
	} else if (tenant_ids(in, err) < 0) {
		goto cleanup;
	}
	for (size_t i = 0; i < in->n; i++) {
		if (load_tenant(db, o->source, key, &in->t[i], err) < 0)
			goto cleanup;
		/* replies go out at once when this login can send */
		if (key && !o->no_reply && !o->no_send &&
		    st_outbox_may_send(db))
			in->t[i].outbox = st_outbox_open(db, in->t[i].id, key);
	}
	in->key = key;
	key = NULL;
	ret = 0;
cleanup:
	st_crypto_key_free(key);
	if (ret < 0) {
		st_ingest_free(in);
		return NULL;
	}
	return in;
}

/* A rejected line: {"line":N,"reason":"…","input":"…"} in the rejects. */
static void
reject(struct st_ingest *in, const char *line, size_t len, long long lineno,
       const char *reason, struct st_ingest_summary *sum)
{
	json_t *j;
	char *text;

	sum->rejected++;
	if (!in->o.rejects)
		return;
	j = json_pack("{s:I, s:s, s:s%}", "line", (json_int_t)lineno,
		      "reason", reason, "input", line, len);
	if (!j) /* not UTF-8: the line and reason alone */
		j = json_pack("{s:I, s:s}", "line", (json_int_t)lineno,
			      "reason", reason);
	if (j && in->o.input_name)
		json_object_set_new(j, "file", json_string(in->o.input_name));
	text = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	if (text)
		fprintf(in->o.rejects, "%s\n", text);
	free(text);
	json_decref(j);
}

/* WhatsApp: the tenant of phone_number_id, then the signature. */
static const struct ing_tenant *
whatsapp_tenant(struct st_ingest *in, const struct st_ingest_envelope *env,
		const struct st_ingest_event *ev, struct st_error *err)
{
	const struct ing_tenant *t = NULL;

	for (size_t i = 0; !t && i < in->n; i++)
		if (in->t[i].phone_number_id && ev->phone_number_id &&
		    strcmp(in->t[i].phone_number_id, ev->phone_number_id) == 0)
			t = &in->t[i];
	if (!t) {
		st_error_set(err, ST_ENOTFOUND, "no tenant has a WHATSAPP "
			     "integration for phone_number_id %s",
			     ev->phone_number_id ? ev->phone_number_id : "?");
		return NULL;
	}
	if (!env->signature && in->o.require_signature) {
		st_error_set(err, ST_EPERM, "missing X-Hub-Signature-256");
		return NULL;
	}
	if (env->signature && !t->secret) {
		st_error_set(err, ST_EPERM, "signed event but the WHATSAPP "
			     "integration has no app_secret");
		return NULL;
	}
	if (env->signature && !st_ingest_signature_ok(env->signature,
			t->secret, env->body, env->body_len)) {
		st_error_set(err, ST_EPERM, "bad X-Hub-Signature-256");
		return NULL;
	}
	return t;
}

/* ManyChat, UChat: the tenant whose webhook_token the event carries. */
static const struct ing_tenant *
token_tenant(struct st_ingest *in, const struct st_ingest_envelope *env,
	     const struct st_ingest_event *ev, struct st_error *err)
{
	const char *tok = env->token ? env->token : ev->token;
	const struct ing_tenant *t = NULL;

	if (!tok) {
		st_error_set(err, ST_EPERM, "missing token (an "
			     "Authorization or X-Webhook-Token header, or a "
			     "\"token\" field)");
		return NULL;
	}
	for (size_t i = 0; i < in->n; i++)
		if (in->t[i].secret && st_ingest_token_eq(tok, in->t[i].secret))
			t = &in->t[i];
	if (!t)
		st_error_set(err, ST_EPERM, "bad token (no %s integration "
			     "with this webhook_token)",
			     st_ingest_source_name(in->o.source));
	return t;
}

static const struct ing_tenant *
find_tenant(struct st_ingest *in, const struct st_ingest_envelope *env,
	    const struct st_ingest_event *ev, struct st_error *err)
{
	const struct ing_tenant *t = in->o.source == ST_INGEST_WHATSAPP
		? whatsapp_tenant(in, env, ev, err)
		: token_tenant(in, env, ev, err);

	if (t && !t->active) {
		st_error_set(err, ST_ESTATE, "the %s integration of the "
			     "tenant is not active",
			     st_ingest_source_name(in->o.source));
		return NULL;
	}
	return t;
}

/* The file name the rejects give next. */
void
st_ingest_set_input(struct st_ingest *in, const char *name)
{
	in->o.input_name = name;
}

/* Parse, authenticate, store; a refusal is a reject. */
int
st_ingest_line(struct st_ingest *in, const char *line, size_t len,
	       long long lineno, struct st_ingest_summary *sum,
	       struct st_error *err)
{
	struct st_ingest_envelope env;
	struct st_ingest_event ev;
	struct st_error why;
	const struct ing_tenant *t = NULL;
	int ret = 0;

	memset(&ev, 0, sizeof(ev));
	st_error_init(&why);
	sum->lines++;
	if (st_ingest_envelope_parse(line, len, &env, &why) < 0 ||
	    st_ingest_parse(in->o.source, env.body, env.body_len, &ev,
			    &why) < 0 ||
	    !(t = find_tenant(in, &env, &ev, &why))) {
		reject(in, line, len, lineno, why.message, sum);
		goto cleanup;
	}
	if (ing_store_event(in->db, &in->o, t, &ev, sum, err) < 0) {
		/* the database said no to this event: reject, unless gone */
		if (err->code == ST_ECONN) {
			ret = -1;
			goto cleanup;
		}
		reject(in, line, len, lineno, err->message, sum);
		st_error_init(err);
	}
cleanup:
	st_ingest_envelope_release(&env);
	st_ingest_event_release(&ev);
	return ret;
}

/* Every non-empty line of f, numbered from 1. */
int
st_ingest_stream(struct st_ingest *in, FILE *f,
		 struct st_ingest_summary *sum, struct st_error *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long long lineno = 0;
	int ret = 0;

	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (n == 0)
			continue;
		if (st_ingest_line(in, line, (size_t)n, lineno, sum, err) < 0) {
			ret = -1;
			break;
		}
	}
	if (ret == 0 && ferror(f)) {
		st_error_set(err, ST_EIO, "cannot read the input");
		ret = -1;
	}
	free(line);
	return ret;
}
