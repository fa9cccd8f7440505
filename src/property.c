/*
 * property.c - the property catalogue: list, show, create, update, delete.
 */
#include <stdlib.h>
#include <string.h>

#include "audit-internal.h"
#include "db-internal.h"
#include "strato/audit.h"
#include "strato/property.h"
#include "strato/tenant.h"

#define PROPERTY_COLS \
	"p.id, p.codigo, p.titulo, p.descripcion, trim_scale(p.precio)::text," \
	" p.moneda, p.operacion, p.tipo, p.zona, p.direccion," \
	" p.ambientes::text, p.dormitorios::text, p.banos::text," \
	" trim_scale(p.superficie_m2)::text, p.url, p.estado, " \
	ST_SQL_TS("p.publicado_at") ", " ST_SQL_TS("p.created_at") ", " \
	ST_SQL_TS("p.updated_at") " FROM strato.property p"

/* Columns derived from others (0008), left out of audit diffs. */
#define DERIVED "'{zona_norm,precio_centavos}'::text[]"

/* Column of created_at in PROPERTY_COLS: the keyset cursor's first half. */
#define COL_CREATED 17

/* The fields of struct st_property_fields, in its order, as an array. */
#define NFIELDS 15
enum { F_CODIGO, F_TITULO, F_DESC, F_PRECIO, F_MONEDA, F_OPERACION, F_TIPO,
       F_ZONA, F_DIRECCION, F_AMBIENTES, F_DORMITORIOS, F_BANOS,
       F_SUPERFICIE, F_URL, F_ESTADO };

static const char *const field_names[NFIELDS] = {
	"codigo", "titulo", "descripcion", "precio", "moneda", "operacion",
	"tipo", "zona", "direccion", "ambientes", "dormitorios", "banos",
	"superficie", "url", "estado",
};

struct enum_def {
	const char *field;
	const char *values; /* for messages */
	const char *const *canon;
};

static const char *const operaciones[] = { "VENTA", "ALQUILER", NULL };
static const char *const tipos[] = { "DEPARTAMENTO", "CASA", "PH", "LOCAL",
	"OFICINA", "TERRENO", "COCHERA", "OTRO", NULL };
static const char *const monedas[] = { "ARS", "USD", NULL };
static const char *const estados[] = { "DISPONIBLE", "RESERVADA", "VENDIDA",
	"ALQUILADA", "RETIRADA", NULL };

static const struct enum_def enums[] = {
	{ "operacion", "VENTA, ALQUILER", operaciones },
	{ "tipo", "DEPARTAMENTO, CASA, PH, LOCAL, OFICINA, TERRENO, COCHERA, "
	  "OTRO", tipos },
	{ "moneda", "ARS, USD", monedas },
	{ "estado", "DISPONIBLE, RESERVADA, VENDIDA, ALQUILADA, RETIRADA",
	  estados },
};

static const struct enum_def *
enum_find(const char *field)
{
	for (size_t i = 0; field && i < ST_ARRAY_SIZE(enums); i++)
		if (strcmp(enums[i].field, field) == 0)
			return &enums[i];
	return NULL;
}

const char *
st_property_enum_canon(const char *field, const char *value)
{
	const struct enum_def *e = enum_find(field);

	for (size_t i = 0; e && value && e->canon[i]; i++)
		if (st_str_ieq(e->canon[i], value))
			return e->canon[i];
	return NULL;
}

const char *
st_property_enum_values(const char *field)
{
	const struct enum_def *e = enum_find(field);

	return e ? e->values : NULL;
}

bool
st_property_number_valid(const char *s)
{
	size_t whole, frac = 0;

	if (!s)
		return false;
	whole = strspn(s, "0123456789");
	if (whole == 0 || whole > 12)
		return false;
	if (s[whole] == '.') {
		frac = strspn(s + whole + 1, "0123456789");
		if (frac == 0 || frac > 2)
			return false;
		return s[whole + 1 + frac] == '\0';
	}
	return s[whole] == '\0';
}

/* A small whole number in [lo, 50]. */
static bool
count_valid(const char *s, long lo)
{
	char *end = NULL;
	long v;

	if (!s || *s < '0' || *s > '9')
		return false;
	v = strtol(s, &end, 10);
	return *end == '\0' && v >= lo && v <= 50;
}

