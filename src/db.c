/*
 * db.c - connecting, learning who we are, and running statements.
 */
#include <stdlib.h>
#include <string.h>

#include "db-internal.h"
#include "strato/log.h"

static enum st_errcode
code_for_sqlstate(const char *s)
{
	if (!s)
		return ST_EDB;
	if (strcmp(s, "23505") == 0 || strcmp(s, "42710") == 0)
		return ST_EEXIST;
	if (strcmp(s, "42501") == 0)
		return ST_EPERM;
	if (strcmp(s, "P0002") == 0)
		return ST_ENOTFOUND;
	if (strncmp(s, "22", 2) == 0 || strncmp(s, "23", 2) == 0)
		return ST_EINVAL;
	if (strncmp(s, "08", 2) == 0 || strcmp(s, "57P01") == 0)
		return ST_ECONN;
	return ST_EDB;
}

/* libpq messages end in a newline and may span lines; keep the first. */
static void
copy_first_line(char *dst, size_t n, const char *src)
{
	size_t len;

	if (!src) {
		dst[0] = '\0';
		return;
	}
	while (*src == ' ')
		src++;
	len = strcspn(src, "\n");
	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

void
st_db_error(struct st_error *err, const PGresult *res, PGconn *conn)
{
	const char *state = NULL;
	const char *msg = NULL;
	const char *detail = NULL;
	const char *hint = NULL;

	if (!err)
		return;
	if (res) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	}
	if (!msg && conn)
		msg = PQerrorMessage(conn);
	if (conn && PQstatus(conn) == CONNECTION_BAD && !state) {
		st_error_set(err, ST_ECONN, "connection to the database lost");
		copy_first_line(err->detail, sizeof(err->detail), msg);
		return;
	}
	st_error_set(err, code_for_sqlstate(state), "database error");
	if (msg && *msg)
		copy_first_line(err->message, sizeof(err->message), msg);
	if (state)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
	if (detail)
		snprintf(err->detail, sizeof(err->detail), "%s", detail);
	if (hint)
		snprintf(err->hint, sizeof(err->hint), "%s", hint);
}

/* res when the statement succeeded; else NULL with err, res cleared. */
static PGresult *
checked(struct st_db *db, PGresult *res, struct st_error *err)
{
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	st_db_error(err, res, db->conn);
	PQclear(res);
	return NULL;
}

PGresult *
st_db_query(struct st_db *db, const char *sql, int nparams,
	    const char *const *params, struct st_error *err)
{
	return checked(db, PQexecParams(db->conn, sql, nparams, NULL, params,
					NULL, NULL, 0), err);
}

static bool
is_prepared(const struct st_db *db, const char *name)
{
	for (size_t i = 0; i < db->nprepared; i++)
		if (strcmp(db->prepared[i], name) == 0)
			return true;
	return false;
}

static void
forget_prepared(struct st_db *db)
{
	for (size_t i = 0; i < db->nprepared; i++)
		free(db->prepared[i]);
	free(db->prepared);
	db->prepared = NULL;
	db->nprepared = 0;
}

static void
remember_prepared(struct st_db *db, const char *name)
{
	db->prepared = st_xrealloc(db->prepared, (db->nprepared + 1) *
				   sizeof(*db->prepared));
	db->prepared[db->nprepared++] = st_xstrdup(name);
}

