/*
 * integration.c - tenant_integration rows: list, show, set, enable,
 * disable and the master key rotation. All the module's SQL is here; the
 * field tables and the sealed blob are in integration-secret.c.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db-internal.h"
#include "integration-internal.h"
#include "strato/audit.h"
#include "strato/tenant.h"

/*
 * Two column lists: agents may not name the secret columns at all (their
 * grant leaves them out), so theirs reads NULL in their place.
 */
#define INTEG_COLS_TAIL \
	ST_SQL_TS("last_test_at") ", last_test_ok, last_test_message, " \
	ST_SQL_TS("created_at") ", " ST_SQL_TS("updated_at")
#define INTEG_COLS_ADMIN \
	"id, tenant_id::text, provider, config::text, is_active, " \
	"secret_key_id, encode(secret_ciphertext, 'hex'), " INTEG_COLS_TAIL
#define INTEG_COLS_AGENT \
	"id, tenant_id::text, provider, config::text, is_active, " \
	"NULL::text, NULL::text, " INTEG_COLS_TAIL

void
st_integration_release(struct st_integration *in)
{
	if (!in)
		return;
	free(in->id);
	free(in->tenant_id);
	free(in->provider);
	free(in->config);
	free(in->key_id);
	for (size_t i = 0; i < in->nsecrets; i++)
		free(in->secrets[i].masked);
	free(in->secrets);
	free(in->last_test_at);
	free(in->last_test_ok);
	free(in->last_test_message);
	free(in->created_at);
	free(in->updated_at);
	memset(in, 0, sizeof(*in));
}

void
st_integration_list_release(struct st_integration_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		st_integration_release(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static void
integ_from_row(struct st_integration *in, const PGresult *res, int row)
{
	in->id = st_db_dup(res, row, 0);
	in->tenant_id = st_db_dup(res, row, 1);
	in->provider = st_db_dup(res, row, 2);
	in->config = st_db_dup(res, row, 3);
	in->is_active = st_db_bool(res, row, 4);
	in->key_id = st_db_dup(res, row, 5);
	/* column 6, the ciphertext, is read by the caller when it needs it */
	in->last_test_at = st_db_dup(res, row, 7);
	in->last_test_ok = st_db_dup(res, row, 8);
	in->last_test_message = st_db_dup(res, row, 9);
	in->created_at = st_db_dup(res, row, 10);
	in->updated_at = st_db_dup(res, row, 11);
}

/* Tenant and platform admins read secrets; agents are refused them. */
static bool
sees_secrets(struct st_db *db)
{
	return st_db_is_service(db) || st_db_is_tenant_admin(db);
}

/*
 * The server's "permission denied for table …" becomes a message that says
 * who may do it; the server's own words stay in the detail.
 */
static void
perm_error(struct st_error *err, const char *verb, const char *who)
{
	char msg[sizeof(err->message)];

	if (!err || err->code != ST_EPERM)
		return;
	memcpy(msg, err->message, sizeof(msg));
	st_error_set(err, ST_EPERM, "permission denied: integration %s needs "
		     "a %s", verb, who);
	st_error_detail(err, "The server said: %s.", msg);
}

static const char *
need_provider(const char *s, struct st_error *err)
{
	const char *p = st_integration_provider(s);

	if (!p) {
		st_error_set(err, ST_EUSAGE, "unknown provider \"%s\"",
			     s ? s : "");
		st_error_hint(err, "Use one of " ST_INTEGRATION_PROVIDERS
			      " (any case).");
	}
	return p;
}

/* Agents and admins alike; the secret columns are not read here. */
int
st_integration_list(struct st_db *db, const char *tenant_id,
		    struct st_integration_list *out, struct st_error *err)
{
	PGresult *res = NULL;
	int ret = -1;
	int n;

	out->n = 0;
	out->items = NULL;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, sees_secrets(db)
		? "SELECT " INTEG_COLS_ADMIN " FROM strato.tenant_integration"
		  " WHERE tenant_id = $1 ORDER BY provider"
		: "SELECT " INTEG_COLS_AGENT " FROM strato.tenant_integration"
		  " WHERE tenant_id = $1 ORDER BY provider",
		1, &tenant_id, err);
	if (!res)
		goto cleanup;
	n = PQntuples(res);
	out->items = st_xcalloc(n ? (size_t)n : 1, sizeof(*out->items));
	for (int i = 0; i < n; i++) {
		integ_from_row(&out->items[i], res, i);
		out->items[i].secrets_visible = sees_secrets(db);
	}
	out->n = (size_t)n;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_integration_list_release(out);
	}
	PQclear(res);
	return ret;
}

