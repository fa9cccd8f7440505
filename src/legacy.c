/*
 * legacy.c - status, copy and rollback of the default-tenant migration.
 *
 * The copy works table by table in foreign-key order. Each table is one
 * REPEATABLE READ transaction, so a kill at any moment leaves that table
 * either copied or untouched, and the next run picks up from there. Inside
 * it, rows move with INSERT ... SELECT in keyset chunks of the legacy
 * primary key (progress after each chunk); nothing is read row by row
 * except the lead phones, which stream through libphonenumber on the
 * client: COPY OUT on a second connection sharing the transaction's
 * snapshot, COPY IN to a temporary table the upsert joins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "legacy-internal.h"
#include "strato/audit.h"
#include "strato/log.h"
#include "strato/phone.h"
#include "strato/tenant.h"

#define LEAD_INDEX 2 /* legacy_maps[] position of "Lead" */

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
st_legacy_status_release(struct st_legacy_status *s)
{
	if (!s)
		return;
	free(s->tenant_id);
	free(s->copied_at);
	free(s->verified_at);
	free(s->cutover_at);
	memset(s, 0, sizeof(*s));
}

void
st_legacy_rollback_release(struct st_legacy_rollback *r)
{
	if (!r)
		return;
	free(r->kept_reason);
	free(r->logins_left);
	memset(r, 0, sizeof(*r));
}

char *
legacy_schema_ident(struct st_db *db, const struct st_legacy_opts *o,
		    struct st_error *err)
{
	const char *schema = o->schema ? o->schema : "public";
	char *id = PQescapeIdentifier(db->conn, schema, strlen(schema));

	if (!id)
		st_error_set(err, ST_EINVAL, "invalid schema name \"%s\"", schema);
	return id;
}

int
legacy_tenant_id(struct st_db *db, const char *slug, char **id,
		 struct st_error *err)
{
	PGresult *res = st_db_query(db, "SELECT id::text FROM strato.tenant"
				    " WHERE slug = $1", 1, &slug, err);

	*id = NULL;
	if (!res)
		return -1;
	if (PQntuples(res) == 1)
		*id = st_db_dup(res, 0, 0);
	PQclear(res);
	return 0;
}

/* Which legacy tables exist; fills present[] and returns how many. */
static int
legacy_present(struct st_db *db, const char *schema_ident, bool *present,
	       struct st_error *err)
{
	int n = 0;

	for (size_t i = 0; i < ST_LEGACY_NTABLES; i++) {
		char *name = st_xasprintf("%s.\"%s\"", schema_ident,
					  legacy_maps[i].legacy);
		PGresult *res = st_db_query(db, "SELECT to_regclass($1) IS NOT NULL",
					    1, (const char *const *)&name, err);

		free(name);
		if (!res)
			return -1;
		present[i] = st_db_bool(res, 0, 0);
		n += present[i];
		PQclear(res);
	}
	return n;
}

int
legacy_require_install(struct st_db *db, const char *schema_ident,
		       const char *schema, struct st_error *err)
{
	bool present[ST_LEGACY_NTABLES];
	int n = legacy_present(db, schema_ident, present, err);

	if (n < 0)
		return -1;
	if (n == ST_LEGACY_NTABLES)
		return 0;
	for (size_t i = 0; i < ST_LEGACY_NTABLES; i++)
		if (!present[i]) {
			st_error_set(err, ST_ENOTFOUND, "no legacy install in "
				     "schema \"%s\"", schema ? schema : "public");
			st_error_detail(err, "Table \"%s\" is missing (%d of %d "
					"legacy tables found).",
					legacy_maps[i].legacy, n,
					ST_LEGACY_NTABLES);
			st_error_hint(err, "Name the schema with --legacy-schema.");
			break;
		}
	return -1;
}

int
legacy_lock(struct st_db *db, struct st_error *err)
{
	return st_db_run(db, "SELECT pg_advisory_lock(" LEGACY_LOCK_KEY ")", 0,
			 NULL, err);
}