int
st_db_prepare(struct st_db *db, const char *name, const char *sql,
	      int nparams, struct st_error *err)
{
	PGresult *res;

	if (is_prepared(db, name))
		return 0;
	res = PQprepare(db->conn, name, sql, nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		st_db_error(err, res, db->conn);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	remember_prepared(db, name);
	return 0;
}

PGresult *
st_db_query_prepared(struct st_db *db, const char *name, const char *sql,
		     int nparams, const char *const *params,
		     struct st_error *err)
{
	if (st_db_prepare(db, name, sql, nparams, err) < 0)
		return NULL;
	return checked(db, PQexecPrepared(db->conn, name, nparams, params, NULL,
					  NULL, 0), err);
}

/*
 * The next query's result in a pipeline (its terminating NULL consumed),
 * or the sync. NULL when the connection failed.
 */
static PGresult *
pipeline_next(struct st_db *db)
{
	PGresult *res = PQgetResult(db->conn);

	if (!res) /* the NULL that ends the previous query's results */
		res = PQgetResult(db->conn);
	if (res && PQresultStatus(res) != PGRES_PIPELINE_SYNC)
		while (PQgetResult(db->conn))
			; /* no query here returns more than one result */
	return res;
}

/* Is res the success of a statement? Else fill err (the first time). */
static bool
pipeline_ok(struct st_db *db, const PGresult *res, bool *failed,
	    struct st_error *err)
{
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return true;
	if (!*failed && st != PGRES_PIPELINE_ABORTED)
		st_db_error(err, res, db->conn);
	*failed = true;
	return false;
}

PGresult *
st_db_tenant_read(struct st_db *db, const char *tenant_id, const char *name,
		  const char *sql, bool generic, int nparams,
		  const char *const *params, struct st_error *err)
{
	PGresult *res = NULL, *step;
	bool prepare = !is_prepared(db, name);
	bool failed = false;

	if (PQenterPipelineMode(db->conn) != 1 ||
	    !PQsendQueryParams(db->conn, generic ?
			       "SELECT set_config('app.tenant_id', $1, true),"
			       " set_config('plan_cache_mode',"
			       " 'force_generic_plan', true)" :
			       "SELECT set_config('app.tenant_id', $1, true)",
			       1, NULL, &tenant_id, NULL, NULL, 0) ||
	    (prepare && !PQsendPrepare(db->conn, name, sql, nparams, NULL)) ||
	    !PQsendQueryPrepared(db->conn, name, nparams, params, NULL, NULL,
				 0) ||
	    !PQpipelineSync(db->conn)) {
		st_db_error(err, NULL, db->conn);
		PQexitPipelineMode(db->conn);
		return NULL;
	}
	/* set_config, the PREPARE when new, the statement, then the sync */
	for (int i = 0; i < (prepare ? 4 : 3); i++) {
		bool is_prepare = prepare && i == 1;
		bool is_query = i == (prepare ? 2 : 1);

		step = pipeline_next(db);
		if (!step) {
			if (!failed)
				st_db_error(err, NULL, db->conn);
			failed = true;
			break;
		}
		if (PQresultStatus(step) == PGRES_PIPELINE_SYNC) {
			PQclear(step);
			break;
		}
		if (pipeline_ok(db, step, &failed, err) && is_prepare)
			remember_prepared(db, name); /* even if the rest fails */
		if (is_query && !failed)
			res = step;
		else
			PQclear(step);
	}
	PQexitPipelineMode(db->conn);
	if (failed) {
		PQclear(res);
		return NULL;
	}
	return res;
}

int
st_db_run(struct st_db *db, const char *sql, int nparams,
	  const char *const *params, struct st_error *err)
{
	PGresult *res = st_db_query(db, sql, nparams, params, err);

	if (!res)
		return -1;
	PQclear(res);
	return 0;
}

int
st_db_script(struct st_db *db, const char *sql, struct st_error *err)
{
	PGresult *res = PQexec(db->conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int ret = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		st_db_error(err, res, db->conn);
		ret = -1;
	}
	PQclear(res);
	return ret;
}

char *
st_db_dup(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	return st_xstrdup(PQgetvalue(res, row, col));
}

bool
st_db_bool(const PGresult *res, int row, int col)
{
	return !PQgetisnull(res, row, col) && PQgetvalue(res, row, col)[0] == 't';
}

PGconn *
st_db_conn(struct st_db *db)
{
	return db->conn;
}

static void on_notice(void *arg, const char *msg);

/*
 * Collect the results that end a COPY (after the last PQgetCopyData or
 * PQputCopyEnd): 0, or -1 with err filled from the first failure.
 */
int
st_db_copy_results(PGconn *c, struct st_error *err)
{
	PGresult *res;
	int ret = 0;

	while ((res = PQgetResult(c)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && ret == 0) {
			st_db_error(err, res, c);
			ret = -1;
		}
		PQclear(res);
	}
	return ret;
}

PGconn *
st_db_connect_again(struct st_db *db, struct st_error *err)
{
	PQconninfoOption *opts = PQconninfo(db->conn);
	const char **keys = NULL, **vals = NULL;
	PGconn *c = NULL;
	size_t n = 0;

	if (!opts) {
		st_error_set(err, ST_EINTERNAL, "cannot read the connection's "
			     "parameters");
		return NULL;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++)
		n++;
	keys = st_xcalloc(n + 1, sizeof(*keys));
	vals = st_xcalloc(n + 1, sizeof(*vals));
	n = 0;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		keys[n] = o->keyword;
		vals[n++] = o->val;
	}
	c = PQconnectdbParams(keys, vals, 0);
	if (PQstatus(c) != CONNECTION_OK) {
		st_error_set(err, ST_ECONN, "cannot open a second connection");
		if (err)
			copy_first_line(err->detail, sizeof(err->detail),
					PQerrorMessage(c));
		PQfinish(c);
		c = NULL;
	} else {
		PQsetNoticeProcessor(c, on_notice, NULL);
	}
	PQconninfoFree(opts);
	free(keys);
	free(vals);
	return c;
}

/* Server notices are diagnostics, not output: log them at debug level. */
static void
on_notice(void *arg, const char *msg)
{
	(void)arg;
	st_log_debug("server: %.*s", (int)strcspn(msg, "\n"), msg);
}