/* Fill in->secrets, masked, in field-table order. */
static void
mask_secrets(struct st_integration *in, const struct st_secrets *s)
{
	const struct st_integration_field *f;

	in->secrets = st_xcalloc(ST_SECRETS_MAX, sizeof(*in->secrets));
	for (f = st_integration_fields(in->provider); f && f->name; f++) {
		const char *v = st_secrets_get(s, f->name);

		if (!v)
			continue;
		in->secrets[in->nsecrets].name = f->name;
		in->secrets[in->nsecrets++].masked = st_integration_mask(v);
	}
}

/*
 * Admins read the ciphertext in the same statement as the row and open it
 * here; agents run a statement that does not name the secret columns.
 */
int
st_integration_get(struct st_db *db, const char *tenant_id,
		   const char *provider, const struct st_crypto_key *key,
		   struct st_integration *out, struct st_error *err)
{
	struct st_secrets s = { 0 };
	const char *p = need_provider(provider, err);
	PGresult *res = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!p || st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, sees_secrets(db)
		? "SELECT " INTEG_COLS_ADMIN " FROM strato.tenant_integration"
		  " WHERE tenant_id = $1 AND provider = $2"
		: "SELECT " INTEG_COLS_AGENT " FROM strato.tenant_integration"
		  " WHERE tenant_id = $1 AND provider = $2",
		2, (const char *const[]){ tenant_id, p }, err);
	if (!res)
		goto cleanup;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "integration %s is not "
			     "configured", p);
		st_error_hint(err, "A tenant admin sets it up with \"strato "
			      "integration set %s\".", p);
		goto cleanup;
	}
	integ_from_row(out, res, 0);
	out->secrets_visible = sees_secrets(db);
	if (out->secrets_visible && !PQgetisnull(res, 0, 6)) {
		if (st_secrets_open(tenant_id, p, PQgetvalue(res, 0, 6),
				    out->key_id, key, &s, err) < 0)
			goto cleanup;
		mask_secrets(out, &s);
	}
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_integration_release(out);
	}
	st_secrets_release(&s);
	PQclear(res);
	return ret;
}

/* A number from 0 (above 0 with positive) to a million. */
static bool
is_rate(const char *v, bool positive)
{
	char *end;
	double d = strtod(v, &end);

	return end != v && *end == '\0' && d <= 1e6 &&
	       (positive ? d > 0 : d >= 0);
}

/*
 * Check the values against the provider's fields. A field of the wrong
 * kind is refused here too, so a secret can never land in config.
 */
static int
check_values(const char *p, const struct st_integration_value *vals,
	     size_t n, struct st_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const struct st_integration_field *f =
			st_integration_field(p, vals[i].name);
		char *names = NULL;

		if (!f) {
			names = st_integration_field_names(p);
			st_error_set(err, ST_EUSAGE, "%s has no field \"%s\"",
				     p, vals[i].name ? vals[i].name : "");
			st_error_hint(err, "Its fields are: %s.", names);
			free(names);
			return -1;
		}
		if (f->secret && st_secrets_check_value(p, f->name,
						       vals[i].value, err) < 0)
			return -1;
		if (f->kind != ST_FIELD_TEXT && *vals[i].value &&
		    !is_rate(vals[i].value, f->kind == ST_FIELD_POSITIVE)) {
			st_error_set(err, ST_EINVAL, "invalid %s \"%s\"",
				     f->name, vals[i].value);
			st_error_hint(err, "Give a number%s.",
				      f->kind == ST_FIELD_POSITIVE ?
				      " above 0" : " (0: no limit)");
			return -1;
		}
		if (!f->secret && strcmp(f->name, "base_url") == 0 &&
		    *vals[i].value && strncmp(vals[i].value, "https://", 8) &&
		    strncmp(vals[i].value, "http://", 7)) {
			st_error_set(err, ST_EINVAL, "invalid base_url \"%s\"",
				     vals[i].value);
			st_error_hint(err, "Give an http:// or https:// URL.");
			return -1;
		}
	}
	return 0;
}

