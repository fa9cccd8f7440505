/*
 * visit.c - scheduling, listing and closing property visits.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "audit-internal.h"
#include "db-internal.h"
#include "strato/audit.h"
#include "strato/property.h"
#include "strato/tenant.h"
#include "strato/visit.h"

/* The tenant's zone, as a FROM item "z (tz)"; $1 is the tenant. */
#define TZ_FROM \
	"(SELECT coalesce(nullif(t.config ->> 'timezone', ''), '" \
	ST_VISIT_DEFAULT_TZ "') AS tz FROM strato.tenant t WHERE t.id = $1) z"

#define VISIT_COLS \
	"e.id, to_char(e.fecha AT TIME ZONE z.tz, 'YYYY-MM-DD HH24:MI'), " \
	ST_SQL_TS("e.fecha") ", e.lead_id, l.nombre, e.property_id," \
	" p.titulo, u.email, CASE WHEN e.cancelado THEN 'CANCELADA'" \
	" WHEN e.completado THEN 'HECHA' ELSE 'PENDIENTE' END, l.estado" \
	" FROM strato.event e CROSS JOIN " TZ_FROM \
	" JOIN strato.lead l ON l.tenant_id = e.tenant_id AND l.id = e.lead_id" \
	" LEFT JOIN strato.property p ON p.tenant_id = e.tenant_id" \
	"  AND p.id = e.property_id" \
	" LEFT JOIN strato.app_user u ON u.tenant_id = e.tenant_id" \
	"  AND u.id = e.user_id" \
	" WHERE e.tenant_id = $1 AND e.tipo = 'VISITA'"

/* Read exactly w digits at *p into *v, advancing *p. */
static bool
digits(const char **p, int w, int *v)
{
	*v = 0;
	for (int i = 0; i < w; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return false;
		*v = *v * 10 + (**p - '0');
	}
	return true;
}

static int
days_in(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
				 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : d[m - 1];
}

/* The offset after a time: Z, +HH, +HHMM or +HH:MM; *sign 0 when none. */
static bool
parse_offset(const char *p, char *sign, int *oh, int *om)
{
	*sign = 0;
	*oh = *om = 0;
	if (*p == '\0')
		return true;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		*sign = '+';
		return true;
	}
	if (*p != '+' && *p != '-')
		return false;
	*sign = *p++;
	if (!digits(&p, 2, oh) || *oh > 14)
		return false;
	if (*p == ':')
		p++;
	if (*p && (!digits(&p, 2, om) || *om > 59))
		return false;
	return *p == '\0';
}

enum st_when
st_visit_parse_when(const char *s, char *out, size_t n)
{
	int y, mo, d, h = 0, mi = 0, se = 0, oh, om;
	char sign = 0;
	const char *p = s;

	if (!s || !digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) ||
	    *p++ != '-' || !digits(&p, 2, &d))
		return ST_WHEN_INVALID;
	if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > days_in(y, mo))
		return ST_WHEN_INVALID;
	if (*p == '\0') {
		snprintf(out, n, "%04d-%02d-%02d 00:00:00", y, mo, d);
		return ST_WHEN_DATE;
	}
	if (*p != 'T' && *p != 't' && *p != ' ')
		return ST_WHEN_INVALID;
	p++;
	if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) ||
	    h > 23 || mi > 59)
		return ST_WHEN_INVALID;
	if (*p == ':') {
		p++;
		if (!digits(&p, 2, &se) || se > 59)
			return ST_WHEN_INVALID;
		if (*p == '.' && isdigit((unsigned char)p[1]))
			for (p++; isdigit((unsigned char)*p); p++)
				; /* fractions of a second: dropped */
	}
	if (!parse_offset(p, &sign, &oh, &om))
		return ST_WHEN_INVALID;
	if (!sign) {
		snprintf(out, n, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h,
			 mi, se);
		return ST_WHEN_LOCAL;
	}
	snprintf(out, n, "%04d-%02d-%02d %02d:%02d:%02d%c%02d:%02d", y, mo, d,
		 h, mi, se, sign, oh, om);
	return ST_WHEN_OFFSET;
}

void
st_visit_release(struct st_visit *v)
{
	char **s[] = { &v->id, &v->fecha, &v->fecha_iso, &v->lead_id,
		       &v->lead, &v->property_id, &v->property, &v->agente,
		       &v->estado, &v->lead_estado };

	if (!v)
		return;
	for (size_t i = 0; i < ST_ARRAY_SIZE(s); i++)
		free(*s[i]);
	memset(v, 0, sizeof(*v));
}