/* Learn the login's place in STRATO's security model. */
static int
load_identity(struct st_db *db, struct st_error *err)
{
	PGresult *res = NULL;
	int ret = -1;

	res = st_db_query(db,
		"SELECT session_user::text,"
		" coalesce((SELECT rolsuper FROM pg_roles"
		"           WHERE rolname = session_user), false),"
		" coalesce((SELECT pg_has_role(session_user, oid, 'MEMBER')"
		"           FROM pg_roles WHERE rolname = 'strato_service'), false),"
		" coalesce((SELECT pg_has_role(session_user, oid, 'MEMBER')"
		"           FROM pg_roles WHERE rolname = 'strato_tenant_admin'),"
		"          false),"
		" to_regprocedure('strato.current_tenant_id()') IS NOT NULL",
		0, NULL, err);
	if (!res)
		goto cleanup;
	db->login = st_xstrdup(PQgetvalue(res, 0, 0));
	db->is_superuser = st_db_bool(res, 0, 1);
	db->is_service = st_db_bool(res, 0, 2) || db->is_superuser;
	db->is_tenant_admin = st_db_bool(res, 0, 3) && !db->is_superuser;
	if (st_db_bool(res, 0, 4) && !db->is_superuser) {
		PQclear(res);
		/* Outside a transaction with app.tenant_id unset, a non-NULL
		 * answer can only come from the login map. */
		res = st_db_query(db, "SELECT strato.current_tenant_id()::text",
				  0, NULL, NULL);
		if (res && PQntuples(res) == 1)
			db->login_tenant = st_db_dup(res, 0, 0);
		if (db->login_tenant)
			db->is_service = false;
	}
	ret = 0;
cleanup:
	PQclear(res);
	return ret;
}

/*
 * A new connection's session: UTF-8, notices to the debug log, a cancel
 * handle, the login's identity.
 */
static int
session_init(struct st_db *db, struct st_error *err)
{
	if (st_db_run(db, "SET client_encoding = 'UTF8'", 0, NULL, err) < 0)
		return -1;
	PQsetNoticeProcessor(db->conn, on_notice, NULL);
	db->cancel = PQgetCancel(db->conn);
	return load_identity(db, err);
}

/*
 * Connect from conninfo (a "key=value" string or a postgresql:// URI), else
 * $DATABASE_URL, else libpq's defaults. The password, if any, comes from the
 * conninfo, PGPASSWORD, ~/.pgpass or a service file: never from STRATO.
 */
struct st_db *
st_db_connect(const char *conninfo, struct st_error *err)
{
	const char *keys[] = { "dbname", "fallback_application_name", NULL };
	const char *vals[] = { NULL, "strato", NULL };
	struct st_db *db = st_xcalloc(1, sizeof(*db));

	if (st_str_empty(conninfo))
		conninfo = getenv("DATABASE_URL");
	vals[0] = st_str_empty(conninfo) ? NULL : conninfo;
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		st_error_set(err, ST_ECONN, "cannot connect to the database");
		if (err)
			copy_first_line(err->detail, sizeof(err->detail),
					PQerrorMessage(db->conn));
		st_error_hint(err, "Give a connection with --db, DATABASE_URL or "
			      "the PG* environment variables.");
		goto fail;
	}
	if (session_init(db, err) < 0)
		goto fail;
	st_log_debug("connected as %s (%s)", db->login,
		     db->is_service ? "service" :
		     db->login_tenant ? "tenant user" : "no tenant");
	return db;
fail:
	st_db_close(db);
	return NULL;
}

/*
 * A second connection with the same parameters and identity, for work
 * that runs beside db's (another thread's). Closed with st_db_close().
 */
struct st_db *
st_db_clone(struct st_db *db, struct st_error *err)
{
	struct st_db *c = st_xcalloc(1, sizeof(*c));

	if (!(c->conn = st_db_connect_again(db, err)) ||
	    session_init(c, err) < 0)
		goto fail;
	return c;
fail:
	st_db_close(c);
	return NULL;
}

void
st_db_close(struct st_db *db)
{
	if (!db)
		return;
	if (db->cancel)
		PQfreeCancel(db->cancel);
	if (db->conn)
		PQfinish(db->conn);
	forget_prepared(db);
	free(db->login);
	free(db->login_tenant);
	free(db);
}

const char *
st_db_login(const struct st_db *db)
{
	return db->login;
}

bool
st_db_is_service(const struct st_db *db)
{
	return db->is_service;
}

const char *
st_db_login_tenant(const struct st_db *db)
{
	return db->login_tenant;
}

bool
st_db_bulk_fast(const struct st_db *db)
{
	return db->is_superuser;
}