void
st_property_release(struct st_property *p)
{
	char **s[] = { &p->id, &p->codigo, &p->titulo, &p->descripcion,
		       &p->precio, &p->moneda, &p->operacion, &p->tipo,
		       &p->zona, &p->direccion, &p->ambientes,
		       &p->dormitorios, &p->banos, &p->superficie, &p->url,
		       &p->estado, &p->publicado_at, &p->created_at,
		       &p->updated_at };

	if (!p)
		return;
	for (size_t i = 0; i < ST_ARRAY_SIZE(s); i++)
		free(*s[i]);
	memset(p, 0, sizeof(*p));
}

void
st_property_list_release(struct st_property_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		st_property_release(&l->items[i]);
	free(l->items);
	free(l->next);
	memset(l, 0, sizeof(*l));
}

static void
property_from_row(struct st_property *p, const PGresult *res, int r)
{
	char **s[] = { &p->id, &p->codigo, &p->titulo, &p->descripcion,
		       &p->precio, &p->moneda, &p->operacion, &p->tipo,
		       &p->zona, &p->direccion, &p->ambientes,
		       &p->dormitorios, &p->banos, &p->superficie, &p->url,
		       &p->estado, &p->publicado_at, &p->created_at,
		       &p->updated_at };

	for (size_t i = 0; i < ST_ARRAY_SIZE(s); i++)
		*s[i] = st_db_dup(res, r, (int)i);
}

/*
 * Check one given field, writing its canonical form to *v (enumerations
 * upper-cased). required: an empty value is refused.
 */
static int
check_field(int i, const char **v, bool required, struct st_error *err)
{
	const char *name = field_names[i];
	const char *canon;

	if (!*v || (**v == '\0' && !required))
		return 0;
	if (**v == '\0') {
		st_error_set(err, ST_EINVAL, "%s must not be empty", name);
		return -1;
	}
	if (enum_find(name)) {
		canon = st_property_enum_canon(name, *v);
		if (!canon) {
			st_error_set(err, ST_EINVAL, "invalid %s \"%s\"", name,
				     *v);
			st_error_hint(err, "Valid values: %s (any case).",
				      st_property_enum_values(name));
			return -1;
		}
		*v = canon;
	} else if ((i == F_PRECIO || i == F_SUPERFICIE) &&
		   !st_property_number_valid(*v)) {
		st_error_set(err, ST_EINVAL, "invalid %s \"%s\"", name, *v);
		st_error_hint(err, "A plain number with at most two decimals, "
			      "such as 150000 or 72.5 (no thousands "
			      "separators).");
		return -1;
	} else if ((i == F_AMBIENTES || i == F_DORMITORIOS || i == F_BANOS) &&
		   !count_valid(*v, i == F_AMBIENTES ? 1 : 0)) {
		st_error_set(err, ST_EINVAL, "invalid %s \"%s\"", name, *v);
		st_error_hint(err, "A whole number from %d to 50.",
			      i == F_AMBIENTES ? 1 : 0);
		return -1;
	}
	return 0;
}

/* Validate f into v[] (canonical values); creating: titulo etc. needed. */
static int
check_fields(const struct st_property_fields *f, const char **v,
	     bool creating, struct st_error *err)
{
	const char *in[NFIELDS] = { f->codigo, f->titulo, f->descripcion,
		f->precio, f->moneda, f->operacion, f->tipo, f->zona,
		f->direccion, f->ambientes, f->dormitorios, f->banos,
		f->superficie, f->url, f->estado };

	for (int i = 0; i < NFIELDS; i++) {
		bool required = i == F_TITULO || i == F_MONEDA ||
				i == F_OPERACION || i == F_TIPO ||
				i == F_ESTADO;

		v[i] = in[i];
		if (creating && !v[i] && (i == F_TITULO || i == F_OPERACION ||
					  i == F_TIPO)) {
			st_error_set(err, ST_EINVAL, "a property needs %s",
				     field_names[i]);
			return -1;
		}
		if (check_field(i, &v[i], required, err) < 0)
			return -1;
	}
	return 0;
}