void
st_visit_list_release(struct st_visit_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		st_visit_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void
visit_from_row(struct st_visit *v, const PGresult *res, int r)
{
	char **s[] = { &v->id, &v->fecha, &v->fecha_iso, &v->lead_id,
		       &v->lead, &v->property_id, &v->property, &v->agente,
		       &v->estado, &v->lead_estado };

	for (size_t i = 0; i < ST_ARRAY_SIZE(s); i++)
		*s[i] = st_db_dup(res, r, (int)i);
}

/* Inside the transaction: one visit by id into *out. */
static int
visit_fetch(struct st_db *db, const char *tenant_id, const char *id,
	    struct st_visit *out, struct st_error *err)
{
	PGresult *res = st_db_query(db, "SELECT " VISIT_COLS " AND e.id = $2",
				    2, (const char *const[]){ tenant_id, id },
				    err);
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "visit \"%s\" does not exist",
			     id);
	} else {
		visit_from_row(out, res, 0);
		ret = 0;
	}
	PQclear(res);
	return ret;
}

/* Parse a WHEN for the server: *kind is its st_when. */
static int
when_arg(const char *name, const char *s, char *buf, size_t n,
	 enum st_when *kind, struct st_error *err)
{
	*kind = st_visit_parse_when(s, buf, n);
	if (*kind == ST_WHEN_INVALID) {
		st_error_set(err, ST_EINVAL, "invalid %s \"%s\"", name, s);
		st_error_hint(err, "Use 'YYYY-MM-DD HH:MM' (the agency's time "
			      "zone) or ISO 8601 such as "
			      "2026-12-01T15:30-03:00.");
		return -1;
	}
	return 0;
}

/* The agent's user id into *out: by e-mail, else the login's own user,
 * else the lead's assigned one; NULL when there is none. */
static int
resolve_agent(struct st_db *db, const char *tenant_id, const char *email,
	      const char *lead_id, char **out, struct st_error *err)
{
	PGresult *res = NULL;

	*out = NULL;
	if (email)
		res = st_db_query(db, "SELECT id FROM strato.app_user"
				  " WHERE tenant_id = $1 AND email ="
				  " lower(btrim($2))", 2,
				  (const char *const[]){ tenant_id, email },
				  err);
	else
		res = st_db_query(db, "SELECT coalesce("
				  "strato.current_app_user_id(),"
				  " (SELECT assigned_to_id FROM strato.lead"
				  "  WHERE tenant_id = $1 AND id = $2))", 2,
				  (const char *const[]){ tenant_id, lead_id },
				  err);
	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "user \"%s\" does not exist",
			     email);
		PQclear(res);
		return -1;
	}
	*out = st_db_dup(res, 0, 0);
	PQclear(res);
	return 0;
}

/*
 * Refuse a visit within an hour of another non-cancelled visit of the
 * same agent, naming the nearest. The advisory lock (per tenant and
 * agent, until commit) keeps two schedules from both passing the check.
 */
