/*
 * db.h - the PostgreSQL connection STRATO works through.
 *
 * A struct st_db wraps one libpq connection and what STRATO learns about the
 * login on connecting: its role name, whether it belongs to strato_service
 * (may pick any tenant) or is an agent mapped to one tenant. Connection
 * parameters come from, in order: an explicit conninfo string or URI
 * (--db), $DATABASE_URL, then libpq's own defaults (PG* variables,
 * PGSERVICE, ~/.pgpass). Passwords are never taken from the command line by
 * STRATO itself.
 *
 * Query results never leave the library: modules use the internal helpers in
 * src/db-internal.h and hand back plain structs.
 */
#ifndef STRATO_DB_H
#define STRATO_DB_H

#include <stdbool.h>

#include "strato/error.h"

struct st_db;

/* Connect; conninfo may be NULL. Returns NULL and fills err on failure. */
struct st_db *st_db_connect(const char *conninfo, struct st_error *err);
void st_db_close(struct st_db *db);

/* The login role (session_user), borrowed. */
const char *st_db_login(const struct st_db *db);
/* True when the login is a member of strato_service (or a superuser). */
bool st_db_is_service(const struct st_db *db);
/* The tenant id an agent login is mapped to, or NULL (borrowed). */
const char *st_db_login_tenant(const struct st_db *db);
/* True when the login is in the tenant-admin group. */
bool st_db_is_tenant_admin(const struct st_db *db);
/* True when the strato schema is installed (schema_migrations has rows). */
bool st_db_schema_ready(struct st_db *db);

/* Transaction helpers without a tenant (platform-level work). */
int st_db_begin(struct st_db *db, struct st_error *err);
int st_db_commit(struct st_db *db, struct st_error *err);
/* Roll back if a transaction is open; never fails loudly. */
void st_db_rollback(struct st_db *db);

/* Ask the server to cancel the running query (signal-safe enough for
 * SIGINT handlers: uses a prepared PGcancel). */
void st_db_cancel(struct st_db *db);

/* The prompt's transaction mark: "", "*" (open), "!" (failed), "?" (lost). */
const char *st_db_state_marker(const struct st_db *db);

/* Reconnect a lost connection with the same parameters; 0 or -1. */
int st_db_reconnect(struct st_db *db, struct st_error *err);

#endif