/* A refused write, said in terms of who may make it. */
static void
explain_denied(struct st_error *err, const char *what)
{
	if (!err || err->code != ST_EPERM)
		return;
	st_error_set(err, ST_EPERM, "permission denied to %s a property", what);
	st_error_detail(err, "Only tenant admins change the property "
			"catalogue; agents may list, show and match "
			"properties.");
	st_error_hint(err, "Ask a tenant admin, or log in as one.");
}

/* A failed create or update: a taken codigo or a refusal said plainly. */
static void
explain_write(struct st_error *err, const struct st_property_fields *f,
	      const char *what)
{
	if (err && err->code == ST_EEXIST)
		st_error_set(err, ST_EEXIST, "property codigo \"%s\" is taken",
			     f->codigo);
	explain_denied(err, what);
}

char *
st_property_resolve(struct st_db *db, const char *tenant_id, const char *ref,
		    struct st_error *err)
{
	PGresult *res = NULL;
	char *id = NULL;

	res = st_db_query(db, "SELECT id FROM strato.property"
			  " WHERE tenant_id = $1 AND (id = $2 OR codigo = $2)"
			  " ORDER BY id = $2 DESC LIMIT 1", 2,
			  (const char *const[]){ tenant_id, ref }, err);
	if (!res)
		return NULL;
	if (PQntuples(res) == 0)
		st_error_set(err, ST_ENOTFOUND, "property \"%s\" does not exist",
			     ref);
	else
		id = st_db_dup(res, 0, 0);
	PQclear(res);
	return id;
}

int
st_property_fetch(struct st_db *db, const char *tenant_id, const char *ref,
		  struct st_property *out, struct st_error *err)
{
	PGresult *res = NULL;
	char *id = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	id = st_property_resolve(db, tenant_id, ref, err);
	if (!id)
		return -1;
	res = st_db_query(db, "SELECT " PROPERTY_COLS
			  " WHERE p.tenant_id = $1 AND p.id = $2", 2,
			  (const char *const[]){ tenant_id, id }, err);
	if (res && PQntuples(res) == 1) {
		property_from_row(out, res, 0);
		ret = 0;
	} else if (res) {
		st_error_set(err, ST_ENOTFOUND, "property \"%s\" does not exist",
			     ref);
	}
	PQclear(res);
	free(id);
	return ret;
}

int
st_property_get(struct st_db *db, const char *tenant_id, const char *ref,
		struct st_property *out, struct st_error *err)
{
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (st_property_fetch(db, tenant_id, ref, out, err) < 0 ||
	    st_tenant_commit(db, err) < 0) {
		st_tenant_rollback(db);
		st_property_release(out);
		return -1;
	}
	return 0;
}

/* Split a "created_at|id" cursor into ts (a buffer of n bytes) and *id. */
static int
split_cursor(const char *after, char *ts, size_t n, const char **id,
	     struct st_error *err)
{
	const char *bar = after ? strchr(after, '|') : NULL;

	if (!bar || bar == after || (size_t)(bar - after) >= n) {
		st_error_set(err, ST_EINVAL, "invalid page cursor \"%s\"",
			     after ? after : "");
		st_error_hint(err, "Use the --after value a previous page "
			      "printed.");
		return -1;
	}
	memcpy(ts, after, (size_t)(bar - after));
	ts[bar - after] = '\0';
	*id = bar + 1;
	return 0;
}

/* Validate the filter's enumerations and numbers into v[]. */
static int
check_filter(const struct st_property_filter *f, const char **v,
	     struct st_error *err)
{
	const char *names[] = { "operacion", "tipo", "moneda", "estado" };
	const char *vals[] = { f->operacion, f->tipo, f->moneda, f->estado };
	const char *nums[] = { f->precio_min, f->precio_max };

	for (size_t i = 0; i < ST_ARRAY_SIZE(names); i++) {
		v[i] = vals[i] ? st_property_enum_canon(names[i], vals[i])
			       : NULL;
		if (vals[i] && !v[i]) {
			st_error_set(err, ST_EINVAL, "invalid %s \"%s\"",
				     names[i], vals[i]);
			st_error_hint(err, "Valid values: %s (any case).",
				      st_property_enum_values(names[i]));
			return -1;
		}
	}
	for (size_t i = 0; i < ST_ARRAY_SIZE(nums); i++)
		if (nums[i] && !st_property_number_valid(nums[i])) {
			st_error_set(err, ST_EINVAL, "invalid %s \"%s\"",
				     i ? "precio-max" : "precio-min", nums[i]);
			return -1;
		}
	if (f->ambientes && !count_valid(f->ambientes, 1)) {
		st_error_set(err, ST_EINVAL, "invalid ambientes \"%s\"",
			     f->ambientes);
		return -1;
	}
	return 0;
}

