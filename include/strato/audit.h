/*
 * audit.h - the per-tenant record of who did what to which row.
 *
 * Written inside the caller's tenant transaction, so an audit row commits or
 * rolls back with the change it describes. The actor's login is taken by the
 * server (session_user), never from the client. Diffs are JSON text and must
 * already have secrets redacted.
 */
#ifndef STRATO_AUDIT_H
#define STRATO_AUDIT_H

#include "strato/db.h"
#include "strato/error.h"

int st_audit_add(struct st_db *db, const char *tenant_id, const char *action,
		 const char *entity, const char *entity_id,
		 const char *diff_json, struct st_error *err);

#endif
