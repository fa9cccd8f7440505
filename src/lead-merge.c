/*
 * lead-merge.c - how leads go away: finding duplicates, merging two into
 * one, and deleting.
 *
 * The merge itself is strato.merge_lead() (migration 0010), a SECURITY
 * DEFINER function: it moves what hangs off the other lead, fills the
 * survivor, deletes the other row and writes the audit row, all in the
 * caller's transaction. An agent, who may not delete leads, can merge them
 * only through it, so no lead disappears without that record.
 */
#include <stdlib.h>
#include <string.h>

#include "lead-internal.h"
#include "strato/audit.h"
#include "strato/tenant.h"

/*
 * Merge lead other into lead keep (both by id or unique prefix). out is
 * the survivor afterwards; *summary_json what merge_lead() recorded.
 */
int
st_lead_merge(struct st_db *db, const char *tenant_id, const char *keep,
	      const char *other, struct st_lead *out, char **summary_json,
	      struct st_error *err)
{
	char *keep_id = NULL, *other_id = NULL;
	PGresult *res = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	*summary_json = NULL;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (lead_resolve(db, tenant_id, keep, false, &keep_id, err) < 0 ||
	    lead_resolve(db, tenant_id, other, false, &other_id, err) < 0)
		goto cleanup;
	if (strcmp(keep_id, other_id) == 0) {
		st_error_set(err, ST_EUSAGE, "cannot merge lead \"%s\" into "
			     "itself", keep_id);
		goto cleanup;
	}
	res = st_db_query(db, "SELECT strato.merge_lead($1, $2, $3)::text", 3,
			  (const char *const[]){ tenant_id, keep_id, other_id },
			  err);
	if (!res || lead_fetch(db, tenant_id, keep_id, out, err) < 0)
		goto cleanup;
	*summary_json = st_db_dup(res, 0, 0);
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_lead_release(out);
		free(*summary_json);
		*summary_json = NULL;
	}
	PQclear(res);
	free(keep_id);
	free(other_id);
	return ret;
}

void
st_lead_dup_list_release(struct st_lead_dup_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].clave);
		free(l->items[i].valor);
		free(l->items[i].id);
		free(l->items[i].nombre);
		free(l->items[i].created_at);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/*
 * Live leads sharing a phone_e164 or a lower(email), one row per lead and
 * key, numbered by group: phones first, then e-mails, each group's leads
 * oldest first (the natural survivor of a merge). A lead sharing both its
 * phone and its e-mail with others appears in two groups.
 */
int
st_lead_duplicates(struct st_db *db, const char *tenant_id,
		   struct st_lead_dup_list *out, struct st_error *err)
{
	PGresult *res = NULL;
	int ret = -1;
	int n;

	memset(out, 0, sizeof(*out));
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db,
		"WITH k AS (SELECT 1 AS o, 'telefono_e164' AS clave,"
		"  telefono_e164 AS valor, id, nombre, created_at"
		"  FROM strato.lead WHERE tenant_id = $1 AND deleted_at IS NULL"
		"  AND telefono_e164 IS NOT NULL"
		" UNION ALL SELECT 2, 'email', lower(btrim(email)), id, nombre,"
		"  created_at FROM strato.lead WHERE tenant_id = $1"
		"  AND deleted_at IS NULL AND nullif(btrim(email), '') IS NOT NULL),"
		" g AS (SELECT o, clave, valor, min(created_at) AS first FROM k"
		"  GROUP BY o, clave, valor HAVING count(*) > 1)"
		" SELECT dense_rank() OVER (ORDER BY g.o, g.first, g.valor),"
		"  k.clave, k.valor, k.id, k.nombre, " ST_SQL_TS("k.created_at")
		" FROM k JOIN g USING (o, clave, valor)"
		" ORDER BY g.o, g.first, g.valor, k.created_at, k.id", 1,
		&tenant_id, err);
	if (!res)
		goto cleanup;
	n = PQntuples(res);
	out->items = st_xcalloc(n ? (size_t)n : 1, sizeof(*out->items));
	for (int i = 0; i < n; i++) {
		struct st_lead_dup *d = &out->items[i];

		d->grupo = atoi(PQgetvalue(res, i, 0));
		d->clave = st_db_dup(res, i, 1);
		d->valor = st_db_dup(res, i, 2);
		d->id = st_db_dup(res, i, 3);
		d->nombre = st_db_dup(res, i, 4);
		d->created_at = st_db_dup(res, i, 5);
	}
	out->n = (size_t)n;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_lead_dup_list_release(out);
	}
	PQclear(res);
	return ret;
}

/* Soft: deleted_at set. Hard: the row goes, and all that hangs off it. */
static int
delete_row(struct st_db *db, const char *tenant_id, const char *id, bool hard,
	   struct st_error *err)
{
	PGresult *res;
	int ret;

	res = st_db_query(db, hard ?
		"WITH o AS (DELETE FROM strato.lead WHERE tenant_id = $1"
		" AND id = $2 RETURNING *)"
		" SELECT (strato.jsonb_diff(to_jsonb(o), NULL)"
		"  || '{\"hard\": true}')::text FROM o" :
		"WITH o AS (SELECT * FROM strato.lead WHERE tenant_id = $1"
		" AND id = $2 FOR UPDATE), n AS (UPDATE strato.lead l"
		" SET deleted_at = now() FROM o WHERE l.tenant_id = o.tenant_id"
		" AND l.id = o.id RETURNING l.*)"
		" SELECT strato.jsonb_diff(to_jsonb(o), to_jsonb(n))::text"
		" FROM o JOIN n USING (id)", 2,
		(const char *const[]){ tenant_id, id }, err);
	if (!res)
		return -1;
	ret = st_audit_add(db, tenant_id, "lead.delete", "lead", id,
			   PQntuples(res) ? PQgetvalue(res, 0, 0) : "{}", err);
	PQclear(res);
	return ret;
}

/*
 * Delete a lead. Soft by default; hard only for platform admins (the
 * strato_service group), which also reaches leads deleted softly before.
 * The database agrees: agents hold no DELETE on strato.lead.
 */
int
st_lead_delete(struct st_db *db, const char *tenant_id, const char *ref,
	       bool hard, struct st_lead *out, struct st_error *err)
{
	char *id = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (hard && !st_db_is_service(db)) {
		st_error_set(err, ST_EPERM, "only platform admins may delete a "
			     "lead for good");
		st_error_hint(err, "Delete it without --hard: it is hidden "
			      "and its history kept.");
		return -1;
	}
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (lead_resolve(db, tenant_id, ref, hard, &id, err) < 0 ||
	    lead_fetch(db, tenant_id, id, out, err) < 0 ||
	    delete_row(db, tenant_id, id, hard, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_lead_release(out);
	}
	free(id);
	return ret;
}