/*
 * A page of properties, newest first, keyset-paged on (created_at, id)
 * like leads (index property_browse).
 */
int
st_property_list(struct st_db *db, const char *tenant_id,
		 const struct st_property_filter *f,
		 struct st_property_list *out, struct st_error *err)
{
	char limit[16], ts[64] = "";
	const char *v[4], *after_ts = NULL, *after_id = NULL;
	PGresult *res = NULL;
	int lim = f->limit > 0 ? (f->limit > 1000 ? 1000 : f->limit) : 50;
	int n, ret = -1;

	memset(out, 0, sizeof(*out));
	if (check_filter(f, v, err) < 0)
		return -1;
	if (f->after) {
		if (split_cursor(f->after, ts, sizeof(ts), &after_id, err) < 0)
			return -1;
		after_ts = ts;
	}
	snprintf(limit, sizeof(limit), "%d", lim + 1);
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT " PROPERTY_COLS
		" WHERE p.tenant_id = $1"
		" AND ($2::text IS NULL OR p.operacion = $2)"
		" AND ($3::text IS NULL OR p.tipo = $3)"
		" AND ($4::text IS NULL OR p.moneda = $4)"
		" AND ($5::text IS NULL OR p.estado = $5)"
		" AND ($6::text IS NULL OR p.zona_norm"
		"   = strato.f_unaccent(lower(btrim($6))))"
		" AND ($7::numeric IS NULL OR p.precio >= $7::numeric)"
		" AND ($8::numeric IS NULL OR p.precio <= $8::numeric)"
		" AND ($9::smallint IS NULL OR p.ambientes = $9::smallint)"
		" AND ($10::timestamptz IS NULL OR (p.created_at, p.id) <"
		"   ($10::timestamptz, $11::text))"
		" ORDER BY p.created_at DESC, p.id DESC LIMIT $12::int", 12,
		(const char *const[]){ tenant_id, v[0], v[1], v[2], v[3],
				       f->zona, f->precio_min, f->precio_max,
				       f->ambientes, after_ts, after_id,
				       limit }, err);
	if (!res)
		goto cleanup;
	n = PQntuples(res);
	if (n > lim) {
		n = lim; /* one more than asked: there is a next page */
		out->next = st_xasprintf("%s|%s",
					 PQgetvalue(res, n - 1, COL_CREATED),
					 PQgetvalue(res, n - 1, 0));
	}
	out->items = st_xcalloc(n ? (size_t)n : 1, sizeof(*out->items));
	for (int i = 0; i < n; i++)
		property_from_row(&out->items[i], res, i);
	out->n = (size_t)n;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_property_list_release(out);
	}
	PQclear(res);
	return ret;
}

/* A property write audited; no row is a property that does not exist. */
static int
property_write(struct st_db *db, const char *tenant_id, const char *action,
	       const char *sql, int nparams, const char *const *params,
	       char **id_out, struct st_error *err)
{
	int n = st_audit_rows(db, tenant_id, action, "property", sql, nparams,
			      params, id_out, NULL, err);

	if (n == 0)
		st_error_set(err, ST_ENOTFOUND, "property \"%s\" does not exist",
			     params[1]);
	return n > 0 ? 0 : -1;
}

/*
 * Create a property with its audit row (the diff of nothing to the new
 * row). Defaults: moneda USD, estado DISPONIBLE, publicado_at now.
 */