void
legacy_unlock(struct st_db *db)
{
	PQclear(PQexec(db->conn,
		       "SELECT pg_advisory_unlock(" LEGACY_LOCK_KEY ")"));
}

static long long
count_of(PGresult *res, int col)
{
	return PQgetisnull(res, 0, col) ? 0 : atoll(PQgetvalue(res, 0, col));
}

/* The row count of legacy table i. */
static int
legacy_rows(struct st_db *db, const char *ident, size_t i, long long *n,
	    struct st_error *err)
{
	char *sql = st_xasprintf("SELECT count(*) FROM %s.\"%s\"", ident,
				 legacy_maps[i].legacy);
	PGresult *res = st_db_query(db, sql, 0, NULL, err);

	free(sql);
	if (!res)
		return -1;
	*n = count_of(res, 0);
	PQclear(res);
	return 0;
}

/*
 * What is there: the legacy tables and their rows, the tenant and its rows,
 * and how far the migration got. Read-only.
 */
int
st_legacy_status(struct st_db *db, const struct st_legacy_opts *opts,
		 struct st_legacy_status *out, struct st_error *err)
{
	bool present[ST_LEGACY_NTABLES];
	char *ident = NULL;
	PGresult *res = NULL;
	int n;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	ident = legacy_schema_ident(db, opts, err);
	if (!ident)
		return -1;
	n = legacy_present(db, ident, present, err);
	if (n < 0)
		goto cleanup;
	out->installed = n == ST_LEGACY_NTABLES;
	if (legacy_tenant_id(db, opts->slug, &out->tenant_id, err) < 0)
		goto cleanup;
	if (out->tenant_id && st_tenant_begin(db, out->tenant_id, err) < 0)
		goto cleanup;
	for (size_t i = 0; i < ST_LEGACY_NTABLES; i++) {
		struct st_legacy_table *t = &out->tables[i];

		t->legacy = legacy_maps[i].legacy;
		t->target = legacy_maps[i].target;
		t->present = present[i];
		t->new_rows = -1;
		if (present[i] &&
		    legacy_rows(db, ident, i, &t->legacy_rows, err) < 0)
			goto cleanup;
		if (out->tenant_id) {
			char *sql = st_xasprintf("SELECT count(*) FROM strato.%s"
						 " WHERE tenant_id = $1", t->target);

			res = st_db_query(db, sql, 1,
					  (const char *const *)&out->tenant_id, err);
			free(sql);
			if (!res)
				goto cleanup;
			t->new_rows = count_of(res, 0);
			PQclear(res);
		}
	}
	res = NULL;
	if (out->tenant_id) {
		const char *schema = opts->schema ? opts->schema : "public";

		res = st_db_query(db, "SELECT tenant_created, "
				  ST_SQL_TS("copied_at") ", " ST_SQL_TS("verified_at")
				  ", coalesce(verify_ok, false), "
				  ST_SQL_TS("cutover_at")
				  " FROM strato.legacy_migration"
				  " WHERE tenant_id = $1 AND id = $2", 2,
				  (const char *const[]){ out->tenant_id, schema },
				  err);
		if (!res)
			goto cleanup;
		if (PQntuples(res) == 1) {
			out->migration = true;
			out->tenant_created = st_db_bool(res, 0, 0);
			out->copied_at = st_db_dup(res, 0, 1);
			out->verified_at = st_db_dup(res, 0, 2);
			out->verify_ok = st_db_bool(res, 0, 3);
			out->cutover_at = st_db_dup(res, 0, 4);
		}
		if (st_tenant_commit(db, err) < 0)
			goto cleanup;
	}
	ret = 0;
cleanup:
	if (ret < 0) {
		st_db_rollback(db);
		st_legacy_status_release(out);
	}
	PQclear(res);
	PQfreemem(ident);
	return ret;
}

