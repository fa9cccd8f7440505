/*
 * tenant.c - tenants, and the transaction scope tenant work runs in.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db-internal.h"
#include "strato/audit.h"
#include "strato/phone.h"
#include "strato/tenant.h"

#define TENANT_COLS \
	"id::text, nombre, slug, plan, is_active, config::text, " \
	ST_SQL_TS("created_at") ", " ST_SQL_TS("updated_at")

void
st_tenant_release(struct st_tenant *t)
{
	if (!t)
		return;
	free(t->id);
	free(t->nombre);
	free(t->slug);
	free(t->plan);
	free(t->config);
	free(t->created_at);
	free(t->updated_at);
	memset(t, 0, sizeof(*t));
}

void
st_tenant_list_release(struct st_tenant_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		st_tenant_release(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static void
tenant_from_row(struct st_tenant *t, const PGresult *res, int row)
{
	t->id = st_db_dup(res, row, 0);
	t->nombre = st_db_dup(res, row, 1);
	t->slug = st_db_dup(res, row, 2);
	t->plan = st_db_dup(res, row, 3);
	t->is_active = st_db_bool(res, row, 4);
	t->config = st_db_dup(res, row, 5);
	t->created_at = st_db_dup(res, row, 6);
	t->updated_at = st_db_dup(res, row, 7);
}

bool
st_tenant_slug_valid(const char *slug)
{
	size_t n;

	if (!slug)
		return false;
	n = strlen(slug);
	if (n < 2 || n > 63 || slug[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = slug[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
	}
	return true;
}

bool
st_tenant_plan_valid(const char *plan)
{
	return plan && (strcmp(plan, "BASIC") == 0 || strcmp(plan, "PRO") == 0 ||
			strcmp(plan, "ENTERPRISE") == 0);
}

static int
require_service(struct st_db *db, const char *what, struct st_error *err)
{
	if (st_db_is_service(db))
		return 0;
	st_error_set(err, ST_EPERM, "permission denied to %s", what);
	st_error_detail(err, "Login \"%s\" is not a platform admin "
			"(a member of strato_service).", st_db_login(db));
	return -1;
}

/*
 * Write a tenant's audit row: under that tenant's scope (set for the rest
 * of the open transaction), where the policy lets it in.
 */
static int
audit_tenant(struct st_db *db, const char *id, const char *action,
	     const char *diff, struct st_error *err)
{
	if (st_db_run(db, "SELECT set_config('app.tenant_id', $1, true)", 1,
		      &id, err) < 0)
		return -1;
	return st_audit_add(db, id, action, "tenant", id, diff, err);
}

/*
 * Create a tenant. The insert and its audit row commit together; the audit
 * row is written under the new tenant's scope, where it belongs.
 */
