/*
 * audit-internal.h - writes that audit themselves, for the library's own
 * modules (a PGresult never leaves libstrato).
 */
#ifndef STRATO_AUDIT_INTERNAL_H
#define STRATO_AUDIT_INTERNAL_H

#include <libpq-fe.h>

#include "strato/db.h"
#include "strato/error.h"

/*
 * Run sql, a write that returns a row per row it wrote, the id first and
 * the diff (strato.jsonb_diff, as text) last, and audit each row under
 * action and entity in the open transaction; a row whose diff is "{}"
 * changed nothing and is not audited. *id_out (may be NULL) gets the
 * first id; *keep (may be NULL) the result, for the caller to PQclear.
 * Returns how many rows sql returned, or -1 with err.
 */
int st_audit_rows(struct st_db *db, const char *tenant_id,
		  const char *action, const char *entity, const char *sql,
		  int nparams, const char *const *params, char **id_out,
		  PGresult **keep, struct st_error *err);

#endif