static int
table_has_rows(struct st_db *db, const struct legacy_map *m,
	       const char *tenant_id, bool *has, struct st_error *err)
{
	char *sql = st_xasprintf("SELECT EXISTS (SELECT 1 FROM strato.%s"
				 " WHERE tenant_id = $1)", m->target);
	PGresult *res = st_db_query(db, sql, 1, &tenant_id, err);

	free(sql);
	if (!res)
		return -1;
	*has = st_db_bool(res, 0, 0);
	PQclear(res);
	return 0;
}

static int
check_fks(struct st_db *db, const struct legacy_map *m, const char *tenant_id,
	  struct st_error *err)
{
	char *t = st_xasprintf("strato.%s", m->target);
	int r = st_db_check_foreign_keys(db, t, tenant_id, err);

	free(t);
	return r;
}

/* Is any row of the tenant in one of the tables the copy fills? */
static int
tenant_has_rows(struct st_db *db, const char *tenant_id, bool *has,
		struct st_error *err)
{
	*has = false;
	for (size_t i = 0; i < ST_LEGACY_NTABLES && !*has; i++)
		if (table_has_rows(db, &legacy_maps[i], tenant_id, has, err) < 0)
			return -1;
	return 0;
}

/*
 * Find or create the tenant and its legacy_migration row. A tenant that
 * exists without such a row must be empty: the default tenant mirrors the
 * legacy install until cut-over, and mixing in other rows would make the
 * mirror (and a rollback) ambiguous.
 */
static int
ensure_tenant(struct st_db *db, const struct st_legacy_opts *opts,
	      char **tenant_id, bool *created, struct st_error *err)
{
	const char *schema = opts->schema ? opts->schema : "public";
	PGresult *res = NULL;
	struct st_tenant t;
	int ret = -1;

	*created = false;
	if (legacy_tenant_id(db, opts->slug, tenant_id, err) < 0)
		return -1;
	if (!*tenant_id) {
		if (st_tenant_create(db, opts->name ? opts->name : opts->slug,
				     opts->slug, NULL, &t, err) < 0)
			return -1;
		*tenant_id = st_xstrdup(t.id);
		st_tenant_release(&t);
		*created = true;
	}
	if (st_tenant_begin(db, *tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT cutover_at IS NOT NULL"
			  " FROM strato.legacy_migration"
			  " WHERE tenant_id = $1 AND id = $2", 2,
			  (const char *const[]){ *tenant_id, schema }, err);
	if (!res)
		goto cleanup;
	if (PQntuples(res) == 1) {
		if (st_db_bool(res, 0, 0)) {
			st_error_set(err, ST_ESTATE, "tenant \"%s\" was already cut "
				     "over from schema \"%s\"", opts->slug, schema);
			st_error_detail(err, "After cut-over STRATO is the system of "
					"record; copying again would overwrite it.");
			goto cleanup;
		}
	} else {
		bool has;

		if (!*created) {
			if (tenant_has_rows(db, *tenant_id, &has, err) < 0)
				goto cleanup;
			if (has) {
				st_error_set(err, ST_ESTATE, "tenant \"%s\" already "
					     "has data", opts->slug);
				st_error_detail(err, "The default tenant must be new "
						"or empty so that it mirrors the "
						"legacy install exactly.");
				st_error_hint(err, "Choose another --tenant-slug.");
				goto cleanup;
			}
		}
		if (st_db_run(db, "INSERT INTO strato.legacy_migration"
			      " (tenant_id, id, tenant_created) VALUES ($1, $2, $3)",
			      3, (const char *const[]){ *tenant_id, schema,
							*created ? "t" : "f" },
			      err) < 0)
			goto cleanup;
	}
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0)
		st_db_rollback(db);
	PQclear(res);
	return ret;
}