int
st_property_create(struct st_db *db, const char *tenant_id,
		   const struct st_property_fields *f, struct st_property *out,
		   struct st_error *err)
{
	const char *v[NFIELDS + 1];
	char *id = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (check_fields(f, v + 1, true, err) < 0)
		return -1;
	v[0] = tenant_id;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (property_write(db, tenant_id, "property.create",
		"WITH n AS (INSERT INTO strato.property (tenant_id, codigo,"
		"  titulo, descripcion, precio, moneda, operacion, tipo, zona,"
		"  direccion, ambientes, dormitorios, banos, superficie_m2, url,"
		"  estado) VALUES ($1, nullif(btrim($2), ''), btrim($3),"
		"  nullif($4, ''), nullif($5, '')::numeric,"
		"  coalesce(nullif($6, ''), 'USD'), $7, $8,"
		"  nullif(btrim($9), ''), nullif($10, ''),"
		"  nullif($11, '')::smallint, nullif($12, '')::smallint,"
		"  nullif($13, '')::smallint, nullif($14, '')::numeric,"
		"  nullif($15, ''), coalesce(nullif($16, ''), 'DISPONIBLE'))"
		"  RETURNING *)"
		" SELECT n.id,"
		"  strato.jsonb_diff(NULL, to_jsonb(n) - " DERIVED ")::text"
		" FROM n",
		NFIELDS + 1, v, &id, err) < 0)
		goto cleanup;
	if (st_property_fetch(db, tenant_id, id, out, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_property_release(out);
		explain_write(err, f, "create");
	}
	free(id);
	return ret;
}

/* col = the new value when given ($n not NULL), else what it was. */
#define SET(col, n, expr) \
	" " col " = CASE WHEN $" #n "::text IS NULL THEN p." col \
	" ELSE " expr " END"

int
st_property_update(struct st_db *db, const char *tenant_id, const char *ref,
		   const struct st_property_fields *f, struct st_property *out,
		   struct st_error *err)
{
	const char *v[NFIELDS + 2];
	char *id = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (check_fields(f, v + 2, false, err) < 0)
		return -1;
	v[0] = tenant_id;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	v[1] = id = st_property_resolve(db, tenant_id, ref, err);
	if (!id)
		goto cleanup;
	if (property_write(db, tenant_id, "property.update",
		"WITH o AS (SELECT * FROM strato.property"
		"  WHERE tenant_id = $1 AND id = $2 FOR UPDATE),"
		" n AS (UPDATE strato.property p SET"
		SET("codigo", 3, "nullif(btrim($3), '')") ","
		SET("titulo", 4, "btrim($4)") ","
		SET("descripcion", 5, "nullif($5, '')") ","
		SET("precio", 6, "nullif($6, '')::numeric") ","
		SET("moneda", 7, "$7") ","
		SET("operacion", 8, "$8") ","
		SET("tipo", 9, "$9") ","
		SET("zona", 10, "nullif(btrim($10), '')") ","
		SET("direccion", 11, "nullif($11, '')") ","
		SET("ambientes", 12, "nullif($12, '')::smallint") ","
		SET("dormitorios", 13, "nullif($13, '')::smallint") ","
		SET("banos", 14, "nullif($14, '')::smallint") ","
		SET("superficie_m2", 15, "nullif($15, '')::numeric") ","
		SET("url", 16, "nullif($16, '')") ","
		SET("estado", 17, "$17")
		"  FROM o WHERE p.tenant_id = o.tenant_id AND p.id = o.id"
		"  RETURNING p.*)"
		" SELECT n.id, strato.jsonb_diff(to_jsonb(o) - " DERIVED ","
		"  to_jsonb(n) - " DERIVED ")::text"
		" FROM o JOIN n USING (tenant_id, id)",
		NFIELDS + 2, v, &id, err) < 0)
		goto cleanup;
	if (st_property_fetch(db, tenant_id, id, out, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_property_release(out);
		explain_write(err, f, "update");
	}
	free((char *)v[1]);
	if (id != v[1])
		free(id);
	return ret;
}

int
st_property_delete(struct st_db *db, const char *tenant_id, const char *ref,
		   struct st_error *err)
{
	const char *v[2] = { tenant_id, NULL };
	char *id = NULL;
	int ret = -1;

	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	v[1] = st_property_resolve(db, tenant_id, ref, err);
	if (!v[1])
		goto cleanup;
	if (property_write(db, tenant_id, "property.delete",
		"WITH d AS (DELETE FROM strato.property"
		"  WHERE tenant_id = $1 AND id = $2 RETURNING *)"
		" SELECT d.id,"
		"  strato.jsonb_diff(to_jsonb(d) - " DERIVED ", NULL)::text"
		" FROM d",
		2, v, &id, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		explain_denied(err, "delete");
	}
	free((char *)v[1]);
	free(id);
	return ret;
}