/* The plain values as a config patch and a JSON array of keys to drop. */
static void
config_patch(const char *p, const struct st_integration_value *vals,
	     size_t n, char **set, char **drop)
{
	json_t *s = json_object(), *d = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct st_integration_field *f =
			st_integration_field(p, vals[i].name);

		if (f->secret)
			continue;
		if (*vals[i].value)
			json_object_set_new(s, f->name,
					    json_string(vals[i].value));
		else
			json_array_append_new(d, json_string(f->name));
	}
	*set = json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS);
	*drop = json_dumps(d, JSON_COMPACT);
	json_decref(s);
	json_decref(d);
}

/*
 * Add {"secrets": {"changed": [names]}} to the row diff the server made.
 * Only names: the values never reach this function.
 */
static char *
diff_with_secrets(const char *row_diff, const char *const *changed,
		  size_t n)
{
	json_t *o = json_loads(row_diff ? row_diff : "{}", 0, NULL);
	json_t *a = json_array();
	char *s;

	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(changed[i]));
	if (n)
		json_object_set_new(o, "secrets", json_pack("{s:o}", "changed",
							     a));
	else
		json_decref(a);
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

/* The parts of a locked row that the writers need. */
struct locked {
	bool found;
	bool is_active;
	char *hex; /* ciphertext as hex digits, or NULL */
	char *key_id;
	char *config;
};

static void
locked_release(struct locked *l)
{
	free(l->hex);
	free(l->key_id);
	free(l->config);
	memset(l, 0, sizeof(*l));
}

/*
 * Lock the row of (tenant, provider). Naming the secret columns is what
 * makes the server refuse an agent here, before anything is decrypted.
 */
static int
lock_row(struct st_db *db, const char *tenant_id, const char *p,
	 struct locked *l, struct st_error *err)
{
	PGresult *res = st_db_query(db,
		"SELECT encode(secret_ciphertext, 'hex'), secret_key_id,"
		" config::text, is_active FROM strato.tenant_integration"
		" WHERE tenant_id = $1 AND provider = $2 FOR UPDATE", 2,
		(const char *const[]){ tenant_id, p }, err);

	memset(l, 0, sizeof(*l));
	if (!res)
		return -1;
	if (PQntuples(res) > 0) {
		l->found = true;
		l->hex = st_db_dup(res, 0, 0);
		l->key_id = st_db_dup(res, 0, 1);
		l->config = st_db_dup(res, 0, 2);
		l->is_active = st_db_bool(res, 0, 3);
	}
	PQclear(res);
	return 0;
}

/*
 * Merge the secret values into the stored ones; *sealed gets the new
 * ciphertext (NULL when no secret was given) and changed[] the names of
 * the secrets whose value changed.
 */
