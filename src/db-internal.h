/*
 * db-internal.h - what the library's own modules use to talk to libpq.
 *
 * Not installed, not seen by tui/ or etl/: a PGresult never leaves
 * libstrato. Every helper binds its parameters (PQexecParams); no SQL is
 * ever built from user data.
 */
#ifndef STRATO_DB_INTERNAL_H
#define STRATO_DB_INTERNAL_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "strato/db.h"
#include "strato/error.h"

struct st_db {
	PGconn *conn;
	PGcancel *cancel;
	char *login;
	char *login_tenant; /* an agent's own tenant, else NULL */
	bool is_service;
	bool is_tenant_admin;
	bool is_superuser;
	char **prepared; /* names of the statements prepared on conn */
	size_t nprepared;
};

/* Timestamps are rendered as ISO 8601 with offset by the server. */
#define ST_SQL_TS(col) "to_json(" col ")#>>'{}'"

/*
 * Run a statement with text parameters. Returns the result for
 * COMMAND_OK / TUPLES_OK (caller PQclear()s it), else NULL with err filled
 * from the server's error (SQLSTATE, message, detail, hint).
 */
PGresult *st_db_query(struct st_db *db, const char *sql, int nparams,
		      const char *const *params, struct st_error *err);
/*
 * The same through a statement prepared on this connection under name
 * (once, on first use: the server then skips parsing it). A name must
 * always stand for the same sql; parameter types are inferred from it.
 */
PGresult *st_db_query_prepared(struct st_db *db, const char *name,
			       const char *sql, int nparams,
			       const char *const *params, struct st_error *err);
/* Prepare sql under name on this connection, unless it already is. */
int st_db_prepare(struct st_db *db, const char *name, const char *sql,
		  int nparams, struct st_error *err);
/*
 * One read in a tenant's own transaction, in a single round trip: the
 * tenant setting (set_config, transaction-local) and a statement prepared
 * on this connection under name go in one pipeline, which the server runs
 * as one implicit transaction. The statement is prepared on first use;
 * the server then skips parsing it and, with generic, planning it: its
 * one generic plan serves every call (plan_cache_mode, for this
 * transaction). A name must always stand for the same sql; parameter
 * types are inferred from it.
 */
PGresult *st_db_tenant_read(struct st_db *db, const char *tenant_id,
			    const char *name, const char *sql, bool generic,
			    int nparams, const char *const *params,
			    struct st_error *err);
/* The same, discarding the result: 0 or -1. */
int st_db_run(struct st_db *db, const char *sql, int nparams,
	      const char *const *params, struct st_error *err);
/* Run a script of several statements without parameters (simple query). */
int st_db_script(struct st_db *db, const char *sql, struct st_error *err);

/* Fill err from a failed result (or the connection when res is NULL). */
void st_db_error(struct st_error *err, const PGresult *res, PGconn *conn);

/* A copy of a cell, NULL for SQL NULL. */
char *st_db_dup(const PGresult *res, int row, int col);
/* A boolean cell ("t"). */
bool st_db_bool(const PGresult *res, int row, int col);

PGconn *st_db_conn(struct st_db *db);

/*
 * A second raw connection with the same parameters (for streaming one
 * query's COPY OUT into another's COPY IN). Caller PQfinish()es it.
 */
PGconn *st_db_connect_again(struct st_db *db, struct st_error *err);

/*
 * A second connection with db's parameters and identity (a st_db of its
 * own, for another thread). Closed with st_db_close().
 */
struct st_db *st_db_clone(struct st_db *db, struct st_error *err);

/*
 * Check every foreign key of table ("strato.lead") for the tenant's rows
 * with one anti-join each, after a load that skipped the per-row triggers
 * (session_replication_role = replica, superusers only). ST_EINVAL names
 * the broken constraint.
 */
int st_db_check_foreign_keys(struct st_db *db, const char *table,
			     const char *tenant_id, struct st_error *err);
/* Drain the results that end a COPY; -1 with err on a failure. */
int st_db_copy_results(PGconn *c, struct st_error *err);
/* True when the login may skip per-row triggers for a bulk load. */
bool st_db_bulk_fast(const struct st_db *db);

#endif
