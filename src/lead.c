/*
 * lead.c - listing and reading leads.
 */
#include <stdlib.h>
#include <string.h>

#include "db-internal.h"
#include "lead-sql.h"
#include "strato/lead.h"
#include "strato/tenant.h"

void
st_lead_release(struct st_lead *l)
{
	char **s[] = { &l->id, &l->nombre, &l->telefono, &l->telefono_e164,
		       &l->email, &l->origen, &l->estado, &l->tipo,
		       &l->operacion, &l->tipo_propiedad, &l->zona,
		       &l->presupuesto, &l->tags, &l->asignado, &l->notas,
		       &l->custom, &l->created_at, &l->updated_at };

	if (!l)
		return;
	for (size_t i = 0; i < ST_ARRAY_SIZE(s); i++)
		free(*s[i]);
	memset(l, 0, sizeof(*l));
}

void
st_lead_list_release(struct st_lead_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		st_lead_release(&l->items[i]);
	free(l->items);
	free(l->next);
	memset(l, 0, sizeof(*l));
}

static void
lead_from_row(struct st_lead *l, const PGresult *res, int r)
{
	char **s[] = { &l->id, &l->nombre, &l->telefono, &l->telefono_e164,
		       &l->email, &l->origen, &l->estado, &l->tipo,
		       &l->operacion, &l->tipo_propiedad, &l->zona,
		       &l->presupuesto, &l->tags, &l->asignado, &l->notas,
		       &l->custom };

	for (size_t i = 0; i < ST_ARRAY_SIZE(s); i++)
		*s[i] = st_db_dup(res, r, (int)i);
	l->es_cliente = st_db_bool(res, r, 16);
	l->opt_out = st_db_bool(res, r, 17);
	l->created_at = st_db_dup(res, r, 18);
	l->updated_at = st_db_dup(res, r, 19);
}

/*
 * A page of leads, newest first. Every filter is a bound parameter that
 * may be NULL; the search text has its LIKE wildcards escaped.
 */
int
st_lead_list(struct st_db *db, const char *tenant_id,
	     const struct st_lead_filter *f, struct st_lead_list *out,
	     struct st_error *err)
{
	char limit[16], ts[64] = "";
	const char *after_ts = NULL, *after_id = NULL;
	PGresult *res = NULL;
	int lim = f->limit > 0 ? f->limit : 50;
	int n;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (lim > 1000)
		lim = 1000;
	if (f->after) {
		const char *bar = strchr(f->after, '|');

		if (!bar || bar == f->after || (size_t)(bar - f->after) >= sizeof(ts)) {
			st_error_set(err, ST_EINVAL, "invalid page cursor \"%s\"",
				     f->after);
			st_error_hint(err, "Use the --after value a previous page "
				      "printed.");
			return -1;
		}
		memcpy(ts, f->after, (size_t)(bar - f->after));
		after_ts = ts;
		after_id = bar + 1;
	}
	snprintf(limit, sizeof(limit), "%d", lim + 1);
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, LEAD_LIST_SQL, 11,
		(const char *const[]){ tenant_id, f->estado, f->tipo, f->tag,
				       f->origen, f->zona, f->assigned, f->search,
				       after_ts, after_id, limit }, err);
	if (!res)
		goto cleanup;
	n = PQntuples(res);
	if (n > lim) {
		/* one more than asked: there is a next page */
		n = lim;
		out->next = st_xasprintf("%s|%s", PQgetvalue(res, n - 1, 18),
					 PQgetvalue(res, n - 1, 0));
	}
	out->items = st_xcalloc(n ? (size_t)n : 1, sizeof(*out->items));
	for (int i = 0; i < n; i++)
		lead_from_row(&out->items[i], res, i);
	out->n = (size_t)n;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_db_rollback(db);
		st_lead_list_release(out);
	}
	PQclear(res);
	return ret;
}

int
st_lead_get(struct st_db *db, const char *tenant_id, const char *id,
	    struct st_lead *out, struct st_error *err)
{
	PGresult *res = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT " LEAD_COLS " WHERE l.tenant_id = $1"
			  " AND l.id = $2 AND l.deleted_at IS NULL", 2,
			  (const char *const[]){ tenant_id, id }, err);
	if (!res)
		goto cleanup;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "lead \"%s\" does not exist", id);
		goto cleanup;
	}
	lead_from_row(out, res, 0);
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0)
		st_db_rollback(db);
	PQclear(res);
	return ret;
}