static int
merge_secrets(const char *tenant_id, const char *p, const char *hex,
	      const char *key_id, const struct st_integration_value *vals,
	      size_t n, const struct st_crypto_key *key, char **sealed,
	      const char **changed, size_t *nchanged, struct st_error *err)
{
	struct st_secrets s = { 0 };
	bool any = false;
	int ret = -1;

	*sealed = NULL;
	*nchanged = 0;
	for (size_t i = 0; i < n; i++)
		any |= st_integration_field(p, vals[i].name)->secret;
	if (!any)
		return 0;
	if (!key) {
		st_error_set(err, ST_ESTATE, "cannot store the %s secrets: no "
			     "master key is configured", p);
		st_error_hint(err, "Set STRATO_MASTER_KEY_FILE to a file "
			      "holding the key (base64 of 32 bytes), or "
			      "STRATO_MASTER_KEY.");
		return -1;
	}
	if (hex && st_secrets_open(tenant_id, p, hex, key_id, key, &s,
				   err) < 0)
		goto cleanup;
	for (size_t i = 0; i < n; i++) {
		const struct st_integration_field *f =
			st_integration_field(p, vals[i].name);
		size_t k = 0;

		if (!f->secret || !st_secrets_put(&s, f->name, vals[i].value))
			continue;
		while (k < *nchanged && strcmp(changed[k], f->name) != 0)
			k++;
		if (k == *nchanged) /* a field given twice is named once */
			changed[(*nchanged)++] = f->name;
	}
	*sealed = st_secrets_seal(tenant_id, p, &s, key, err);
	ret = *sealed ? 0 : -1;
cleanup:
	st_secrets_release(&s);
	return ret;
}

/* Insert or update the row; *id and *row_diff come back from the server. */
static int
write_row(struct st_db *db, const char *tenant_id, const char *p,
	  const char *set, const char *drop, const char *sealed,
	  const char *key_id, char **id, char **row_diff, struct st_error *err)
{
	const char *params[6] = { tenant_id, p, set, drop, sealed, key_id };
	PGresult *res = st_db_query(db,
		"WITH old AS (SELECT * FROM strato.tenant_integration"
		"  WHERE tenant_id = $1 AND provider = $2),"
		" new AS (INSERT INTO strato.tenant_integration AS t"
		"  (tenant_id, provider, config, secret_ciphertext,"
		"   secret_key_id)"
		"  VALUES ($1, $2, $3::jsonb - ARRAY(SELECT"
		"   jsonb_array_elements_text($4::jsonb)), $5::bytea, $6)"
		"  ON CONFLICT (tenant_id, provider) DO UPDATE SET"
		"   config = (t.config || $3::jsonb) - ARRAY(SELECT"
		"    jsonb_array_elements_text($4::jsonb)),"
		"   secret_ciphertext ="
		"    coalesce($5::bytea, t.secret_ciphertext),"
		"   secret_key_id = coalesce($6, t.secret_key_id),"
		"   updated_at = now()"
		"  RETURNING t.*)"
		" SELECT new.id, strato.jsonb_diff("
		"  to_jsonb(old) - 'secret_ciphertext',"
		"  to_jsonb(new) - 'secret_ciphertext')::text"
		" FROM new LEFT JOIN old ON true", 6, params, err);

	if (!res)
		return -1;
	*id = st_db_dup(res, 0, 0);
	*row_diff = st_db_dup(res, 0, 1);
	PQclear(res);
	return 0;
}

/*
 * Lock, merge, seal, upsert and audit in one tenant transaction. The row
 * is locked before anything is decrypted, and locking names the secret
 * columns, so an agent is refused by the server's grants first.
 */