int
st_tenant_create(struct st_db *db, const char *nombre, const char *slug,
		 const char *plan, struct st_tenant *out, struct st_error *err)
{
	const char *params[3] = { nombre, slug, plan };
	PGresult *res = NULL;
	char *diff = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (require_service(db, "create tenants", err) < 0)
		return -1;
	if (st_str_empty(nombre) || strspn(nombre, " \t") == strlen(nombre)) {
		st_error_set(err, ST_EINVAL, "tenant name must not be empty");
		return -1;
	}
	if (!st_tenant_slug_valid(slug)) {
		st_error_set(err, ST_EINVAL, "invalid slug \"%s\"", slug ? slug : "");
		st_error_hint(err, "Use 2 to 63 lower-case letters, digits and "
			      "hyphens, starting with a letter or digit.");
		return -1;
	}
	if (plan && !st_tenant_plan_valid(plan)) {
		st_error_set(err, ST_EINVAL, "invalid plan \"%s\"", plan);
		st_error_hint(err, "Use BASIC, PRO or ENTERPRISE.");
		return -1;
	}
	if (st_db_begin(db, err) < 0)
		return -1;
	res = st_db_query(db,
		"INSERT INTO strato.tenant (nombre, slug, plan)"
		" VALUES (btrim($1), $2, coalesce($3, 'BASIC'))"
		" RETURNING " TENANT_COLS, 3, params, err);
	if (!res) {
		if (err && err->code == ST_EEXIST) {
			st_error_set(err, ST_EEXIST,
				     "tenant \"%s\" already exists", slug);
		}
		goto cleanup;
	}
	tenant_from_row(out, res, 0);
	diff = st_xasprintf("{\"slug\": \"%s\", \"plan\": \"%s\"}", out->slug,
			    out->plan);
	if (audit_tenant(db, out->id, "tenant.create", diff, err) < 0)
		goto cleanup;
	if (st_db_commit(db, err) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	if (ret < 0) {
		st_db_rollback(db);
		st_tenant_release(out);
	}
	free(diff);
	PQclear(res);
	return ret;
}

int
st_tenant_list(struct st_db *db, struct st_tenant_list *out,
	       struct st_error *err)
{
	PGresult *res;
	int n;

	out->n = 0;
	out->items = NULL;
	res = st_db_query(db, "SELECT " TENANT_COLS " FROM strato.tenant"
			  " ORDER BY slug", 0, NULL, err);
	if (!res)
		return -1;
	n = PQntuples(res);
	out->items = st_xcalloc(n ? (size_t)n : 1, sizeof(*out->items));
	for (int i = 0; i < n; i++)
		tenant_from_row(&out->items[i], res, i);
	out->n = (size_t)n;
	PQclear(res);
	return 0;
}

int
st_tenant_get(struct st_db *db, const char *slug, struct st_tenant *out,
	      struct st_error *err)
{
	PGresult *res;

	memset(out, 0, sizeof(*out));
	res = st_db_query(db, "SELECT " TENANT_COLS " FROM strato.tenant"
			  " WHERE slug = $1", 1, &slug, err);
	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		st_error_set(err, ST_ENOTFOUND, "tenant \"%s\" does not exist",
			     slug);
		return -1;
	}
	tenant_from_row(out, res, 0);
	PQclear(res);
	return 0;
}

int
st_tenant_set_active(struct st_db *db, const char *slug, bool active,
		     struct st_error *err)
{
	const char *params[2] = { slug, active ? "true" : "false" };
	PGresult *res = NULL;
	char *id = NULL;
	int ret = -1;

	if (require_service(db, active ? "enable tenants" : "disable tenants",
			    err) < 0)
		return -1;
	if (st_db_begin(db, err) < 0)
		return -1;
	res = st_db_query(db, "UPDATE strato.tenant SET is_active = $2"
			  " WHERE slug = $1 RETURNING id::text", 2, params, err);
	if (!res)
		goto cleanup;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "tenant \"%s\" does not exist",
			     slug);
		goto cleanup;
	}
	id = st_db_dup(res, 0, 0);
	if (audit_tenant(db, id, active ? "tenant.enable" : "tenant.disable",
			 active ? "{\"is_active\": {\"old\": false, \"new\": true}}"
				: "{\"is_active\": {\"old\": true, \"new\": false}}",
			 err) < 0)
		goto cleanup;
	ret = st_db_commit(db, err);
cleanup:
	if (ret < 0)
		st_db_rollback(db);
	PQclear(res);
	free(id);
	return ret;
}

/*
 * Apply one UPDATE of the tenant named slug (set: the SET list over $2, $3)
 * and audit it with the server's diff of the row before and after.
 */
static int
update_tenant(struct st_db *db, const char *slug, const char *set,
	      const char *p2, const char *p3, const char *action,
	      struct st_tenant *out, struct st_error *err)
{
	const char *params[3] = { slug, p2, p3 };
	PGresult *res = NULL;
	char *sql = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (st_db_begin(db, err) < 0)
		return -1;
	sql = st_xasprintf(
		"WITH old AS (SELECT * FROM strato.tenant WHERE slug = $1"
		"             FOR UPDATE),"
		" new AS (UPDATE strato.tenant t SET %s FROM old"
		"         WHERE t.id = old.id RETURNING t.*)"
		" SELECT " TENANT_COLS ", (SELECT strato.jsonb_diff("
		"   to_jsonb(old), to_jsonb(n)) FROM old)::text"
		" FROM new n", set);
	res = st_db_query(db, sql, 3, params, err);
	if (!res)
		goto cleanup;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "tenant \"%s\" does not exist",
			     slug);
		goto cleanup;
	}
	tenant_from_row(out, res, 0);
	if (audit_tenant(db, out->id, action, PQgetvalue(res, 0, 8), err) < 0)
		goto cleanup;
	ret = st_db_commit(db, err);
