/*
 * legacy-verify.c - proving the copy, and cutting over.
 *
 * Both sides are hashed over the same canonical projection (legacy-map.c):
 * each legacy row through the mapping, each strato row as stored, both as
 * ROW(text, ...) text under TimeZone UTC, summed as 64-bit slices of md5.
 * Counts and sums must match per table. Cut-over verifies again while the
 * legacy tables are locked against writes, and only if that verification
 * matches the last passing one does it revoke the write privileges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "legacy-internal.h"
#include "strato/audit.h"
#include "strato/tenant.h"

/* Run one side's checksum query; fills rows and sum. */
static int
side_sum(struct st_db *db, const char *sql, const char *tenant_id,
	 long long *rows, char *sum, size_t sumlen, struct st_error *err)
{
	PGresult *res = st_db_query(db, sql, tenant_id ? 1 : 0,
				    tenant_id ? &tenant_id : NULL, err);

	if (!res)
		return -1;
	*rows = atoll(PQgetvalue(res, 0, 0));
	snprintf(sum, sumlen, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return 0;
}

/* Compute both sides of every table in the current transaction. */
static int
compute(struct st_db *db, const char *ident, const char *tenant_id,
	struct st_legacy_verify *out, struct st_error *err)
{
	out->ok = true;
	if (st_db_run(db, "SET LOCAL TimeZone = 'UTC'", 0, NULL, err) < 0 ||
	    st_db_run(db, "SET LOCAL DateStyle = 'ISO, YMD'", 0, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < ST_LEGACY_NTABLES; i++) {
		const struct legacy_map *m = &legacy_maps[i];
		struct st_legacy_check *c = &out->tables[i];
		char *lsql = legacy_sql_checksum(m, ident, true);
		char *nsql = legacy_sql_checksum(m, ident, false);
		int r;

		c->table = m->legacy;
		r = side_sum(db, lsql, NULL, &c->legacy_rows, c->legacy_sum,
			     sizeof(c->legacy_sum), err);
		if (r == 0)
			r = side_sum(db, nsql, tenant_id, &c->new_rows,
				     c->new_sum, sizeof(c->new_sum), err);
		free(lsql);
		free(nsql);
		if (r < 0)
			return -1;
		c->ok = c->legacy_rows == c->new_rows &&
			strcmp(c->legacy_sum, c->new_sum) == 0;
		out->ok = out->ok && c->ok;
	}
	return 0;
}

static char *
result_json(const struct st_legacy_verify *v)
{
	json_t *o = json_object();
	char *s;

	for (size_t i = 0; i < ST_LEGACY_NTABLES; i++) {
		const struct st_legacy_check *c = &v->tables[i];

		json_object_set_new(o, c->table,
				    json_pack("{sI ss sI ss}", "legacy_rows",
					      (json_int_t)c->legacy_rows,
					      "legacy_sum", c->legacy_sum,
					      "new_rows", (json_int_t)c->new_rows,
					      "new_sum", c->new_sum));
	}
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

static int
need_tenant(struct st_db *db, const struct st_legacy_opts *opts, char **id,
	    struct st_error *err)
{
	if (legacy_tenant_id(db, opts->slug, id, err) < 0)
		return -1;
	if (*id)
		return 0;
	st_error_set(err, ST_ENOTFOUND, "tenant \"%s\" does not exist",
		     opts->slug);
	st_error_hint(err, "Run \"strato-etl legacy copy\" first.");
	return -1;
}

int
st_legacy_verify(struct st_db *db, const struct st_legacy_opts *opts,
		 struct st_legacy_verify *out, struct st_error *err)
{
	const char *schema = opts->schema ? opts->schema : "public";
	char *ident = NULL;
	char *tenant_id = NULL;
	char *json = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	ident = legacy_schema_ident(db, opts, err);
	if (!ident || legacy_require_install(db, ident, schema, err) < 0 ||
	    need_tenant(db, opts, &tenant_id, err) < 0)
		goto cleanup;
	/* One snapshot for both sides and every table. */
	if (st_db_run(db, "BEGIN ISOLATION LEVEL REPEATABLE READ", 0, NULL,
		      err) < 0 ||
	    st_db_run(db, "SELECT set_config('app.tenant_id', $1, true)", 1,
		      (const char *const *)&tenant_id, err) < 0)
		goto cleanup;
	if (compute(db, ident, tenant_id, out, err) < 0)
		goto cleanup;
	json = result_json(out);
	if (st_db_run(db, "UPDATE strato.legacy_migration SET verified_at = now(),"
		      " verify_ok = $3, verify_result = $4::jsonb"
		      " WHERE tenant_id = $1 AND id = $2", 4,
		      (const char *const[]){ tenant_id, schema,
					     out->ok ? "t" : "f", json }, err) < 0)
		goto cleanup;
	ret = st_db_commit(db, err);
cleanup:
	if (ret < 0)
		st_db_rollback(db);
	PQfreemem(ident);
	free(tenant_id);
	free(json);
	return ret;
}

/*
 * Revoke INSERT, UPDATE, DELETE and TRUNCATE on one legacy table (and its
 * columns) from every grantee but the owner; append the GRANTs that undo
 * it to undo. The statements are built by the server (format %I / regclass
 * output), never from client text.
 */
static int
revoke_writes(struct st_db *db, const char *qualified, struct st_buf *undo,
	      struct st_error *err)
{
	PGresult *res;
	int ret = 0;

	res = st_db_query(db,
		"WITH t AS (SELECT c.oid, c.relowner, c.relacl,"
		"           format('%I.%I', n.nspname, c.relname) AS name"
		"           FROM pg_class c JOIN pg_namespace n"
		"           ON n.oid = c.relnamespace WHERE c.oid = $1::regclass),"
		" g AS ("
		"  SELECT a.grantee, a.privilege_type, NULL::name AS col"
		"  FROM t, aclexplode(coalesce(t.relacl,"
		"       acldefault('r', t.relowner))) a"
		"  UNION ALL"
		"  SELECT a.grantee, a.privilege_type, att.attname"
		"  FROM t JOIN pg_attribute att ON att.attrelid = t.oid,"
		"       aclexplode(att.attacl) a WHERE att.attacl IS NOT NULL)"
		" SELECT format('REVOKE %s%s ON %s FROM %s', g.privilege_type,"
		"   coalesce(' (' || quote_ident(g.col) || ')', ''),"
		"   t.name, CASE g.grantee WHEN 0 THEN 'PUBLIC'"
		"   ELSE quote_ident(pg_get_userbyid(g.grantee)) END),"
		" format('GRANT %s%s ON %s TO %s;', g.privilege_type,"
		"   coalesce(' (' || quote_ident(g.col) || ')', ''),"
		"   t.name, CASE g.grantee WHEN 0 THEN 'PUBLIC'"
		"   ELSE quote_ident(pg_get_userbyid(g.grantee)) END)"
		" FROM t, g WHERE g.grantee <> t.relowner AND g.privilege_type"
		"   IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')"
		" ORDER BY 1", 1, &qualified, err);
	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res) && ret == 0; i++) {
		ret = st_db_run(db, PQgetvalue(res, i, 0), 0, NULL, err);
		st_buf_addf(undo, "%s\n", PQgetvalue(res, i, 1));
	}
	PQclear(res);
	return ret;
}

/* Does the verification now match the stored, passing one? */
static int
matches_last(struct st_db *db, const char *tenant_id, const char *schema,
	     const struct st_legacy_verify *now, struct st_error *err)
{
	PGresult *res;
	char *json = result_json(now);
	int ret = -1;

	res = st_db_query(db, "SELECT coalesce(verify_ok, false),"
			  " verify_result = $3::jsonb"
			  " FROM strato.legacy_migration"
			  " WHERE tenant_id = $1 AND id = $2", 3,
			  (const char *const[]){ tenant_id, schema, json }, err);
	free(json);
	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "no copy of schema \"%s\" into "
			     "this tenant", schema);
	} else if (!st_db_bool(res, 0, 0)) {
		st_error_set(err, ST_ESTATE, "the last verify did not pass");
		st_error_hint(err, "Run \"strato-etl legacy copy\" (it catches "
			      "up and verifies), then cut over.");
	} else if (!now->ok || !st_db_bool(res, 0, 1)) {
		st_error_set(err, ST_ESTATE, "the legacy tables changed since "
			     "the last verify");
		st_error_hint(err, "Stop the web application's writes, run "
			      "\"strato-etl legacy copy\" again, then cut over.");
	} else {
		ret = 0;
	}
	PQclear(res);
	return ret;
}