/* Users whose e-mails differ only in case cannot share a tenant. */
static int
check_user_emails(struct st_db *db, const char *ident,
		  const struct st_legacy_opts *opts, struct st_error *err)
{
	char *sql = st_xasprintf("SELECT lower(btrim(email)),"
				 " string_agg(id, ', ' ORDER BY id)"
				 " FROM %s.\"User\" GROUP BY 1"
				 " HAVING count(*) > 1 ORDER BY 1", ident);
	PGresult *res = st_db_query(db, sql, 0, NULL, err);
	int n;

	free(sql);
	if (!res)
		return -1;
	n = PQntuples(res);
	for (int i = 0; i < n && opts->conflict; i++) {
		char *what = st_xasprintf("users %s share e-mail \"%s\" once "
					  "lower-cased (rule: one user per e-mail "
					  "in a tenant)", PQgetvalue(res, i, 1),
					  PQgetvalue(res, i, 0));

		opts->conflict("User", what, opts->conflict_arg);
		free(what);
	}
	if (n > 0) {
		st_error_set(err, ST_ESTATE, "%d legacy e-mail%s would clash in "
			     "the tenant", n, n == 1 ? "" : "s");
		st_error_detail(err, "Users: %s (e-mail %s).",
				PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0));
		st_error_hint(err, "Correct the e-mails in the legacy install, "
			      "then copy again; nothing was copied.");
	}
	PQclear(res);
	return n > 0 ? -1 : 0;
}

/* Decode one field of COPY's text format in place; false for \N. */
static bool
copy_unescape(char *s)
{
	char *w = s;

	if (strcmp(s, "\\N") == 0)
		return false;
	for (char *r = s; *r; r++) {
		if (*r != '\\' || !r[1]) {
			*w++ = *r;
			continue;
		}
		r++;
		switch (*r) {
		case 't': *w++ = '\t'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'v': *w++ = '\v'; break;
		default: *w++ = *r; break; /* \\ and the rest; octal is rare */
		}
	}
	*w = '\0';
	return true;
}

/*
 * Fill pg_temp.legacy_phone (id, e164, ambiguo) for the lead step: the
 * legacy phones stream out of a second connection that shares this
 * transaction's snapshot, through st_phone_normalize(), and back in with
 * COPY. Then numbers shared by several leads are marked and reported.
 */
static int
load_phones(struct st_db *db, const char *ident,
	    const struct st_legacy_opts *opts, struct st_legacy_copy *out,
	    struct st_error *err)
{
	PGconn *src = NULL;
	PGresult *res = NULL;
	char *snapshot = NULL;
	char *sql = NULL;
	char *row = NULL;
	struct st_buf line = ST_BUF_INIT;
	int n;
	int ret = -1;