static int
check_clash(struct st_db *db, const char *tenant_id, const char *agent,
	    const char *fecha, struct st_error *err)
{
	const char *p[3] = { tenant_id, agent, fecha };
	PGresult *res = NULL;
	int ret = -1;

	if (st_db_run(db, "SELECT pg_advisory_xact_lock(hashtextextended("
		      "$1 || '/visit/' || $2, 0))", 2, p, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT e.id, to_char(e.fecha AT TIME ZONE z.tz,"
		" 'YYYY-MM-DD HH24:MI'), l.nombre FROM strato.event e"
		" CROSS JOIN " TZ_FROM " JOIN strato.lead l"
		"  ON l.tenant_id = e.tenant_id AND l.id = e.lead_id"
		" WHERE e.tenant_id = $1 AND e.tipo = 'VISITA'"
		" AND NOT e.cancelado AND e.user_id = $2"
		" AND e.fecha > $3::timestamptz - interval '1 hour'"
		" AND e.fecha < $3::timestamptz + interval '1 hour'"
		" ORDER BY abs(extract(epoch FROM e.fecha - $3::timestamptz)),"
		" e.id LIMIT 1", 3, p, err);
	if (!res)
		return -1;
	if (PQntuples(res) > 0) {
		st_error_set(err, ST_ESTATE, "visit clashes with visit \"%s\" "
			     "at %s (%s), within an hour for the same agent",
			     PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
			     PQgetvalue(res, 0, 2));
		st_error_hint(err, "Pick another time, or use --force to "
			      "schedule it anyway.");
	} else {
		ret = 0;
	}
	PQclear(res);
	return ret;
}

/* The lead moves to VISITA_AGENDADA when it was earlier in the pipeline. */
static int
promote_lead(struct st_db *db, const char *tenant_id, const char *lead_id,
	     struct st_error *err)
{
	return st_audit_rows(db, tenant_id, "lead.update", "lead",
		"WITH o AS (SELECT * FROM strato.lead WHERE tenant_id = $1"
		"  AND id = $2 AND estado IN ('NUEVO', 'CONTACTADO',"
		"  'CALIFICADO') FOR UPDATE),"
		" n AS (UPDATE strato.lead l SET estado = 'VISITA_AGENDADA'"
		"  FROM o WHERE l.tenant_id = o.tenant_id AND l.id = o.id"
		"  RETURNING l.*)"
		" SELECT n.id, strato.jsonb_diff(to_jsonb(o), to_jsonb(n))::text"
		" FROM o JOIN n USING (tenant_id, id)", 2,
		(const char *const[]){ tenant_id, lead_id }, NULL, NULL, err);
}

/* The instant of when, as ISO 8601 text, into *out. */
static int
resolve_when(struct st_db *db, const char *tenant_id, const char *when,
	     char **out, struct st_error *err)
{
	char buf[40];
	enum st_when kind;
	PGresult *res = NULL;

	*out = NULL;
	if (when_arg("time", when, buf, sizeof(buf), &kind, err) < 0)
		return -1;
	if (kind == ST_WHEN_DATE) {
		st_error_set(err, ST_EINVAL, "a visit needs a time of day, "
			     "not only \"%s\"", when);
		st_error_hint(err, "Use 'YYYY-MM-DD HH:MM'.");
		return -1;
	}
	res = st_db_query(db, "SELECT " ST_SQL_TS("CASE WHEN $3 THEN"
		" $2::timestamptz ELSE $2::timestamp AT TIME ZONE z.tz END")
		" FROM " TZ_FROM, 3, (const char *const[]){ tenant_id, buf,
		kind == ST_WHEN_OFFSET ? "t" : "f" }, err);
	if (!res)
		return -1;
	*out = st_db_dup(res, 0, 0);
	PQclear(res);
	return 0;
}

/* Inside the transaction: the lead must exist; the property's id. */
static char *
check_refs(struct st_db *db, const char *tenant_id,
	   const struct st_visit_new *spec, struct st_error *err)
{
	PGresult *res = st_db_query(db, "SELECT 1 FROM strato.lead"
		" WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL", 2,
		(const char *const[]){ tenant_id, spec->lead_id }, err);
	bool found = res && PQntuples(res) == 1;

	PQclear(res);
	if (!res)
		return NULL;
	if (!found) {
		st_error_set(err, ST_ENOTFOUND, "lead \"%s\" does not exist",
			     spec->lead_id);
		return NULL;
	}
	return st_property_resolve(db, tenant_id, spec->property, err);
}

/*
 * Schedule a visit: one transaction holding the clash check, the event,
 * the lead's move and their audit rows.
 */
int
st_visit_schedule(struct st_db *db, const char *tenant_id,
		  const struct st_visit_new *spec, struct st_visit *out,
		  struct st_error *err)
{
	char *prop = NULL, *agent = NULL, *fecha = NULL, *id = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (!(prop = check_refs(db, tenant_id, spec, err)) ||
	    resolve_when(db, tenant_id, spec->when, &fecha, err) < 0 ||
	    resolve_agent(db, tenant_id, spec->agent, spec->lead_id, &agent,
			  err) < 0)
		goto cleanup;
	if (agent && !spec->force &&
	    check_clash(db, tenant_id, agent, fecha, err) < 0)
		goto cleanup;
	if (st_audit_rows(db, tenant_id, "visit.schedule", "event",
		"WITH n AS (INSERT INTO strato.event (tenant_id, lead_id,"
		"  user_id, property_id, tipo, titulo, fecha)"
		"  SELECT $1, $2, $3, p.id, 'VISITA', 'Visita: ' || p.titulo,"
		"  $5::timestamptz FROM strato.property p"
		"  WHERE p.tenant_id = $1 AND p.id = $4 RETURNING *)"
		" SELECT n.id, strato.jsonb_diff(NULL, to_jsonb(n))::text"
		" FROM n",
		5, (const char *const[]){ tenant_id, spec->lead_id, agent, prop,
		fecha }, &id, NULL, err) < 0 ||
	    promote_lead(db, tenant_id, spec->lead_id, err) < 0 ||
	    visit_fetch(db, tenant_id, id, out, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_visit_release(out);
	}
	free(prop);
	free(agent);
	free(fecha);
	free(id);
	return ret;
}

int
st_visit_list(struct st_db *db, const char *tenant_id, const char *from,
	      const char *to, const char *agent, struct st_visit_list *out,
	      struct st_error *err)
{
	char fb[40], tb[40];
	enum st_when fk = ST_WHEN_LOCAL, tk = ST_WHEN_LOCAL;
	PGresult *res = NULL;
	int n, ret = -1;

	memset(out, 0, sizeof(*out));
	if ((from && when_arg("--from", from, fb, sizeof(fb), &fk, err) < 0) ||
	    (to && when_arg("--to", to, tb, sizeof(tb), &tk, err) < 0))
		return -1;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT " VISIT_COLS
		" AND e.fecha >= CASE WHEN $2::text IS NULL THEN"
		"  date_trunc('day', now() AT TIME ZONE z.tz) AT TIME ZONE z.tz"
		"  WHEN $3 THEN $2::timestamptz"
		"  ELSE $2::timestamp AT TIME ZONE z.tz END"
		" AND ($4::text IS NULL OR e.fecha < CASE WHEN $5"
		"  THEN $4::timestamptz ELSE $4::timestamp AT TIME ZONE z.tz END"
		"  + CASE WHEN $6 THEN interval '1 day' ELSE interval '0' END)"
		" AND ($7::text IS NULL OR u.email = lower(btrim($7)))"
		" ORDER BY e.fecha, e.id LIMIT 1000", 7,
		(const char *const[]){ tenant_id, from ? fb : NULL,
		fk == ST_WHEN_OFFSET ? "t" : "f", to ? tb : NULL,
		tk == ST_WHEN_OFFSET ? "t" : "f",
		tk == ST_WHEN_DATE ? "t" : "f", agent }, err);
	if (!res)
		goto cleanup;
	n = PQntuples(res);
	out->items = st_xcalloc(n ? (size_t)n : 1, sizeof(*out->items));
	for (int i = 0; i < n; i++)
		visit_from_row(&out->items[i], res, i);
	out->n = (size_t)n;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_visit_list_release(out);
	}
	PQclear(res);
	return ret;
}

/* Done or cancelled: only a pending visit moves, with its audit row. */
static int
close_visit(struct st_db *db, const char *tenant_id, const char *id,
	    bool cancel, struct st_visit *out, struct st_error *err)
{
	const char *p[2] = { tenant_id, id };
	PGresult *res = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT completado, cancelado FROM strato.event"
			  " WHERE tenant_id = $1 AND id = $2 AND tipo = 'VISITA'"
			  " FOR UPDATE", 2, p, err);
	if (!res)
		goto cleanup;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "visit \"%s\" does not exist",
			     id);
		goto cleanup;
	}
	if (st_db_bool(res, 0, 0) || st_db_bool(res, 0, 1)) {
		st_error_set(err, ST_ESTATE, "visit \"%s\" is %s", id,
			     st_db_bool(res, 0, 1) ? "cancelled" : "done");
		st_error_detail(err, "Only a pending visit can be %s.",
				cancel ? "cancelled" : "marked done");
		goto cleanup;
	}
	if (st_audit_rows(db, tenant_id, cancel ? "visit.cancel" : "visit.done",
		    "event", cancel ?
		    "WITH o AS (SELECT * FROM strato.event WHERE tenant_id = $1"
		    "  AND id = $2), n AS (UPDATE strato.event e SET"
		    "  cancelado = true FROM o WHERE e.tenant_id = o.tenant_id"
		    "  AND e.id = o.id RETURNING e.*)"
		    " SELECT n.id, strato.jsonb_diff(to_jsonb(o), to_jsonb(n))"
		    "::text FROM o JOIN n USING (tenant_id, id)" :
		    "WITH o AS (SELECT * FROM strato.event WHERE tenant_id = $1"
		    "  AND id = $2), n AS (UPDATE strato.event e SET"
		    "  completado = true FROM o WHERE e.tenant_id = o.tenant_id"
		    "  AND e.id = o.id RETURNING e.*)"
		    " SELECT n.id, strato.jsonb_diff(to_jsonb(o), to_jsonb(n))"
		    "::text FROM o JOIN n USING (tenant_id, id)", 2, p, NULL,
		    NULL, err) < 0 || visit_fetch(db, tenant_id, id, out, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_visit_release(out);
	}
	PQclear(res);
	return ret;
}

int
st_visit_done(struct st_db *db, const char *tenant_id, const char *id,
	      struct st_visit *out, struct st_error *err)
{
	return close_visit(db, tenant_id, id, false, out, err);
}

int
st_visit_cancel(struct st_db *db, const char *tenant_id, const char *id,
		struct st_visit *out, struct st_error *err)
{
	return close_visit(db, tenant_id, id, true, out, err);
}