cleanup:
	if (ret < 0) {
		st_db_rollback(db);
		st_tenant_release(out);
	}
	PQclear(res);
	free(sql);
	return ret;
}

int
st_tenant_update(struct st_db *db, const char *slug, const char *nombre,
		 const char *plan, struct st_tenant *out, struct st_error *err)
{
	memset(out, 0, sizeof(*out));
	if (require_service(db, "update tenants", err) < 0)
		return -1;
	if (!nombre && !plan) {
		st_error_set(err, ST_EUSAGE, "nothing to update");
		st_error_hint(err, "Pass --name or --plan.");
		return -1;
	}
	if (nombre && strspn(nombre, " \t") == strlen(nombre)) {
		st_error_set(err, ST_EINVAL, "tenant name must not be empty");
		return -1;
	}
	if (plan && !st_tenant_plan_valid(plan)) {
		st_error_set(err, ST_EINVAL, "invalid plan \"%s\"", plan);
		st_error_hint(err, "Use BASIC, PRO or ENTERPRISE.");
		return -1;
	}
	return update_tenant(db, slug,
			     "nombre = coalesce(btrim($2), t.nombre),"
			     " plan = coalesce($3, t.plan)",
			     nombre, plan, "tenant.update", out, err);
}

const char *const st_tenant_setting_names[] = {
	"country", "timezone", "currency", "lead_visibility", NULL,
};

static const char *const setting_defaults[] = {
	"AR", "America/Argentina/Buenos_Aires", "ARS", "all",
};

static int
setting_index(const char *key)
{
	for (int i = 0; st_tenant_setting_names[i]; i++)
		if (strcmp(st_tenant_setting_names[i], key) == 0)
			return i;
	return -1;
}

/* Check and canonicalise one setting; a new string, NULL on error. */
static char *
setting_value(struct st_db *db, const char *key, const char *v,
	      struct st_error *err)
{
	char *c = st_xstrdup(v);
	PGresult *res = NULL;
	bool ok = false;

	if (strcmp(key, "timezone") == 0) {
		res = st_db_query(db, "SELECT name FROM pg_catalog."
				  "pg_timezone_names WHERE lower(name) ="
				  " lower($1)", 1, &v, err);
		if (!res)
			goto fail;
		if ((ok = PQntuples(res) > 0)) {
			free(c);
			c = st_db_dup(res, 0, 0);
		}
		PQclear(res);
	} else if (strcmp(key, "lead_visibility") == 0) {
		st_str_lower(c);
		ok = strcmp(c, "all") == 0 || strcmp(c, "assigned") == 0;
	} else {
		st_str_upper(c);
		ok = strcmp(key, "country") == 0
			? st_phone_region_valid(c)
			: strcmp(c, "ARS") == 0 || strcmp(c, "USD") == 0;
	}
	if (ok)
		return c;
	st_error_set(err, ST_EINVAL, "invalid %s \"%s\"", key, v);
	st_error_hint(err, "%s",
		      strcmp(key, "timezone") == 0 ? "Use an IANA zone such as "
		      "America/Argentina/Cordoba." :
		      strcmp(key, "lead_visibility") == 0 ? "Use all or assigned." :
		      strcmp(key, "country") == 0 ? "Use an ISO 3166 code such as "
		      "AR, UY or CL." : "Use ARS or USD.");
fail:
	free(c);
	return NULL;
}

/*
 * Validate the settings into a JSON object to merge and an array of keys
 * to remove, both as JSON text for bound parameters.
 */
static int
settings_json(struct st_db *db, const char *const *keys,
	      const char *const *values, size_t n, char **set, char **unset,
	      struct st_error *err)
{
	json_t *s = json_object(), *u = json_array();
	int ret = -1;

	for (size_t i = 0; i < n; i++) {
		char *v;

		if (setting_index(keys[i]) < 0) {
			st_error_set(err, ST_EUSAGE, "unknown setting \"%s\"",
				     keys[i]);
			st_error_hint(err, "Settings: country, timezone, "
				      "currency, lead_visibility.");
			goto cleanup;
		}
		if (!*values[i]) {
			json_array_append_new(u, json_string(keys[i]));
			continue;
		}
		if (!(v = setting_value(db, keys[i], values[i], err)))
			goto cleanup;
		json_object_set_new(s, keys[i], json_string(v));
		free(v);
	}
	*set = json_dumps(s, JSON_COMPACT);
	*unset = json_dumps(u, JSON_COMPACT);
	ret = 0;
cleanup:
	json_decref(s);
	json_decref(u);
	return ret;
}

