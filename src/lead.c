/*
 * lead.c - listing and reading leads.
 */
#include <stdlib.h>
#include <string.h>

#include "db-internal.h"
#include "strato/lead.h"
#include "strato/tenant.h"

#define LEAD_COLS \
	"l.id, l.nombre, l.telefono, l.telefono_e164, l.email, l.origen," \
	" l.estado, l.tipo, l.operacion, l.tipo_propiedad," \
	" coalesce(l.zona_interes, nullif(array_to_string(l.zonas, ', '), ''))," \
	" nullif(concat_ws(' ', nullif(concat_ws('-', l.presupuesto_min::text," \
	"   l.presupuesto_max::text), ''), l.moneda), '')," \
	" nullif(array_to_string(l.tags, ', '), ''), u.email, l.notas," \
	" l.custom::text, l.es_cliente, l.opt_out, " \
	ST_SQL_TS("l.created_at") ", " ST_SQL_TS("l.updated_at") \
	" FROM strato.lead l LEFT JOIN strato.app_user u" \
	" ON u.tenant_id = l.tenant_id AND u.id = l.assigned_to_id"

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
	res = st_db_query(db, "SELECT " LEAD_COLS
		" WHERE l.tenant_id = $1 AND l.deleted_at IS NULL"
		" AND ($2::text IS NULL OR l.estado = upper($2))"
		" AND ($3::text IS NULL OR l.tipo = upper($3))"
		" AND ($4::text IS NULL OR l.tags @> ARRAY[$4::text])"
		" AND ($5::text IS NULL OR l.origen = $5)"
		" AND ($6::text IS NULL OR EXISTS (SELECT 1 FROM unnest(l.zonas) z"
		"   WHERE lower(z) = lower($6)) OR lower(l.zona_interes) = lower($6))"
		" AND ($7::text IS NULL OR u.email = lower($7))"
		" AND ($8::text IS NULL OR l.search LIKE '%' || replace(replace("
		"   replace(strato.f_unaccent(lower($8)), '\\', '\\\\'), '%', '\\%'),"
		"   '_', '\\_') || '%')"
		" AND ($9::timestamptz IS NULL OR (l.created_at, l.id) <"
		"   ($9::timestamptz, $10::text))"
		" ORDER BY l.created_at DESC, l.id DESC LIMIT $11::int", 11,
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
