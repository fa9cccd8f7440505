/*
 * lead-write.c - creating and changing leads: create, update, estado,
 * assign, tag and note.
 *
 * Every change is one statement over a vector of values (struct
 * lead_vals) in which NULL leaves a column alone and "" clears it, so
 * create, update and the single-field verbs share one insert, one update,
 * one uniqueness check and one audit path. Values are cleaned here, in C,
 * with the import's own functions, so a lead typed at the console and one
 * read from a spreadsheet come out alike.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "import-internal.h"
#include "lead-internal.h"
#include "strato/audit.h"
#include "strato/normalize.h"
#include "strato/phone.h"
#include "strato/tenant.h"

/* The values of a change, in the order of their SQL parameters ($3...). */
enum lead_val {
	V_NOMBRE,
	V_TELEFONO,
	V_E164,
	V_EMAIL,
	V_ORIGEN,
	V_ESTADO,
	V_TIPO,
	V_OPERACION,
	V_TIPO_PROPIEDAD,
	V_ZONAS, /* JSON array */
	V_PMIN,
	V_PMAX,
	V_MONEDA,
	V_AMBIENTES,
	V_TAGS, /* JSON array: the whole list */
	V_NOTAS,
	V_ASSIGNED, /* a user's e-mail or id, then its id */
	V_TAGS_ADD, /* JSON arrays: update only */
	V_TAGS_DEL,
	V_COUNT,
};

struct lead_vals {
	char *v[V_COUNT];
};

static void
vals_release(struct lead_vals *lv)
{
	for (int i = 0; i < V_COUNT; i++)
		free(lv->v[i]);
	memset(lv, 0, sizeof(*lv));
}

static void
vals_set(struct lead_vals *lv, enum lead_val f, const char *s)
{
	free(lv->v[f]);
	lv->v[f] = s ? st_xstrdup(s) : NULL;
}

/* A comma list (",", ";" or "|") as a JSON array of trimmed items. */
static char *
json_list(const char *s)
{
	char **items = NULL;
	size_t n = st_norm_tags(s, &items);
	json_t *a = json_array();
	char *out;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(items[i]));
	out = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	st_norm_tags_free(items, n);
	return out;
}

static int
bad_value(struct st_error *err, const char *field, const char *value,
	  const char *hint)
{
	st_error_set(err, ST_EUSAGE, "invalid %s \"%s\"", field, value);
	if (hint)
		st_error_hint(err, "%s", hint);
	return -1;
}

/* An enumerated field: "" clears it (when it may be cleared). */
static int
set_enum(struct lead_vals *lv, enum lead_val f, const char *field,
	 const char *s, const char *hint, struct st_error *err)
{
	const char *v;

	if (!s)
		return 0;
	if (!*s && f != V_ESTADO) {
		vals_set(lv, f, "");
		return 0;
	}
	v = import_enum(field, s);
	if (!v)
		return bad_value(err, field, s, hint);
	vals_set(lv, f, v);
	return 0;
}

/* One amount of a budget ("150k", "USD 80.000"); its currency, if any. */
static int
set_amount(struct lead_vals *lv, enum lead_val f, const char *field,
	   const char *s, bool moneda_given, struct st_error *err)
{
	struct st_money m;
	bool empty;

	if (!s)
		return 0;
	if (!*s) {
		vals_set(lv, f, "");
		return 0;
	}
	if (st_norm_money(s, &m, &empty) < 0 || m.has_min == m.has_max)
		return bad_value(err, field, s, "Give one amount, e.g. "
				 "150000, 150k or USD 150.000.");
	vals_set(lv, f, m.has_max ? m.max : m.min);
	if (m.currency[0] && !moneda_given)
		vals_set(lv, V_MONEDA, m.currency);
	return 0;
}

/* --presupuesto: a whole budget, range and currency. */
static int
set_budget(struct lead_vals *lv, const struct st_lead_spec *s,
	   struct st_error *err)
{
	struct st_money m;
	bool empty;