int
st_tenant_configure(struct st_db *db, const char *slug,
		    const char *const *keys, const char *const *values,
		    size_t n, struct st_tenant *out, struct st_error *err)
{
	char *set = NULL, *unset = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return st_tenant_get(db, slug, out, err);
	if (require_service(db, "configure tenants", err) < 0)
		return -1;
	if (settings_json(db, keys, values, n, &set, &unset, err) < 0)
		goto cleanup;
	ret = update_tenant(db, slug,
			    "config = (t.config - ARRAY(SELECT jsonb_array_"
			    "elements_text($3::jsonb))) || $2::jsonb",
			    set, unset, "tenant.config", out, err);
cleanup:
	free(set);
	free(unset);
	return ret;
}

char *
st_tenant_setting(const struct st_tenant *t, const char *key)
{
	int i = setting_index(key);
	json_t *cfg = t->config ? json_loads(t->config, 0, NULL) : NULL;
	const char *v = json_string_value(json_object_get(cfg, key));
	char *r = v ? st_xstrdup(v) : i >= 0 ? st_xstrdup(setting_defaults[i])
					    : NULL;

	json_decref(cfg);
	return r;
}

/*
 * Decide the tenant a command works in. Service logins must name one;
 * agent logins are pinned to theirs and may only name it.
 */
int
st_tenant_resolve(struct st_db *db, const char *slug, char **id_out,
		  struct st_error *err)
{
	struct st_tenant t;
	const char *own = st_db_login_tenant(db);

	*id_out = NULL;
	if (st_str_empty(slug)) {
		if (own) {
			*id_out = st_xstrdup(own);
			return 0;
		}
		if (st_db_is_service(db)) {
			st_error_set(err, ST_EINVAL, "no tenant selected");
			st_error_hint(err, "Pass --tenant SLUG before the command.");
		} else {
			st_error_set(err, ST_EPERM, "login \"%s\" belongs to no "
				     "tenant", st_db_login(db));
			st_error_detail(err, "It is neither a tenant user nor a "
					"platform admin (strato_service).");
		}
		return -1;
	}
	if (st_tenant_get(db, slug, &t, err) < 0) {
		if (own && err && err->code == ST_ENOTFOUND) {
			st_error_set(err, ST_EPERM, "login \"%s\" cannot work in "
				     "tenant \"%s\"", st_db_login(db), slug);
			st_error_detail(err, "A tenant user works only in its own "
					"tenant.");
			st_error_hint(err, "Leave out --tenant.");
		}
		return -1;
	}
	if (own && strcmp(own, t.id) != 0) {
		st_error_set(err, ST_EPERM, "login \"%s\" cannot work in tenant "
			     "\"%s\"", st_db_login(db), slug);
		st_tenant_release(&t);
		return -1;
	}
	if (!t.is_active) {
		st_error_set(err, ST_ESTATE, "tenant \"%s\" is disabled", slug);
		st_error_hint(err, "A platform admin can run "
			      "\"strato tenant enable %s\".", slug);
		st_tenant_release(&t);
		return -1;
	}
	*id_out = t.id;
	t.id = NULL;
	st_tenant_release(&t);
	return 0;
}

/*
 * Open a transaction scoped to tenant_id. set_config(..., true) lasts until
 * the transaction ends, so a pooled connection never carries it over.
 */
int
st_tenant_begin(struct st_db *db, const char *tenant_id, struct st_error *err)
{
	if (st_db_begin(db, err) < 0)
		return -1;
	if (st_db_run(db, "SELECT set_config('app.tenant_id', $1, true)", 1,
		      &tenant_id, err) < 0) {
		st_db_rollback(db);
		return -1;
	}
	return 0;
}

int
st_tenant_commit(struct st_db *db, struct st_error *err)
{
	return st_db_commit(db, err);
}

void
st_tenant_rollback(struct st_db *db)
{
	st_db_rollback(db);
}
