/*
 * audit.c - appending to strato.audit_log.
 */
#include "db-internal.h"
#include "strato/audit.h"

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