int
st_integration_set(struct st_db *db, const char *tenant_id,
		   const char *provider,
		   const struct st_integration_value *vals, size_t n,
		   const struct st_crypto_key *key, struct st_error *err)
{
	const char *changed[ST_SECRETS_MAX];
	const char *p = need_provider(provider, err);
	struct locked l = { 0 };
	char *sealed = NULL, *set = NULL, *drop = NULL, *id = NULL;
	char *row_diff = NULL, *diff = NULL;
	size_t nchanged = 0;
	int ret = -1;

	if (!p || check_values(p, vals, n, err) < 0)
		return -1;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (lock_row(db, tenant_id, p, &l, err) < 0) {
		perm_error(err, "set", "tenant admin");
		goto cleanup;
	}
	if (merge_secrets(tenant_id, p, l.hex, l.key_id, vals, n, key,
			  &sealed, changed, &nchanged, err) < 0)
		goto cleanup;
	config_patch(p, vals, n, &set, &drop);
	if (write_row(db, tenant_id, p, set, drop, sealed,
		      sealed ? key->id : NULL, &id, &row_diff, err) < 0) {
		perm_error(err, "set", "tenant admin");
		goto cleanup;
	}
	diff = diff_with_secrets(row_diff, changed, nchanged);
	if (st_audit_add(db, tenant_id, "integration.set",
			 "tenant_integration", id, diff, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0)
		st_tenant_rollback(db);
	locked_release(&l);
	free(sealed);
	free(set);
	free(drop);
	free(id);
	free(row_diff);
	free(diff);
	return ret;
}

/* Enabling needs every required field: plain in config, secret sealed. */
static int
check_required(const char *tenant_id, const char *p, const char *config,
	       const char *hex, const char *key_id,
	       const struct st_crypto_key *key, struct st_error *err)
{
	const struct st_integration_field *f;
	struct st_secrets s = { 0 };
	json_t *c = json_loads(config ? config : "{}", 0, NULL);
	int ret = -1;

	if (hex && st_secrets_open(tenant_id, p, hex, key_id, key, &s,
				   err) < 0)
		goto cleanup;
	for (f = st_integration_fields(p); f->name; f++) {
		if (!f->required)
			continue;
		if (f->secret ? st_secrets_get(&s, f->name) != NULL
			      : json_is_string(json_object_get(c, f->name)))
			continue;
		st_error_set(err, ST_ESTATE, "cannot enable %s: %s is not set",
			     p, f->name);
		st_error_hint(err, "Set it with \"strato integration set %s "
			      "--%s%s\".", p, f->name, f->secret ?
			      " --secret-stdin" : " VALUE");
		goto cleanup;
	}
	ret = 0;
cleanup:
	st_secrets_release(&s);
	json_decref(c);
	return ret;
}

static int
update_active(struct st_db *db, const char *tenant_id, const char *p,
	      bool active, char **id, char **diff, struct st_error *err)
{
	PGresult *res = st_db_query(db,
		"WITH old AS (SELECT * FROM strato.tenant_integration"
		"  WHERE tenant_id = $1 AND provider = $2),"
		" new AS (UPDATE strato.tenant_integration t"
		"  SET is_active = $3::boolean, updated_at = now()"
		"  WHERE t.tenant_id = $1 AND t.provider = $2"
		"  RETURNING t.*)"
		" SELECT new.id, strato.jsonb_diff("
		"  to_jsonb(old) - 'secret_ciphertext',"
		"  to_jsonb(new) - 'secret_ciphertext')::text"
		" FROM new JOIN old USING (id)", 3,
		(const char *const[]){ tenant_id, p, active ? "t" : "f" }, err);

	if (!res)
		return -1;
	*id = st_db_dup(res, 0, 0);
	*diff = st_db_dup(res, 0, 1);
	PQclear(res);
	return 0;
}

/* A no-op (already in that state) commits nothing and audits nothing. */
int
st_integration_set_active(struct st_db *db, const char *tenant_id,
			  const char *provider, bool active,
			  const struct st_crypto_key *key, bool *changed,
			  struct st_error *err)
{
	const char *p = need_provider(provider, err);
	const char *verb = active ? "enable" : "disable";
	struct locked l = { 0 };
	char *id = NULL, *diff = NULL;
	int ret = -1;

	*changed = false;
	if (!p || st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (lock_row(db, tenant_id, p, &l, err) < 0) {
		perm_error(err, verb, "tenant admin");
		goto cleanup;
	}
	if (!l.found) {
		st_error_set(err, ST_ENOTFOUND, "integration %s is not "
			     "configured", p);
		st_error_hint(err, "Set it up first with \"strato integration "
			      "set %s\".", p);
		goto cleanup;
	}
	if (l.is_active == active) {
		ret = st_tenant_commit(db, err);
		goto cleanup;
	}
	if (active && check_required(tenant_id, p, l.config, l.hex, l.key_id,
				     key, err) < 0)
		goto cleanup;
	if (update_active(db, tenant_id, p, active, &id, &diff, err) < 0) {
		perm_error(err, verb, "tenant admin");
		goto cleanup;
	}
	if (st_audit_add(db, tenant_id, active ? "integration.enable" :
			 "integration.disable", "tenant_integration", id, diff,
			 err) < 0)
		goto cleanup;
	*changed = true;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0)
		st_tenant_rollback(db);
	locked_release(&l);
	free(id);
	free(diff);
	return ret;
}

/* Re-seal one row; the caller's transaction is scoped to its tenant. */
static int
rotate_row(struct st_db *db, const char *tenant_id, const char *id,
	   const char *p, const char *hex, const char *key_id,
	   const struct st_crypto_key *old_key,
	   const struct st_crypto_key *new_key, struct st_error *err)
{
	struct st_secrets s = { 0 };
	char *sealed = NULL, *diff = NULL;
	int ret = -1;

	if (st_secrets_open(tenant_id, p, hex, key_id, old_key, &s, err) < 0)
		goto cleanup;
	sealed = st_secrets_seal(tenant_id, p, &s, new_key, err);
	if (!sealed || st_db_run(db,
		"UPDATE strato.tenant_integration"
		" SET secret_ciphertext = $3::bytea, secret_key_id = $4,"
		" updated_at = now() WHERE tenant_id = $1 AND id = $2", 4,
		(const char *const[]){ tenant_id, id, sealed, new_key->id },
		err) < 0)
		goto cleanup;
	diff = st_xasprintf("{\"secret_key_id\": {\"old\": \"%s\", "
			    "\"new\": \"%s\"}}", old_key->id, new_key->id);
	if (st_audit_add(db, tenant_id, "integration.rotate_key",
			 "tenant_integration", id, diff, err) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	st_secrets_release(&s);
	free(sealed);
	free(diff);
	return ret;
}

/*
 * Every row of one tenant with secrets, inside the rotation's single
 * transaction: the tenant is switched with set_config(…, true), which
 * lasts until the transaction ends, so RLS keeps each step to one tenant.
 */
static int
rotate_tenant(struct st_db *db, const char *tenant_id,
	      const struct st_crypto_key *old_key,
	      const struct st_crypto_key *new_key, size_t *rotated,
	      size_t *skipped, struct st_error *err)
{
	PGresult *res = NULL;
	int ret = -1;

	if (st_db_run(db, "SELECT set_config('app.tenant_id', $1, true)", 1,
		      &tenant_id, err) < 0)
		return -1;
	res = st_db_query(db,
		"SELECT id, provider, encode(secret_ciphertext, 'hex'),"
		" secret_key_id FROM strato.tenant_integration"
		" WHERE tenant_id = $1 AND secret_ciphertext IS NOT NULL"
		" ORDER BY provider FOR UPDATE", 1, &tenant_id, err);
	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		if (strcmp(PQgetvalue(res, i, 3), new_key->id) == 0) {
			(*skipped)++;
			continue;
		}
		if (rotate_row(db, tenant_id, PQgetvalue(res, i, 0),
			       PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
			       PQgetvalue(res, i, 3), old_key, new_key,
			       err) < 0) {
			st_error_detail(err, "In tenant %s; nothing was "
					"rotated.", tenant_id);
			goto cleanup;
		}
		(*rotated)++;
	}
	ret = 0;
cleanup:
	PQclear(res);
	return ret;
}

/*
 * One transaction over all tenants: either every row moves to the new key
 * or none does, so the operator never holds a database under two keys.
 */
int
st_integration_rotate_key(struct st_db *db,
			  const struct st_crypto_key *old_key,
			  const struct st_crypto_key *new_key,
			  size_t *rotated, size_t *skipped,
			  struct st_error *err)
{
	PGresult *res = NULL;
	int ret = -1;

	*rotated = *skipped = 0;
	if (!st_db_is_service(db)) {
		st_error_set(err, ST_EPERM, "permission denied: integration "
			     "rotate-key needs a platform admin");
		st_error_detail(err, "It re-encrypts every tenant's secrets.");
		return -1;
	}
	if (st_db_begin(db, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT id::text FROM strato.tenant ORDER BY id",
			  0, NULL, err);
	if (!res)
		goto cleanup;
	for (int i = 0; i < PQntuples(res); i++)
		if (rotate_tenant(db, PQgetvalue(res, i, 0), old_key, new_key,
				  rotated, skipped, err) < 0)
			goto cleanup;
	ret = st_db_commit(db, err);
cleanup:
	if (ret < 0) {
		st_db_rollback(db);
		*rotated = 0;
	}
	PQclear(res);
	return ret;
}

/*
 * The config and the opened secrets of one integration, for the provider
 * clients. Reading the ciphertext column is what refuses an agent.
 */
int
st_integration_open_secrets(struct st_db *db, const char *tenant_id,
			    const char *provider,
			    const struct st_crypto_key *key, char **config,
			    struct st_secrets *s, struct st_error *err)
{
	const char *p = need_provider(provider, err);
	PGresult *res = NULL;
	int ret = -1;

	*config = NULL;
	memset(s, 0, sizeof(*s));
	if (!p || st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db,
		"SELECT config::text, encode(secret_ciphertext, 'hex'),"
		" secret_key_id FROM strato.tenant_integration"
		" WHERE tenant_id = $1 AND provider = $2", 2,
		(const char *const[]){ tenant_id, p }, err);
	if (!res) {
		perm_error(err, "test", "tenant admin");
		goto cleanup;
	}
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "integration %s is not "
			     "configured", p);
		st_error_hint(err, "Set it up first with \"strato integration "
			      "set %s\".", p);
		goto cleanup;
	}
	if (!PQgetisnull(res, 0, 1) &&
	    st_secrets_open(tenant_id, p, PQgetvalue(res, 0, 1),
			    PQgetvalue(res, 0, 2), key, s, err) < 0)
		goto cleanup;
	*config = st_db_dup(res, 0, 0);
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_secrets_release(s);
		free(*config);
		*config = NULL;
	}
	PQclear(res);
	return ret;
}