	if (st_db_run(db, "CREATE TEMP TABLE legacy_phone (id text PRIMARY KEY,"
		      " e164 text NOT NULL, ambiguo boolean NOT NULL DEFAULT false)"
		      " ON COMMIT DROP", 0, NULL, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT pg_export_snapshot()", 0, NULL, err);
	if (!res)
		return -1;
	snapshot = st_db_dup(res, 0, 0);
	PQclear(res);
	res = NULL;
	src = st_db_connect_again(db, err);
	if (!src)
		goto cleanup;
	sql = st_xasprintf("BEGIN ISOLATION LEVEL REPEATABLE READ;"
			   " SET TRANSACTION SNAPSHOT '%s'", snapshot);
	res = PQexec(src, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		st_db_error(err, res, src);
		goto cleanup;
	}
	PQclear(res);
	free(sql);
	sql = st_xasprintf("COPY (SELECT id, telefono FROM %s.\"Lead\""
			   " WHERE telefono IS NOT NULL) TO STDOUT", ident);
	res = PQexec(src, sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		st_db_error(err, res, src);
		goto cleanup;
	}
	PQclear(res);
	res = PQexec(db->conn, "COPY pg_temp.legacy_phone (id, e164) FROM STDIN");
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		st_db_error(err, res, db->conn);
		goto cleanup;
	}
	PQclear(res);
	res = NULL;
	while ((n = PQgetCopyData(src, &row, 0)) > 0) {
		char e164[ST_PHONE_MAX];
		char *tab = memchr(row, '\t', (size_t)n);

		if (row[n - 1] == '\n')
			row[n - 1] = '\0';
		if (tab) {
			*tab = '\0';
			if (copy_unescape(tab + 1) &&
			    st_phone_normalize(tab + 1, opts->region, e164) ==
			    ST_PHONE_VALID) {
				/* the id goes back exactly as COPY wrote it */
				st_buf_reset(&line);
				st_buf_addf(&line, "%s\t%s\n", row, e164);
				if (PQputCopyData(db->conn, line.data,
						  (int)line.len) != 1) {
					st_db_error(err, NULL, db->conn);
					goto cleanup;
				}
				out->phones_valid++;
			} else {
				out->phones_other++;
			}
		}
		PQfreemem(row);
		row = NULL;
	}
	if (n == -2 || st_db_copy_results(src, err) < 0) {
		if (n == -2)
			st_db_error(err, NULL, src);
		PQputCopyEnd(db->conn, "source failed");
		st_db_copy_results(db->conn, NULL);
		goto cleanup;
	}
	if (PQputCopyEnd(db->conn, NULL) != 1 || st_db_copy_results(db->conn, err) < 0)
		goto cleanup;
	/* Statistics, or the planner guesses the temporary table's size. */
	if (st_db_run(db, "ANALYZE pg_temp.legacy_phone", 0, NULL, err) < 0)
		goto cleanup;
	if (st_db_run(db, "UPDATE pg_temp.legacy_phone p SET ambiguo = true"
		      " FROM (SELECT e164 FROM pg_temp.legacy_phone GROUP BY e164"
		      " HAVING count(*) > 1) d WHERE p.e164 = d.e164", 0, NULL,
		      err) < 0)
		goto cleanup;
	res = st_db_query(db, "SELECT e164, string_agg(id, ', ' ORDER BY id)"
			  " FROM pg_temp.legacy_phone WHERE ambiguo"
			  " GROUP BY e164 ORDER BY e164", 0, NULL, err);
	if (!res)
		goto cleanup;
	for (int i = 0; i < PQntuples(res); i++) {
		char *what = st_xasprintf("leads %s: their phones normalise to "
					  "%s (rule: one lead per phone in a "
					  "tenant); all kept, marked "
					  "telefono_ambiguo",
					  PQgetvalue(res, i, 1),
					  PQgetvalue(res, i, 0));

		out->conflicts++;
		if (opts->conflict)
			opts->conflict("Lead", what, opts->conflict_arg);
		free(what);
	}
	ret = 0;
cleanup:
	PQfreemem(row);
	PQclear(res);
	if (src)
		PQfinish(src);
	st_buf_release(&line);
	free(snapshot);
	free(sql);
	return ret;
}

/* Remove rows whose legacy original is gone (catch-up runs only). */
static int
delete_vanished(struct st_db *db, const struct legacy_map *m,
		const char *ident, const char *tenant_id, long long *deleted,
		struct st_error *err)
{
	char *sql = st_xasprintf("DELETE FROM strato.%s t WHERE t.tenant_id = $1"
				 " AND NOT EXISTS (SELECT 1 FROM %s.\"%s\" l"
				 " WHERE l.id = t.id)", m->target, ident,
				 m->legacy);
	PGresult *res = st_db_query(db, sql, 1, &tenant_id, err);