	if (!s->presupuesto)
		return 0;
	if (!*s->presupuesto) { /* the currency goes with the budget */
		vals_set(lv, V_PMIN, "");
		vals_set(lv, V_PMAX, "");
		if (!s->moneda)
			vals_set(lv, V_MONEDA, "");
		return 0;
	}
	if (st_norm_money(s->presupuesto, &m, &empty) < 0)
		return bad_value(err, "presupuesto", s->presupuesto,
				 "Write e.g. 150k, USD 100-150 mil or "
				 "hasta 200.000.");
	vals_set(lv, V_PMIN, m.has_min ? m.min : "");
	vals_set(lv, V_PMAX, m.has_max ? m.max : "");
	if (m.currency[0] && !s->moneda)
		vals_set(lv, V_MONEDA, m.currency);
	return 0;
}

static int
set_money(struct lead_vals *lv, const struct st_lead_spec *s,
	  struct st_error *err)
{
	if (set_budget(lv, s, err) < 0 ||
	    set_amount(lv, V_PMIN, "presupuesto_min", s->presupuesto_min,
		       s->moneda != NULL, err) < 0 ||
	    set_amount(lv, V_PMAX, "presupuesto_max", s->presupuesto_max,
		       s->moneda != NULL, err) < 0 ||
	    set_enum(lv, V_MONEDA, "moneda", s->moneda, "Use USD or ARS.",
		     err) < 0)
		return -1;
	if (lv->v[V_PMIN] && lv->v[V_PMAX] && *lv->v[V_PMIN] &&
	    *lv->v[V_PMAX] && strtod(lv->v[V_PMIN], NULL) >
	    strtod(lv->v[V_PMAX], NULL)) {
		st_error_set(err, ST_EUSAGE, "invalid budget: minimum %s is "
			     "above maximum %s", lv->v[V_PMIN], lv->v[V_PMAX]);
		return -1;
	}
	return 0;
}

/* Name, e-mail, ambientes and the free-text fields. */
static int
set_texts(struct lead_vals *lv, const struct st_lead_spec *s,
	  struct st_error *err)
{
	if (s->nombre) {
		lv->v[V_NOMBRE] = st_norm_name(s->nombre);
		if (!*lv->v[V_NOMBRE]) {
			st_error_set(err, ST_EUSAGE, "lead name must not be "
				     "empty");
			return -1;
		}
	}
	if (s->email && *s->email) {
		bool empty;

		lv->v[V_EMAIL] = st_norm_email(s->email, &empty);
		if (!lv->v[V_EMAIL])
			return bad_value(err, "e-mail", s->email, NULL);
	} else if (s->email) {
		vals_set(lv, V_EMAIL, "");
	}
	if (s->ambientes && *s->ambientes) {
		int a = st_norm_int(s->ambientes);

		if (a < 1 || a > 50)
			return bad_value(err, "ambientes", s->ambientes,
					 "Give 1 to 50.");
		lv->v[V_AMBIENTES] = st_xasprintf("%d", a);
	} else if (s->ambientes) {
		vals_set(lv, V_AMBIENTES, "");
	}
	if (s->origen)
		lv->v[V_ORIGEN] = st_norm_name(s->origen);
	if (s->zonas)
		lv->v[V_ZONAS] = *s->zonas ? json_list(s->zonas) : st_xstrdup("");
	if (s->tags)
		lv->v[V_TAGS] = *s->tags ? json_list(s->tags) : st_xstrdup("");
	vals_set(lv, V_NOTAS, s->notas);
	vals_set(lv, V_TELEFONO, s->telefono);
	vals_set(lv, V_ASSIGNED, s->assigned);
	return 0;
}

#define ESTADOS "NUEVO, CONTACTADO, CALIFICADO, VISITA_AGENDADA, " \
	"NEGOCIACION, GANADO or PERDIDO"

/* Clean every field the spec gives; the phone waits for the region. */
static int
vals_from_spec(struct lead_vals *lv, const struct st_lead_spec *s,
	       struct st_error *err)
{
	if (s->estado && !*s->estado) {
		st_error_set(err, ST_EUSAGE, "estado cannot be cleared");
		st_error_hint(err, "Use one of " ESTADOS ".");
		return -1;
	}
	if (set_texts(lv, s, err) < 0 || set_money(lv, s, err) < 0 ||
	    set_enum(lv, V_ESTADO, "estado", s->estado, "Use one of "
		     ESTADOS " (any case).", err) < 0 ||
	    set_enum(lv, V_TIPO, "tipo", s->tipo, "Use COMPRADOR, VENDEDOR, "
		     "INQUILINO, LOCADOR or INVERSOR.", err) < 0 ||
	    set_enum(lv, V_OPERACION, "operacion", s->operacion,
		     "Use VENTA or ALQUILER.", err) < 0 ||
	    set_enum(lv, V_TIPO_PROPIEDAD, "tipo_propiedad", s->tipo_propiedad,
		     "Use DEPARTAMENTO, CASA, PH, LOCAL, OFICINA, TERRENO, "
		     "COCHERA or OTRO.", err) < 0)
		return -1;
	return 0;
}