bool
st_db_is_tenant_admin(const struct st_db *db)
{
	return db->is_tenant_admin;
}

bool
st_db_schema_ready(struct st_db *db)
{
	PGresult *res;
	bool ok = false;

	res = st_db_query(db,
		"SELECT to_regclass('strato.schema_migrations') IS NOT NULL"
		" AND to_regclass('strato.tenant') IS NOT NULL", 0, NULL, NULL);
	if (res)
		ok = st_db_bool(res, 0, 0);
	PQclear(res);
	return ok;
}

int
st_db_begin(struct st_db *db, struct st_error *err)
{
	return st_db_run(db, "BEGIN", 0, NULL, err);
}

int
st_db_commit(struct st_db *db, struct st_error *err)
{
	return st_db_run(db, "COMMIT", 0, NULL, err);
}

void
st_db_rollback(struct st_db *db)
{
	if (PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		PQclear(PQexec(db->conn, "ROLLBACK"));
}

void
st_db_cancel(struct st_db *db)
{
	char buf[256];

	if (db && db->cancel)
		PQcancel(db->cancel, buf, sizeof(buf));
}

/*
 * Check every foreign key of table for the tenant's rows, set-based:
 * one anti-join per constraint, written by the server from the catalog
 * (MATCH SIMPLE: a key with a NULL column is not checked). Used when the
 * per-row triggers were skipped for a bulk load.
 */
int
st_db_check_foreign_keys(struct st_db *db, const char *table,
			 const char *tenant_id, struct st_error *err)
{
	char *target = st_xstrdup(table);
	PGresult *res = NULL, *cnt = NULL;
	int ret = -1;

	res = st_db_query(db,
		"SELECT c.conname, format("
		"  'SELECT count(*) FROM %s c WHERE c.tenant_id = $1 AND %s"
		"   AND NOT EXISTS (SELECT 1 FROM %s p WHERE %s)',"
		"  c.conrelid::regclass,"
		"  (SELECT string_agg(format('c.%I IS NOT NULL', a.attname), ' AND ')"
		"   FROM unnest(c.conkey) k JOIN pg_attribute a"
		"   ON a.attrelid = c.conrelid AND a.attnum = k),"
		"  c.confrelid::regclass,"
		"  (SELECT string_agg(format('p.%I = c.%I', fa.attname, a.attname),"
		"   ' AND ') FROM unnest(c.conkey, c.confkey) u(k, fk)"
		"   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = u.k"
		"   JOIN pg_attribute fa ON fa.attrelid = c.confrelid"
		"   AND fa.attnum = u.fk))"
		" FROM pg_constraint c WHERE c.conrelid = $1::regclass"
		" AND c.contype = 'f' ORDER BY c.conname", 1,
		(const char *const *)&target, err);
	if (!res)
		goto cleanup;
	for (int i = 0; i < PQntuples(res); i++) {
		long long bad;

		cnt = st_db_query(db, PQgetvalue(res, i, 1), 1, &tenant_id, err);
		if (!cnt)
			goto cleanup;
		bad = atoll(PQgetvalue(cnt, 0, 0));
		PQclear(cnt);
		cnt = NULL;
		if (bad > 0) {
			st_error_set(err, ST_EINVAL, "%lld row%s break foreign key "
				     "%s", bad, bad == 1 ? "" : "s",
				     PQgetvalue(res, i, 0));
			goto cleanup;
		}
	}
	ret = 0;
cleanup:
	PQclear(res);
	PQclear(cnt);
	free(target);
	return ret;
}

/*
 * For the shell's prompt, as psql marks it: "" idle, "*" inside a
 * transaction, "!" in a failed one, "?" when the connection is lost.
 */
const char *
st_db_state_marker(const struct st_db *db)
{
	if (!db || PQstatus(db->conn) != CONNECTION_OK)
		return "?";
	switch (PQtransactionStatus(db->conn)) {
	case PQTRANS_IDLE: return "";
	case PQTRANS_INTRANS: return "*";
	case PQTRANS_INERROR: return "!";
	default: return "?";
	}
}

/*
 * Reconnect a lost connection with the same parameters (PQreset). The
 * cancel handle is renewed, so no st_db_cancel() may run meanwhile.
 */
int
st_db_reconnect(struct st_db *db, struct st_error *err)
{
	PQreset(db->conn);
	forget_prepared(db); /* a new session has none */
	if (PQstatus(db->conn) != CONNECTION_OK) {
		st_error_set(err, ST_ECONN, "cannot reconnect to the database");
		if (err)
			copy_first_line(err->detail, sizeof(err->detail),
					PQerrorMessage(db->conn));
		return -1;
	}
	if (db->cancel)
		PQfreeCancel(db->cancel);
	db->cancel = PQgetCancel(db->conn);
	return 0;
}
