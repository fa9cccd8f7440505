/*
 * lead.c - listing and reading leads, and naming one.
 */
#include <stdlib.h>
#include <string.h>

#include "lead-internal.h"
#include "lead-sql.h"
#include "strato/tenant.h"

void
st_lead_release(struct st_lead *l)
{
	char **s[] = { &l->id, &l->nombre, &l->telefono, &l->telefono_e164,
		       &l->email, &l->origen, &l->estado, &l->tipo,
		       &l->operacion, &l->tipo_propiedad, &l->zona,
		       &l->presupuesto, &l->tags, &l->asignado, &l->notas,
		       &l->custom, &l->created_at, &l->updated_at,
		       &l->timeline, &l->messages };

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

void
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
	char limit[16];
	char *after_key = NULL;
	const char *after_id = NULL;
	PGresult *res = NULL;
	struct lead_query q;
	int lim = f->limit > 0 ? f->limit : 50;
	bool by_name = f->sort && (st_str_ieq(f->sort, "nombre") ||
				   st_str_ieq(f->sort, "name"));
	int n;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (lim > 1000)
		lim = 1000;
	if (f->sort && !by_name && !st_str_ieq(f->sort, "recientes") &&
	    !st_str_ieq(f->sort, "newest")) {
		st_error_set(err, ST_EUSAGE, "invalid sort \"%s\"", f->sort);
		st_error_hint(err, "Use recientes (newest first) or nombre.");
		return -1;
	}
	if (f->after) {
		/* "key|id": ids never hold a '|', a name may */
		const char *bar = strrchr(f->after, '|');

		/* an empty key is a lead with an empty name */
		if (!bar || !bar[1] || (bar == f->after && !by_name)) {
			st_error_set(err, ST_EINVAL, "invalid page cursor \"%s\"",
				     f->after);
			st_error_hint(err, "Use the --after value a previous page "
				      "printed.");
			return -1;
		}
		after_key = st_xstrndup(f->after, (size_t)(bar - f->after));
		after_id = bar + 1;
	}
	snprintf(limit, sizeof(limit), "%d", lim + 1);
	lead_query_build(&q, tenant_id, f, by_name, after_key, after_id,
			 limit);
	/* one round trip: the tenant and the page in one pipeline */
	res = st_db_tenant_read(db, tenant_id, q.name, q.sql, q.generic, q.n,
				q.params, err);
	lead_query_release(&q);
	free(after_key);
	if (!res) {
		if (err && strcmp(err->sqlstate, "22007") == 0) {
			st_error_set(err, ST_EINVAL, "invalid page cursor "
				     "\"%s\"", f->after);
			st_error_hint(err, "Use the --after value a previous "
				      "page printed, with the same --sort.");
		}
		goto cleanup;
	}
	n = PQntuples(res);
	if (n > lim) {
		/* one more than asked: there is a next page */
		n = lim;
		out->next = st_xasprintf("%s|%s", PQgetvalue(res, n - 1,
					 by_name ? 1 : 18),
					 PQgetvalue(res, n - 1, 0));
	}
	out->items = st_xcalloc(n ? (size_t)n : 1, sizeof(*out->items));
	for (int i = 0; i < n; i++)
		lead_from_row(&out->items[i], res, i);
	out->n = (size_t)n;
	ret = 0;
cleanup:
	if (ret < 0)
		st_lead_list_release(out);
	PQclear(res);
	return ret;
}

/* Leads whose id starts with ref, at most a few, for lead_resolve. */
static PGresult *
lead_prefix_matches(struct st_db *db, const char *tenant_id, const char *ref,
		    bool deleted, struct st_error *err)
{
	return st_db_query(db, "SELECT id FROM strato.lead"
		" WHERE tenant_id = $1 AND ($3::bool OR deleted_at IS NULL)"
		" AND left(id, length($2)) = $2 ORDER BY id LIMIT 6", 3,
		(const char *const[]){ tenant_id, ref, deleted ? "t" : "f" },
		err);
}