/*
 * Cut over: lock the legacy tables against writes, verify, compare with
 * the last passing verify, revoke write privileges, record it all.
 */
int
st_legacy_cutover(struct st_db *db, const struct st_legacy_opts *opts,
		  struct st_legacy_verify *out, char **undo,
		  struct st_error *err)
{
	const char *schema = opts->schema ? opts->schema : "public";
	struct st_buf grants = ST_BUF_INIT;
	struct st_buf lock = ST_BUF_INIT;
	char *ident = NULL;
	char *tenant_id = NULL;
	char *json = NULL;
	PGresult *res = NULL;
	bool locked = false;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	*undo = NULL;
	ident = legacy_schema_ident(db, opts, err);
	if (!ident || legacy_require_install(db, ident, schema, err) < 0 ||
	    need_tenant(db, opts, &tenant_id, err) < 0)
		goto cleanup;
	if (legacy_lock(db, err) < 0)
		goto cleanup;
	locked = true;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		goto cleanup;
	res = st_db_query(db, "SELECT " ST_SQL_TS("cutover_at")
			  " FROM strato.legacy_migration WHERE tenant_id = $1"
			  " AND id = $2 AND cutover_at IS NOT NULL", 2,
			  (const char *const[]){ tenant_id, schema }, err);
	if (!res)
		goto cleanup;
	if (PQntuples(res) == 1) {
		st_error_set(err, ST_ESTATE, "tenant \"%s\" was already cut over "
			     "at %s", opts->slug, PQgetvalue(res, 0, 0));
		goto cleanup;
	}
	PQclear(res);
	res = NULL;
	st_buf_addstr(&lock, "LOCK TABLE ");
	for (size_t i = 0; i < ST_LEGACY_NTABLES; i++)
		st_buf_addf(&lock, "%s%s.\"%s\"", i ? ", " : "", ident,
			    legacy_maps[i].legacy);
	st_buf_addstr(&lock, " IN SHARE MODE");
	if (st_db_run(db, lock.data, 0, NULL, err) < 0)
		goto cleanup;
	if (compute(db, ident, tenant_id, out, err) < 0)
		goto cleanup;
	if (matches_last(db, tenant_id, schema, out, err) < 0)
		goto cleanup;
	for (size_t i = 0; i < ST_LEGACY_NTABLES; i++) {
		char *q = st_xasprintf("%s.\"%s\"", ident, legacy_maps[i].legacy);
		int r = revoke_writes(db, q, &grants, err);

		free(q);
		if (r < 0)
			goto cleanup;
	}
	json = st_xasprintf("%s", grants.len ? grants.data : "");
	if (st_db_run(db, "UPDATE strato.legacy_migration SET cutover_at = now(),"
		      " cutover_acl = to_jsonb($3::text)"
		      " WHERE tenant_id = $1 AND id = $2", 3,
		      (const char *const[]){ tenant_id, schema, json }, err) < 0)
		goto cleanup;
	if (st_audit_add(db, tenant_id, "legacy.cutover", "legacy_migration",
			 schema, NULL, err) < 0)
		goto cleanup;
	if (st_tenant_commit(db, err) < 0)
		goto cleanup;
	*undo = st_buf_detach(&grants);
	ret = 0;
cleanup:
	if (ret < 0)
		st_db_rollback(db);
	if (locked)
		legacy_unlock(db);
	PQclear(res);
	PQfreemem(ident);
	free(tenant_id);
	free(json);
	st_buf_release(&grants);
	st_buf_release(&lock);
	return ret;
}