/* The phone in E.164, read in the tenant's region (config "region"). */
static int
clean_phone(struct st_db *db, const char *tenant_id, struct lead_vals *lv,
	    struct st_error *err)
{
	char e164[ST_PHONE_MAX];
	const char *raw = lv->v[V_TELEFONO];
	PGresult *res;
	char *t;

	if (!raw)
		return 0;
	t = st_norm_name(strncmp(raw, "p:", 2) == 0 ? raw + 2 : raw);
	free(lv->v[V_TELEFONO]);
	lv->v[V_TELEFONO] = t;
	if (!*t) {
		vals_set(lv, V_E164, "");
		return 0;
	}
	res = st_db_query(db, "SELECT coalesce(nullif(config->>'country', ''),"
			  " 'AR') FROM strato.tenant WHERE id = $1", 1,
			  &tenant_id, err);
	if (!res)
		return -1;
	if (st_phone_normalize(t, PQntuples(res) ? PQgetvalue(res, 0, 0)
			       : "AR", e164) != ST_PHONE_VALID) {
		st_error_set(err, ST_EUSAGE, "invalid phone \"%s\"", t);
		st_error_hint(err, "Write it with its area code, e.g. 011 15 "
			      "2345-6789 or +54 9 11 2345-6789.");
		PQclear(res);
		return -1;
	}
	PQclear(res);
	vals_set(lv, V_E164, e164);
	return 0;
}

/* The assignee's id for an e-mail or id; "" (unassign) stays. */
static int
resolve_user(struct st_db *db, const char *tenant_id, struct lead_vals *lv,
	     struct st_error *err)
{
	const char *ref = lv->v[V_ASSIGNED];
	PGresult *res;
	int ret = -1;

	if (!ref || !*ref)
		return 0;
	res = st_db_query(db, "SELECT id, is_active FROM strato.app_user"
			  " WHERE tenant_id = $1 AND (id = $2"
			  " OR email = lower(btrim($2)))", 2,
			  (const char *const[]){ tenant_id, ref }, err);
	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "user \"%s\" does not exist",
			     ref);
	} else if (!st_db_bool(res, 0, 1)) {
		st_error_set(err, ST_ESTATE, "user \"%s\" is disabled", ref);
	} else {
		vals_set(lv, V_ASSIGNED, PQgetvalue(res, 0, 0));
		ret = 0;
	}
	PQclear(res);
	return ret;
}

