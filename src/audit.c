/*
 * audit.c - appending to strato.audit_log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit-internal.h"
#include "db-internal.h"
#include "strato/audit.h"
#include "strato/tenant.h"

/*
 * Append one audit row in the current transaction. The server fills the
 * actor (session_user and its app_user) and the time; the tenant must be
 * the transaction's tenant or the row is refused by the policy.
 */
int
st_audit_add(struct st_db *db, const char *tenant_id, const char *action,
	     const char *entity, const char *entity_id, const char *diff_json,
	     struct st_error *err)
{
	const char *params[5] = { tenant_id, action, entity, entity_id,
				  diff_json };

	return st_db_run(db,
		"INSERT INTO strato.audit_log"
		" (tenant_id, action, entity, entity_id, diff)"
		" VALUES ($1, $2, $3, $4, $5::jsonb)", 5, params, err);
}

void
st_audit_list_release(struct st_audit_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		struct st_audit_entry *e = &l->items[i];

		free(e->id);
		free(e->at);
		free(e->actor_login);
		free(e->actor_email);
		free(e->action);
		free(e->entity);
		free(e->entity_id);
		free(e->diff);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/*
 * Newest first, keyset-paged on (at, id). "since" is read by the server:
 * an interval ("7d", "2 hours") counts back from now, anything else is a
 * timestamp in the session's zone.
 */
int
st_audit_list(struct st_db *db, const char *tenant_id,
	      const struct st_audit_filter *f, struct st_audit_list *out,
	      struct st_error *err)
{
	char lim[16];
	int limit = f->limit > 0 ? f->limit : 50;
	PGresult *res = NULL;
	int ret = -1, n;

	memset(out, 0, sizeof(*out));
	snprintf(lim, sizeof(lim), "%d", limit + 1);
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db,
		"SELECT a.id, " ST_SQL_TS("a.at") ", a.actor_login, u.email,"
		" a.action, a.entity, a.entity_id, a.diff::text"
		" FROM strato.audit_log a"
		" LEFT JOIN strato.app_user u ON u.tenant_id = a.tenant_id"
		"  AND u.id = a.actor_user_id"
		" WHERE a.tenant_id = $1"
		"  AND ($2::text IS NULL OR a.entity = split_part($2, ':', 1))"
		"  AND ($2::text IS NULL OR strpos($2, ':') = 0"
		"       OR a.entity_id = substr($2, strpos($2, ':') + 1))"
		"  AND ($3::text IS NULL OR a.actor_login = $3"
		"       OR u.email = lower(btrim($3)))"
		"  AND ($4::text IS NULL OR a.action = $4"
		"       OR ($4 LIKE '%.' AND starts_with(a.action, $4)))"
		"  AND ($5::text IS NULL OR a.at >= CASE"
		"       WHEN $5 ~ '^\\s*[0-9]+\\s*[a-z]' AND $5 !~ '[-/:]'"
		"       THEN now() - $5::interval ELSE $5::timestamptz END)"
		"  AND ($6::text IS NULL OR (a.at, a.id) < (SELECT b.at, b.id"
		"       FROM strato.audit_log b WHERE b.tenant_id = $1"
		"       AND b.id = $6))"
		" ORDER BY a.at DESC, a.id DESC LIMIT $7::int",
		7, (const char *const[]){ tenant_id, f->entity, f->actor,
					  f->action, f->since, f->before_id,
					  lim }, err);
	if (!res) {
		if (err && strncmp(err->sqlstate, "22", 2) == 0) {
			st_error_set(err, ST_EINVAL, "invalid --since \"%s\"",
				     f->since ? f->since : "");
			st_error_hint(err, "Use a date such as 2026-11-01, or "
				      "a span back from now such as 7d or 24h.");
		}
		goto cleanup;
	}
	n = PQntuples(res);
	out->more = n > limit;
	if (out->more)
		n = limit;
	out->items = st_xcalloc(n ? (size_t)n : 1, sizeof(*out->items));
	for (int i = 0; i < n; i++) {
		struct st_audit_entry *e = &out->items[i];

		e->id = st_db_dup(res, i, 0);
		e->at = st_db_dup(res, i, 1);
		e->actor_login = st_db_dup(res, i, 2);
		e->actor_email = st_db_dup(res, i, 3);
		e->action = st_db_dup(res, i, 4);
		e->entity = st_db_dup(res, i, 5);
		e->entity_id = st_db_dup(res, i, 6);
		e->diff = st_db_dup(res, i, 7);
	}
	out->n = (size_t)n;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_audit_list_release(out);
	}
	PQclear(res);
	return ret;
}

int
st_audit_rows(struct st_db *db, const char *tenant_id, const char *action,
	      const char *entity, const char *sql, int nparams,
	      const char *const *params, char **id_out, PGresult **keep,
	      struct st_error *err)
{
	PGresult *res = st_db_query(db, sql, nparams, params, err);
	int n, last;

	if (keep)
		*keep = NULL;
	if (!res)
		return -1;
	n = PQntuples(res);
	last = PQnfields(res) - 1;
	for (int i = 0; i < n; i++) {
		if (strcmp(PQgetvalue(res, i, last), "{}") == 0)
			continue;
		if (st_audit_add(db, tenant_id, action, entity,
				 PQgetvalue(res, i, 0),
				 PQgetvalue(res, i, last), err) < 0) {
			PQclear(res);
			return -1;
		}
	}
	if (id_out && n > 0)
		*id_out = st_db_dup(res, 0, 0);
	if (keep)
		*keep = res;
	else
		PQclear(res);
	return n;
}
