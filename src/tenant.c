/*
 * tenant.c - tenants, and the transaction scope tenant work runs in.
 */
#include <stdlib.h>
#include <string.h>

#include "db-internal.h"
#include "strato/audit.h"
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
	if (st_db_run(db, "SELECT set_config('app.tenant_id', $1, true)", 1,
		      (const char *const[]){ out->id }, err) < 0)
		goto cleanup;
	diff = st_xasprintf("{\"slug\": \"%s\", \"plan\": \"%s\"}", out->slug,
			    out->plan);
	if (st_audit_add(db, out->id, "tenant.create", "tenant", out->id, diff,
			 err) < 0)
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
	if (st_db_run(db, "SELECT set_config('app.tenant_id', $1, true)", 1,
		      (const char *const *)&id, err) < 0)
		goto cleanup;
	if (st_audit_add(db, id, active ? "tenant.enable" : "tenant.disable",
			 "tenant", id, NULL, err) < 0)
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