/* Refuse a phone or e-mail another live lead holds, naming that lead. */
static int
check_unique(struct st_db *db, const char *tenant_id, const char *self,
	     const struct lead_vals *lv, struct st_error *err)
{
	const char *e164 = lv->v[V_E164], *email = lv->v[V_EMAIL];
	PGresult *res;

	if ((!e164 || !*e164) && (!email || !*email))
		return 0;
	res = st_db_query(db, "SELECT id, nombre, CASE WHEN telefono_e164 = $3"
		" THEN 'phone ' || telefono_e164 ELSE 'e-mail ' || lower(email)"
		" END FROM strato.lead WHERE tenant_id = $1"
		" AND deleted_at IS NULL AND id IS DISTINCT FROM $2::text"
		" AND (telefono_e164 = nullif($3::text, '')"
		"  OR lower(email) = nullif($4::text, ''))"
		" ORDER BY telefono_e164 = $3 DESC, created_at LIMIT 1", 4,
		(const char *const[]){ tenant_id, self, e164, email }, err);
	if (!res)
		return -1;
	if (PQntuples(res) > 0) {
		st_error_set(err, ST_EEXIST, "a lead with %s already exists: "
			     "\"%s\" (id %s)", PQgetvalue(res, 0, 2),
			     PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0));
		st_error_hint(err, "Change that lead, or merge the two with "
			      "\"lead merge\".");
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

/* JSON array parameter $n as text[] ("" or NULL: empty). */
#define ARR(n) "ARRAY(SELECT jsonb_array_elements_text(coalesce(nullif(" \
	n ", ''), '[]')::jsonb))"
/* The tags of a list, first spelling of each (ignoring case) kept. */
#define DEDUP(list) "ARRAY(SELECT (array_agg(x ORDER BY i))[1] FROM " \
	"unnest(" list ") WITH ORDINALITY AS u (x, i) " \
	"WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(" \
	"coalesce($21::text, '[]')::jsonb) AS r (t) WHERE lower(r.t) = " \
	"lower(u.x)) GROUP BY lower(x) ORDER BY min(i))"
/* Column c from parameter n: NULL keeps it, "" clears it. */
#define SETV(c, n, cast) c " = CASE WHEN " n "::text IS NULL THEN l." c \
	" ELSE nullif(" n ", '')" cast " END, "

static const char update_sql[] =
	"WITH o AS (SELECT * FROM strato.lead WHERE tenant_id = $1"
	" AND id = $2 FOR UPDATE),"
	" n AS (UPDATE strato.lead l SET nombre = coalesce($3, l.nombre), "
	SETV("telefono", "$4", "") SETV("telefono_e164", "$5", "")
	"telefono_ambiguo = CASE WHEN $5::text IS NULL THEN l.telefono_ambiguo"
	" ELSE false END, "
	SETV("email", "$6", "") SETV("origen", "$7", "")
	"estado = coalesce($8, l.estado), "
	SETV("tipo", "$9", "") SETV("operacion", "$10", "")
	SETV("tipo_propiedad", "$11", "")
	"zonas = CASE WHEN $12::text IS NULL THEN l.zonas ELSE " ARR("$12")
	" END, "
	SETV("presupuesto_min", "$13", "::numeric")
	SETV("presupuesto_max", "$14", "::numeric")
	SETV("moneda", "$15", "") SETV("ambientes", "$16", "::smallint")
	SETV("notas", "$18", "") SETV("assigned_to_id", "$19", "")
	"tags = CASE WHEN $17::text IS NULL AND $20::text IS NULL"
	" AND $21::text IS NULL THEN l.tags ELSE " DEDUP("CASE WHEN $17::text"
	" IS NULL THEN l.tags ELSE " ARR("$17") " END || " ARR("$20")) " END"
	" FROM o WHERE l.tenant_id = o.tenant_id AND l.id = o.id"
	" RETURNING l.*)"
	" SELECT n.id, strato.jsonb_diff(to_jsonb(o), to_jsonb(n))::text"
	" FROM o JOIN n USING (id)";

static const char insert_sql[] =
	"WITH n AS (INSERT INTO strato.lead (tenant_id, id, nombre, telefono,"
	" telefono_e164, email, origen, estado, tipo, operacion,"
	" tipo_propiedad, zonas, presupuesto_min, presupuesto_max, moneda,"
	" ambientes, tags, notas, assigned_to_id) VALUES ($1,"
	" coalesce($2::text, gen_random_uuid()::text), $3, nullif($4, ''),"
	" nullif($5, ''), nullif($6, ''), nullif($7, ''),"
	" coalesce(nullif($8, ''), 'NUEVO'), nullif($9, ''), nullif($10, ''),"
	" nullif($11, ''), " ARR("$12") ", nullif($13, '')::numeric,"
	" nullif($14, '')::numeric, nullif($15, ''),"
	" nullif($16, '')::smallint, " ARR("$17") ", nullif($18, ''),"
	" nullif($19, '')) RETURNING *)"
	" SELECT n.id, strato.jsonb_diff(NULL, to_jsonb(n))::text FROM n";

/* Insert (id NULL) or update lead id with lv; *new_id is the lead's id. */
static int
write_row(struct st_db *db, const char *tenant_id, const char *id,
	  const struct lead_vals *lv, const char *action, char **new_id,
	  struct st_error *err)
{
	const char *p[2 + V_COUNT] = { tenant_id, id };
	PGresult *res;
	int ret = -1;

	for (int i = 0; i < V_COUNT; i++)
		p[2 + i] = lv->v[i];
	res = st_db_query(db, id ? update_sql : insert_sql,
			  id ? 2 + V_COUNT : 2 + V_TAGS_ADD, p, err);
	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "lead \"%s\" does not exist",
			     id ? id : "");
	} else {
		*new_id = st_db_dup(res, 0, 0);
		ret = st_audit_add(db, tenant_id, action, "lead", *new_id,
				   PQgetvalue(res, 0, 1), err);
	}
	PQclear(res);
	return ret;
}