/* The result of "integration test", with its audit row. */
int
st_integration_record_test(struct st_db *db, const char *tenant_id,
			   const char *provider, bool ok, const char *message,
			   struct st_error *err)
{
	const char *p = need_provider(provider, err);
	char *msg = NULL;
	PGresult *res = NULL;
	int ret = -1;

	if (!p || st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	msg = st_xstrndup(message ? message : "", 500);
	res = st_db_query(db,
		"WITH old AS (SELECT * FROM strato.tenant_integration"
		"  WHERE tenant_id = $1 AND provider = $2),"
		" new AS (UPDATE strato.tenant_integration t"
		"  SET last_test_at = now(), last_test_ok = $3::boolean,"
		"   last_test_message = $4"
		"  WHERE t.tenant_id = $1 AND t.provider = $2"
		"  RETURNING t.*)"
		" SELECT new.id, strato.jsonb_diff("
		"  to_jsonb(old) - 'secret_ciphertext',"
		"  to_jsonb(new) - 'secret_ciphertext')::text"
		" FROM new JOIN old USING (id)", 4,
		(const char *const[]){ tenant_id, p, ok ? "t" : "f", msg },
		err);
	if (!res) {
		perm_error(err, "test", "tenant admin");
		goto cleanup;
	}
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "integration %s is not "
			     "configured", p);
		goto cleanup;
	}
	if (st_audit_add(db, tenant_id, "integration.test",
			 "tenant_integration", PQgetvalue(res, 0, 0),
			 PQgetvalue(res, 0, 1), err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0)
		st_tenant_rollback(db);
	PQclear(res);
	free(msg);
	return ret;
}