int
lead_resolve(struct st_db *db, const char *tenant_id, const char *ref,
	     bool deleted, char **id, struct st_error *err)
{
	PGresult *res = NULL;
	struct st_buf b = ST_BUF_INIT;
	int ret = -1;
	int n;

	*id = NULL;
	res = st_db_query(db, "SELECT id FROM strato.lead WHERE tenant_id = $1"
			  " AND id = $2 AND ($3::bool OR deleted_at IS NULL)", 3,
			  (const char *const[]){ tenant_id, ref,
						 deleted ? "t" : "f" }, err);
	if (!res)
		goto cleanup;
	if (PQntuples(res) == 0 && strlen(ref) >= 4) {
		PQclear(res);
		res = lead_prefix_matches(db, tenant_id, ref, deleted, err);
		if (!res)
			goto cleanup;
	}
	n = PQntuples(res);
	if (n == 0) {
		st_error_set(err, ST_ENOTFOUND, "lead \"%s\" does not exist",
			     ref);
		goto cleanup;
	}
	if (n > 1) {
		for (int i = 0; i < n && i < 5; i++)
			st_buf_addf(&b, "%s%s", i ? ", " : "",
				    PQgetvalue(res, i, 0));
		st_error_set(err, ST_EUSAGE, "lead \"%s\" is ambiguous", ref);
		st_error_hint(err, "It starts the ids %s%s.", b.data,
			      n > 5 ? ", ..." : "");
		goto cleanup;
	}
	*id = st_db_dup(res, 0, 0);
	ret = 0;
cleanup:
	st_buf_release(&b);
	PQclear(res);
	return ret;
}

int
lead_fetch(struct st_db *db, const char *tenant_id, const char *id,
	   struct st_lead *out, struct st_error *err)
{
	PGresult *res;

	memset(out, 0, sizeof(*out));
	res = st_db_query(db, "SELECT " LEAD_COLS " WHERE l.tenant_id = $1"
			  " AND l.id = $2", 2,
			  (const char *const[]){ tenant_id, id }, err);
	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "lead \"%s\" does not exist", id);
		PQclear(res);
		return -1;
	}
	lead_from_row(out, res, 0);
	PQclear(res);
	return 0;
}

/* The lead's events as a JSON array, newest first (at most 100). */
static int
lead_timeline(struct st_db *db, const char *tenant_id, const char *id,
	      struct st_lead *out, struct st_error *err)
{
	PGresult *res = st_db_query(db,
		"SELECT coalesce(jsonb_agg(jsonb_build_object("
		"  'id', e.id, 'fecha', e.fecha, 'tipo', e.tipo,"
		"  'titulo', e.titulo, 'notas', e.notas, 'usuario', u.email,"
		"  'completado', e.completado, 'cancelado', e.cancelado)"
		"  ORDER BY e.fecha DESC, e.created_at DESC), '[]')::text"
		" FROM (SELECT * FROM strato.event WHERE tenant_id = $1"
		"  AND lead_id = $2 ORDER BY fecha DESC, created_at DESC"
		"  LIMIT 100) e LEFT JOIN strato.app_user u"
		" ON u.tenant_id = e.tenant_id AND u.id = e.user_id", 2,
		(const char *const[]){ tenant_id, id }, err);

	if (!res)
		return -1;
	out->timeline = st_db_dup(res, 0, 0);
	PQclear(res);
	return 0;
}

/* The lead's last 20 messages, all conversations, newest first (JSON). */
static int
lead_messages(struct st_db *db, const char *tenant_id, const char *id,
	      struct st_lead *out, struct st_error *err)
{
	PGresult *res = st_db_query(db,
		"SELECT coalesce(jsonb_agg(jsonb_build_object("
		"  'fecha', m.created_at, 'canal', m.canal,"
		"  'direccion', m.direccion, 'estado', m.estado,"
		"  'contenido', left(m.contenido, 500))"
		"  ORDER BY m.created_at DESC), '[]')::text"
		" FROM (SELECT m.*, c.canal FROM strato.message m"
		"  JOIN strato.conversation c ON c.tenant_id = m.tenant_id"
		"   AND c.id = m.conversation_id"
		"  WHERE m.tenant_id = $1 AND c.lead_id = $2"
		"  ORDER BY m.created_at DESC LIMIT 20) m", 2,
		(const char *const[]){ tenant_id, id }, err);

	if (!res)
		return -1;
	out->messages = st_db_dup(res, 0, 0);
	PQclear(res);
	return 0;
}

int
st_lead_get(struct st_db *db, const char *tenant_id, const char *ref,
	    struct st_lead *out, struct st_error *err)
{
	char *id = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (lead_resolve(db, tenant_id, ref, false, &id, err) < 0 ||
	    lead_fetch(db, tenant_id, id, out, err) < 0 ||
	    lead_timeline(db, tenant_id, id, out, err) < 0 ||
	    lead_messages(db, tenant_id, id, out, err) < 0)
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