/*
 * The one path of every change: in a tenant transaction, name the lead
 * (ref NULL: a new one), clean the phone, find the assignee, refuse a
 * duplicate phone or e-mail, write, audit, and read the result into out.
 */
static int
lead_write(struct st_db *db, const char *tenant_id, const char *ref,
	   struct lead_vals *lv, const char *action, struct st_lead *out,
	   struct st_error *err)
{
	char *id = NULL, *new_id = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (ref && lead_resolve(db, tenant_id, ref, false, &id, err) < 0)
		goto cleanup;
	if (clean_phone(db, tenant_id, lv, err) < 0 ||
	    resolve_user(db, tenant_id, lv, err) < 0 ||
	    check_unique(db, tenant_id, id, lv, err) < 0 ||
	    write_row(db, tenant_id, id, lv, action, &new_id, err) < 0 ||
	    lead_fetch(db, tenant_id, new_id, out, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_lead_release(out);
	}
	free(id);
	free(new_id);
	return ret;
}

/*
 * Create a lead from spec: a name, and a phone or an e-mail to know it
 * by (the import's rule). Audited as lead.create with every field set.
 */
int
st_lead_create(struct st_db *db, const char *tenant_id,
	       const struct st_lead_spec *spec, struct st_lead *out,
	       struct st_error *err)
{
	struct lead_vals lv;
	int ret = -1;

	memset(&lv, 0, sizeof(lv));
	memset(out, 0, sizeof(*out));
	if (!spec->nombre) {
		st_error_set(err, ST_EUSAGE, "a lead needs a name (--name)");
		return -1;
	}
	if (st_str_empty(spec->telefono) && st_str_empty(spec->email)) {
		st_error_set(err, ST_EUSAGE, "a lead needs a phone or an "
			     "e-mail (--phone, --email)");
		return -1;
	}
	if (vals_from_spec(&lv, spec, err) == 0)
		ret = lead_write(db, tenant_id, NULL, &lv, "lead.create", out,
				 err);
	vals_release(&lv);
	return ret;
}

/* Change the fields spec gives; audited as lead.update. */
int
st_lead_update(struct st_db *db, const char *tenant_id, const char *ref,
	       const struct st_lead_spec *spec, struct st_lead *out,
	       struct st_error *err)
{
	struct lead_vals lv;
	int ret = -1;
	bool any = false;

	memset(&lv, 0, sizeof(lv));
	memset(out, 0, sizeof(*out));
	if (vals_from_spec(&lv, spec, err) < 0)
		goto cleanup;
	for (int i = 0; i < V_COUNT; i++)
		any = any || lv.v[i];
	if (!any) {
		st_error_set(err, ST_EUSAGE, "nothing to change");
		st_error_hint(err, "Give the fields to set, e.g. --email or "
			      "--estado; an empty value clears a field.");
		goto cleanup;
	}
	ret = lead_write(db, tenant_id, ref, &lv, "lead.update", out, err);
cleanup:
	vals_release(&lv);
	return ret;
}

int
st_lead_set_estado(struct st_db *db, const char *tenant_id, const char *ref,
		   const char *estado, struct st_lead *out,
		   struct st_error *err)
{
	struct st_lead_spec spec = { .estado = estado ? estado : "" };
	struct lead_vals lv;
	int ret = -1;