	free(sql);
	if (!res)
		return -1;
	*deleted = atoll(PQcmdTuples(res));
	PQclear(res);
	return 0;
}

/*
 * One table, one transaction. A table the tenant has no rows in yet gets
 * plain INSERTs; otherwise vanished rows are deleted and the rest upserted.
 * A superuser skips the per-row foreign-key triggers during the bulk load
 * (session_replication_role = replica, also skipping updated_at triggers)
 * and checks every foreign key set-based before committing: the same
 * guarantee at a fraction of the cost. Other logins pay the per-row checks.
 */
static int
copy_table(struct st_db *db, size_t i, const char *ident,
	   const char *tenant_id, const struct st_legacy_opts *opts,
	   long long total, struct st_legacy_copy *out, struct st_error *err)
{
	const struct legacy_map *m = &legacy_maps[i];
	struct st_legacy_step *step = &out->steps[i];
	long chunk = opts->chunk_rows > 0 ? opts->chunk_rows : 50000;
	bool fast = st_db_bulk_fast(db);
	bool has_rows = false;
	char *first_sql = NULL, *next_sql = NULL;
	char *sql = NULL;
	char *last = NULL;
	PGresult *res = NULL;
	double t0 = now_seconds();
	int ret = -1;

	step->table = m->legacy;
	if (st_db_run(db, "BEGIN ISOLATION LEVEL REPEATABLE READ", 0, NULL,
		      err) < 0 ||
	    st_db_run(db, "SELECT set_config('app.tenant_id', $1, true),"
		      " set_config('strato.keep_updated_at', 'on', true)", 1,
		      &tenant_id, err) < 0)
		goto cleanup;
	if (table_has_rows(db, m, tenant_id, &has_rows, err) < 0)
		goto cleanup;
	if (i == LEAD_INDEX) {
		if (load_phones(db, ident, opts, out, err) < 0)
			goto cleanup;
		st_log_debug("%s: phones loaded in %.2f s", m->legacy,
			     now_seconds() - t0);
	}
	/* Deletes cascade through the triggers: before any replica mode. */
	if (has_rows &&
	    delete_vanished(db, m, ident, tenant_id, &step->deleted, err) < 0)
		goto cleanup;
	if (fast && st_db_run(db, "SET LOCAL session_replication_role = replica",
			      0, NULL, err) < 0)
		goto cleanup;
	first_sql = legacy_sql_upsert(m, ident, false, chunk, has_rows);
	next_sql = legacy_sql_upsert(m, ident, true, chunk, has_rows);
	for (;;) {
		long long got;

		res = st_db_query(db, last ? next_sql : first_sql, last ? 2 : 1,
				  (const char *const[]){ tenant_id, last }, err);
		if (!res)
			goto cleanup;
		got = count_of(res, 0);
		step->read += got;
		step->inserted += count_of(res, 2);
		step->updated += count_of(res, 3);
		free(last);
		last = got ? st_db_dup(res, 0, 1) : NULL;
		PQclear(res);
		res = NULL;
		if (opts->progress)
			opts->progress(m->legacy, step->read, total,
				       opts->progress_arg);
		if (got < chunk)
			break;
	}
	st_log_debug("%s: rows copied after %.2f s", m->legacy,
		     now_seconds() - t0);
	/* Fresh statistics (this transaction's rows count) for the checks
	 * below and for the steps and queries that follow. */
	sql = st_xasprintf("ANALYZE strato.%s", m->target);
	if (st_db_run(db, sql, 0, NULL, err) < 0)
		goto cleanup;
	if (fast &&
	    (st_db_run(db, "SET LOCAL session_replication_role = origin", 0,
		       NULL, err) < 0 ||
	     check_fks(db, m, tenant_id, err) < 0))
		goto cleanup;
	st_log_debug("%s: checked after %.2f s", m->legacy, now_seconds() - t0);
	ret = st_db_commit(db, err);
cleanup:
	if (ret < 0) {
		st_db_rollback(db);
		if (err) {
			char *msg = st_xasprintf("copying \"%s\" failed: %s",
						 m->legacy, err->message);

			snprintf(err->message, sizeof(err->message), "%.*s",
				 (int)sizeof(err->message) - 1, msg);
			free(msg);
		}
	}
	step->seconds = now_seconds() - t0;
	free(sql);
	free(first_sql);
	free(next_sql);
	free(last);
	PQclear(res);
	return ret;
}

static char *
counts_json(const struct st_legacy_copy *c)
{
	json_t *o = json_object();
	char *s;

	for (size_t i = 0; i < ST_LEGACY_NTABLES; i++) {
		const struct st_legacy_step *st = &c->steps[i];

		json_object_set_new(o, legacy_maps[i].legacy,
				    json_pack("{sI sI sI sI}", "read",
					      (json_int_t)st->read, "inserted",
					      (json_int_t)st->inserted, "updated",
					      (json_int_t)st->updated, "deleted",
					      (json_int_t)st->deleted));
	}
	json_object_set_new(o, "phones_e164", json_integer(c->phones_valid));
	json_object_set_new(o, "conflicts", json_integer(c->conflicts));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

static int
record_copy(struct st_db *db, const char *tenant_id, const char *schema,
	    const struct st_legacy_copy *c, struct st_error *err)
{
	char *json = counts_json(c);
	int ret = -1;

	if (st_tenant_begin(db, tenant_id, err) < 0)
		goto cleanup;
	if (st_db_run(db, "UPDATE strato.legacy_migration SET copied_at = now(),"
		      " copy_counts = $3::jsonb WHERE tenant_id = $1 AND id = $2",
		      3, (const char *const[]){ tenant_id, schema, json }, err) < 0)
		goto cleanup;
	if (st_audit_add(db, tenant_id, "legacy.copy", "legacy_migration",
			 schema, json, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0)
		st_db_rollback(db);
	free(json);
	return ret;
}

int
st_legacy_copy(struct st_db *db, const struct st_legacy_opts *opts,
	       struct st_legacy_copy *out, struct st_error *err)
{
	const char *schema = opts->schema ? opts->schema : "public";
	long long total[ST_LEGACY_NTABLES] = { 0 };
	char *ident = NULL;
	char *tenant_id = NULL;
	bool locked = false;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!st_tenant_slug_valid(opts->slug)) {
		st_error_set(err, ST_EINVAL, "invalid tenant slug \"%s\"",
			     opts->slug ? opts->slug : "");
		return -1;
	}
	ident = legacy_schema_ident(db, opts, err);
	if (!ident || legacy_require_install(db, ident, schema, err) < 0)
		goto cleanup;
	if (legacy_lock(db, err) < 0)
		goto cleanup;
	locked = true;
	if (check_user_emails(db, ident, opts, err) < 0)
		goto cleanup;
	if (ensure_tenant(db, opts, &tenant_id, &out->tenant_created, err) < 0)
		goto cleanup;
	for (size_t i = 0; i < ST_LEGACY_NTABLES; i++) {
		/* the total, for progress, is the legacy table's row count */
		if (opts->progress && legacy_rows(db, ident, i, &total[i], err) < 0)
			goto cleanup;
		if (copy_table(db, i, ident, tenant_id, opts, total[i], out,
			       err) < 0)
			goto cleanup;
	}
	ret = record_copy(db, tenant_id, schema, out, err);
cleanup:
	if (locked)
		legacy_unlock(db);
	PQfreemem(ident);
	free(tenant_id);
	return ret;
}

/* The migration's state for the tenant, for rollback and cut-over. */
static int
load_migration(struct st_db *db, const struct st_legacy_opts *opts,
	       char **tenant_id, bool *tenant_created, bool *cut_over,
	       struct st_error *err)
{
	const char *schema = opts->schema ? opts->schema : "public";
	PGresult *res;

	if (legacy_tenant_id(db, opts->slug, tenant_id, err) < 0)
		return -1;
	if (!*tenant_id) {
		st_error_set(err, ST_ENOTFOUND, "tenant \"%s\" does not exist",
			     opts->slug);
		st_error_hint(err, "Nothing was copied into it: run \"strato-etl "
			      "legacy copy\" first.");
		return -1;
	}
	res = st_db_query(db, "SELECT tenant_created, cutover_at IS NOT NULL"
			  " FROM strato.legacy_migration"
			  " WHERE tenant_id = $1 AND id = $2", 2,
			  (const char *const[]){ *tenant_id, schema }, err);
	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		st_error_set(err, ST_ENOTFOUND, "no copy of schema \"%s\" into "
			     "tenant \"%s\"", schema, opts->slug);
		return -1;
	}
	*tenant_created = st_db_bool(res, 0, 0);
	*cut_over = st_db_bool(res, 0, 1);
	PQclear(res);
	return 0;
}

/*
 * Remove what the copy made: rows of the tenant whose ids are in the
 * legacy tables, children first, in one transaction; then the tenant if
 * the copy created it and nothing else lives in it. Refused after
 * cut-over: by then the web application writes to STRATO.
 */
int
st_legacy_rollback(struct st_db *db, const struct st_legacy_opts *opts,
		   struct st_legacy_rollback *out, struct st_error *err)
{
	const char *schema = opts->schema ? opts->schema : "public";
	char *ident = NULL;
	char *tenant_id = NULL;
	PGresult *res = NULL;
	bool created = false, cut_over = false, locked = false;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	ident = legacy_schema_ident(db, opts, err);
	if (!ident || legacy_require_install(db, ident, schema, err) < 0)
		goto cleanup;
	if (legacy_lock(db, err) < 0)
		goto cleanup;
	locked = true;
	if (legacy_tenant_id(db, opts->slug, &tenant_id, err) < 0)
		goto cleanup;
	if (tenant_id && st_tenant_begin(db, tenant_id, err) < 0)
		goto cleanup;
	free(tenant_id);
	tenant_id = NULL;
	if (load_migration(db, opts, &tenant_id, &created, &cut_over, err) < 0)
		goto cleanup;
	if (cut_over) {
		st_error_set(err, ST_ESTATE, "tenant \"%s\" was cut over; it "
			     "cannot be rolled back", opts->slug);
		st_error_detail(err, "The legacy tables are read-only and "
				"STRATO is the system of record: a rollback would "
				"lose what was written since.");
		st_error_hint(err, "Restore the legacy write privileges with the "
			      "statements cut-over printed if you must go back, "
			      "and move new rows by hand.");
		goto cleanup;
	}
	res = st_db_query(db, "SELECT string_agg(quote_ident(login), ', ')"
			  " FROM strato.app_user WHERE tenant_id = $1"
			  " AND login IS NOT NULL", 1,
			  (const char *const *)&tenant_id, err);
	if (!res)
		goto cleanup;
	out->logins_left = st_db_dup(res, 0, 0);
	PQclear(res);
	res = NULL;
	for (size_t i = ST_LEGACY_NTABLES; i-- > 0;) {
		const struct legacy_map *m = &legacy_maps[i];
		char *sql = st_xasprintf("DELETE FROM strato.%s t WHERE"
					 " t.tenant_id = $1 AND EXISTS (SELECT 1"
					 " FROM %s.\"%s\" l WHERE l.id = t.id)",
					 m->target, ident, m->legacy);

		res = st_db_query(db, sql, 1, (const char *const *)&tenant_id,
				  err);
		free(sql);
		if (!res)
			goto cleanup;
		out->deleted[i] = atoll(PQcmdTuples(res));
		PQclear(res);
		res = NULL;
	}
	if (st_db_run(db, "DELETE FROM strato.legacy_migration"
		      " WHERE tenant_id = $1 AND id = $2", 2,
		      (const char *const[]){ tenant_id, schema }, err) < 0)
		goto cleanup;
	if (created) {
		long long left;

		res = st_db_query(db, "SELECT strato.purge_empty_tenant($1)", 1,
				  (const char *const *)&tenant_id, err);
		if (!res)
			goto cleanup;
		left = atoll(PQgetvalue(res, 0, 0));
		out->tenant_deleted = left == 0;
		if (left > 0)
			out->kept_reason = st_xasprintf("it holds %lld row%s the "
							"copy did not create",
							left, left == 1 ? "" : "s");
	}
	if (!out->tenant_deleted &&
	    st_audit_add(db, tenant_id, "legacy.rollback", "legacy_migration",
			 schema, NULL, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_db_rollback(db);
		st_legacy_rollback_release(out);
	}
	if (locked)
		legacy_unlock(db);
	PQclear(res);
	PQfreemem(ident);
	free(tenant_id);
	return ret;
}