	memset(&lv, 0, sizeof(lv));
	memset(out, 0, sizeof(*out));
	if (vals_from_spec(&lv, &spec, err) == 0)
		ret = lead_write(db, tenant_id, ref, &lv, "lead.estado", out,
				 err);
	vals_release(&lv);
	return ret;
}

int
st_lead_assign(struct st_db *db, const char *tenant_id, const char *ref,
	       const char *user, struct st_lead *out, struct st_error *err)
{
	struct lead_vals lv;
	int ret;

	memset(&lv, 0, sizeof(lv));
	vals_set(&lv, V_ASSIGNED, user ? user : "");
	ret = lead_write(db, tenant_id, ref, &lv, "lead.assign", out, err);
	vals_release(&lv);
	return ret;
}

/* Add the items of a comma list to the JSON array a. */
static void
add_items(json_t *a, const char *s)
{
	char **items = NULL;
	size_t n = st_norm_tags(s, &items);

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(items[i]));
	st_norm_tags_free(items, n);
}

int
st_lead_tag(struct st_db *db, const char *tenant_id, const char *ref,
	    int nops, char *const *ops, struct st_lead *out,
	    struct st_error *err)
{
	json_t *add = json_array(), *del = json_array();
	struct lead_vals lv;
	int ret = -1;

	memset(&lv, 0, sizeof(lv));
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < nops; i++) {
		const char *op = ops[i];

		if (*op == '-' || *op == '+')
			add_items(*op == '-' ? del : add, op + 1);
		else
			add_items(add, op);
	}
	if (json_array_size(add) + json_array_size(del) == 0) {
		st_error_set(err, ST_EUSAGE, "no tag to add or remove");
		st_error_hint(err, "Write +tag or tag to add, -tag to remove.");
		goto cleanup;
	}
	lv.v[V_TAGS_ADD] = json_dumps(add, JSON_COMPACT);
	lv.v[V_TAGS_DEL] = json_dumps(del, JSON_COMPACT);
	ret = lead_write(db, tenant_id, ref, &lv, "lead.tag", out, err);
cleanup:
	json_decref(add);
	json_decref(del);
	vals_release(&lv);
	return ret;
}

void
st_lead_note_release(struct st_lead_note *n)
{
	if (!n)
		return;
	free(n->id);
	free(n->lead_id);
	free(n->titulo);
	free(n->notas);
	free(n->fecha);
	free(n->usuario);
	memset(n, 0, sizeof(*n));
}

/*
 * A note is an event of tipo NOTA dated now, by the session's user (NULL
 * for a service login), titled with its first line; the audit row
 * (lead.note, on the lead) holds the event as created.
 */
int
st_lead_add_note(struct st_db *db, const char *tenant_id, const char *ref,
		 const char *text, struct st_lead_note *out,
		 struct st_error *err)
{
	PGresult *res = NULL;
	char *id = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!text || !text[strspn(text, " \t\r\n")]) {
		st_error_set(err, ST_EUSAGE, "a note must not be empty");
		return -1;
	}
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (lead_resolve(db, tenant_id, ref, false, &id, err) < 0)
		goto cleanup;
	res = st_db_query(db, "WITH e AS (INSERT INTO strato.event"
		" (tenant_id, lead_id, user_id, tipo, titulo, fecha, notas)"
		" VALUES ($1, $2, strato.current_app_user_id(), 'NOTA',"
		" left(split_part(btrim($3, E' \\t\\r\\n'), E'\\n', 1), 80),"
		" now(), $3) RETURNING *)"
		" SELECT e.id, e.lead_id, e.titulo, e.notas, "
		ST_SQL_TS("e.fecha") ", u.email,"
		" strato.jsonb_diff(NULL, to_jsonb(e))::text FROM e"
		" LEFT JOIN strato.app_user u ON u.tenant_id = e.tenant_id"
		" AND u.id = e.user_id", 3,
		(const char *const[]){ tenant_id, id, text }, err);
	if (!res || st_audit_add(db, tenant_id, "lead.note", "lead", id,
				 PQgetvalue(res, 0, 6), err) < 0)
		goto cleanup;
	out->id = st_db_dup(res, 0, 0);
	out->lead_id = st_db_dup(res, 0, 1);
	out->titulo = st_db_dup(res, 0, 2);
	out->notas = st_db_dup(res, 0, 3);
	out->fecha = st_db_dup(res, 0, 4);
	out->usuario = st_db_dup(res, 0, 5);
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_lead_note_release(out);
	}
	PQclear(res);
	free(id);
	return ret;
}
