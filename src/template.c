/*
 * template.c - WhatsApp templates: checking, listing, creating, editing.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db-internal.h"
#include "strato/audit.h"
#include "strato/template.h"
#include "strato/tenant.h"

#define TEMPLATE_FIELDS \
	"id, nombre, idioma, categoria, contenido, variables::text, estado, " \
	ST_SQL_TS("created_at") ", " ST_SQL_TS("updated_at")
#define TEMPLATE_COLS TEMPLATE_FIELDS " FROM strato.whatsapp_template"

#define VARS_MAX 64

/*
 * Free a template's strings and zero it; NULL is fine.
 */
void
st_template_release(struct st_template *t)
{
	char **s[] = { &t->id, &t->nombre, &t->idioma, &t->categoria,
		       &t->contenido, &t->variables, &t->estado,
		       &t->created_at, &t->updated_at };

	if (!t)
		return;
	for (size_t i = 0; i < ST_ARRAY_SIZE(s); i++)
		free(*s[i]);
	memset(t, 0, sizeof(*t));
}

/*
 * Free every template of a list and the list's array.
 */
void
st_template_list_release(struct st_template_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		st_template_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void
template_from_row(struct st_template *t, const PGresult *res, int r)
{
	char **s[] = { &t->id, &t->nombre, &t->idioma, &t->categoria,
		       &t->contenido, &t->variables, &t->estado,
		       &t->created_at, &t->updated_at };

	for (size_t i = 0; i < ST_ARRAY_SIZE(s); i++)
		*s[i] = st_db_dup(res, r, (int)i);
}

/*
 * Every "{{...}}" of contenido must be a number from 1 to VARS_MAX; the
 * numbers used must be exactly 1..N.
 */
int
st_template_var_count(const char *contenido)
{
	bool seen[VARS_MAX + 1] = { false };
	const char *p = contenido;
	int max = 0;

	while ((p = strstr(p, "{{")) != NULL) {
		const char *close = strstr(p + 2, "}}");
		char *end;
		long n;

		if (!close || !isdigit((unsigned char)p[2]))
			return -1;
		n = strtol(p + 2, &end, 10);
		if (end != close || n < 1 || n > VARS_MAX)
			return -1;
		seen[n] = true;
		if (n > max)
			max = (int)n;
		p = close + 2;
	}
	for (int i = 1; i <= max; i++)
		if (!seen[i])
			return -1;
	return max;
}

static int
require_admin(struct st_db *db, struct st_error *err)
{
	if (st_db_is_service(db) || st_db_is_tenant_admin(db))
		return 0;
	st_error_set(err, ST_EPERM, "permission denied to change WhatsApp "
		     "templates");
	st_error_detail(err, "Login \"%s\" is not a tenant admin; agents may "
			"only look.", st_db_login(db));
	return -1;
}

static const char *
parse_categoria(const char *s, struct st_error *err)
{
	static const char *const cats[] = {
		"MARKETING", "UTILITY", "AUTHENTICATION",
	};

	for (size_t i = 0; i < ST_ARRAY_SIZE(cats); i++)
		if (st_str_ieq(s, cats[i]))
			return cats[i];
	st_error_set(err, ST_EINVAL, "invalid categoria \"%s\"", s);
	st_error_hint(err, "Use MARKETING, UTILITY or AUTHENTICATION.");
	return NULL;
}

static bool
nombre_valid(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 512 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* "es_AR", "en", "pt_BR": a language and an optional region. */
static bool
idioma_valid(const char *s)
{
	size_t n = strlen(s);

	if (n != 2 && n != 5)
		return false;
	if (!islower((unsigned char)s[0]) || !islower((unsigned char)s[1]))
		return false;
	return n == 2 || (s[2] == '_' && isupper((unsigned char)s[3]) &&
			  isupper((unsigned char)s[4]));
}

/* contenido and variables, as they will be after the change. */
static int
check_body(const char *contenido, const char *variables, struct st_error *err)
{
	json_t *j = NULL;
	size_t i;
	json_t *v;
	int n = st_template_var_count(contenido);
	int ret = -1;

	if (!*contenido) {
		st_error_set(err, ST_EINVAL, "contenido must not be empty");
		return -1;
	}
	if (n < 0) {
		st_error_set(err, ST_EINVAL, "contenido: variables must be "
			     "numbered {{1}}, {{2}}, ... without gaps");
		return -1;
	}
	if (!variables)
		return 0;
	j = json_loads(variables, 0, NULL);
	if (!json_is_array(j)) {
		st_error_set(err, ST_EINVAL, "variables: must be a JSON array "
			     "of strings, one example per variable");
		goto cleanup;
	}
	json_array_foreach(j, i, v) {
		if (!json_is_string(v)) {
			st_error_set(err, ST_EINVAL, "variables[%zu]: must "
				     "be a string", i);
			goto cleanup;
		}
	}
	if (json_array_size(j) != (size_t)n) {
		st_error_set(err, ST_EINVAL, "variables: %zu given, but the "
			     "contenido uses %d", json_array_size(j), n);
		goto cleanup;
	}
	ret = 0;
cleanup:
	json_decref(j);
	return ret;
}

static int
check_spec(const struct st_template_spec *s, struct st_error *err)
{
	if (s->nombre && !nombre_valid(s->nombre)) {
		st_error_set(err, ST_EINVAL, "invalid template nombre \"%s\"",
			     s->nombre);
		st_error_hint(err, "Use a-z, 0-9 and _ (Meta's rule).");
		return -1;
	}
	if (s->idioma && !idioma_valid(s->idioma)) {
		st_error_set(err, ST_EINVAL, "invalid idioma \"%s\"",
			     s->idioma);
		st_error_hint(err, "Use a language and region: es_AR, en_US, "
			      "pt_BR.");
		return -1;
	}
	return 0;
}

/*
 * List the tenant's templates by name and language.
 */
int
st_template_list(struct st_db *db, const char *tenant_id,
		 struct st_template_list *out, struct st_error *err)
{
	PGresult *res = NULL;
	int ret = -1, n;

	memset(out, 0, sizeof(*out));
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT " TEMPLATE_COLS " WHERE tenant_id = $1"
			  " ORDER BY nombre, idioma", 1, &tenant_id, err);
	if (!res)
		goto cleanup;
	n = PQntuples(res);
	out->items = st_xcalloc(n ? (size_t)n : 1, sizeof(*out->items));
	for (int i = 0; i < n; i++)
		template_from_row(&out->items[i], res, i);
	out->n = (size_t)n;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_template_list_release(out);
	}
	PQclear(res);
	return ret;
}

/*
 * Find a template by id or nombre (and idioma) in the current
 * transaction, locked when lock. *json, when asked, is the row as JSON.
 */
static int
find(struct st_db *db, const char *tenant_id, const char *ref,
     const char *idioma, bool lock, struct st_template *out, char **json,
     struct st_error *err)
{
	PGresult *res = st_db_query(db, lock ?
		"SELECT " TEMPLATE_FIELDS ", to_jsonb(t)::text"
		" FROM strato.whatsapp_template t WHERE tenant_id = $1"
		" AND (id = $2 OR (nombre = $2 AND ($3::text IS NULL"
		" OR idioma = $3))) ORDER BY id = $2 DESC, idioma FOR UPDATE" :
		"SELECT " TEMPLATE_FIELDS ", to_jsonb(t)::text"
		" FROM strato.whatsapp_template t WHERE tenant_id = $1"
		" AND (id = $2 OR (nombre = $2 AND ($3::text IS NULL"
		" OR idioma = $3))) ORDER BY id = $2 DESC, idioma", 3,
		(const char *const[]){ tenant_id, ref, idioma }, err);
	int n, ret = -1;

	if (!res)
		return -1;
	n = PQntuples(res);
	if (n == 0) {
		st_error_set(err, ST_ENOTFOUND, "template \"%s\"%s%s%s does "
			     "not exist", ref, idioma ? " (" : "",
			     idioma ? idioma : "", idioma ? ")" : "");
	} else if (n > 1 && strcmp(PQgetvalue(res, 0, 0), ref) != 0) {
		st_error_set(err, ST_EINVAL, "template \"%s\" exists in %d "
			     "languages", ref, n);
		st_error_hint(err, "Pick one with --idioma (%s, ...).",
			      PQgetvalue(res, 0, 2));
	} else {
		template_from_row(out, res, 0);
		if (json)
			*json = st_db_dup(res, 0, 9);
		ret = 0;
	}
	PQclear(res);
	return ret;
}

/*
 * Read one template by id or name (and idioma) in its own transaction.
 */
int
st_template_get(struct st_db *db, const char *tenant_id, const char *ref,
		const char *idioma, struct st_template *out,
		struct st_error *err)
{
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (find(db, tenant_id, ref, idioma, false, out, NULL, err) == 0)
		ret = st_tenant_commit(db, err);
	if (ret < 0) {
		st_tenant_rollback(db);
		st_template_release(out);
	}
	return ret;
}

/* Run sql (returning id and the audit diff), audit, read the row back. */
static int
write_row(struct st_db *db, const char *tenant_id, const char *action,
	  const char *sql, int n, const char *const *params,
	  struct st_template *out, struct st_error *err)
{
	PGresult *res = st_db_query(db, sql, n, params, err);
	char *id = NULL;
	int ret = -1;

	if (!res) {
		if (err && err->code == ST_EEXIST)
			st_error_set(err, ST_EEXIST, "a template with that "
				     "nombre and idioma already exists");
		return -1;
	}
	id = st_db_dup(res, 0, 0);
	st_template_release(out);
	if (st_audit_add(db, tenant_id, action, "whatsapp_template", id,
			 PQgetvalue(res, 0, 1), err) == 0)
		ret = find(db, tenant_id, id, NULL, false, out, NULL, err);
	PQclear(res);
	free(id);
	return ret;
}

/*
 * Create a template (PENDING review) after checking name, language,
 * category, body and examples; audited.
 */
int
st_template_create(struct st_db *db, const char *tenant_id,
		   const struct st_template_spec *spec,
		   struct st_template *out, struct st_error *err)
{
	const char *cat = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (require_admin(db, err) < 0 || check_spec(spec, err) < 0)
		return -1;
	if (!spec->nombre || !spec->categoria || !spec->contenido) {
		st_error_set(err, ST_EINVAL, "a template needs a nombre, a "
			     "categoria and a contenido");
		return -1;
	}
	if (!(cat = parse_categoria(spec->categoria, err)) ||
	    check_body(spec->contenido, spec->variables, err) < 0)
		return -1;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (write_row(db, tenant_id, "template.create",
		      "INSERT INTO strato.whatsapp_template AS t (tenant_id,"
		      " nombre, idioma, categoria, contenido, variables)"
		      " VALUES ($1, $2, coalesce($3, 'es_AR'), $4, $5,"
		      " $6::jsonb) RETURNING t.id,"
		      " strato.jsonb_diff(NULL, to_jsonb(t))::text", 6,
		      (const char *const[]){ tenant_id, spec->nombre,
					     spec->idioma, cat, spec->contenido,
					     spec->variables }, out, err) == 0)
		ret = st_tenant_commit(db, err);
	if (ret < 0) {
		st_tenant_rollback(db);
		st_template_release(out);
	}
	return ret;
}

/*
 * Change a template under a row lock; the body and the examples are
 * checked together as they will be after the change.
 */
int
st_template_update(struct st_db *db, const char *tenant_id, const char *ref,
		   const char *idioma, const struct st_template_spec *spec,
		   struct st_template *out, struct st_error *err)
{
	const char *cat = NULL;
	char *json = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (require_admin(db, err) < 0 || check_spec(spec, err) < 0)
		return -1;
	if (spec->categoria && !(cat = parse_categoria(spec->categoria, err)))
		return -1;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (find(db, tenant_id, ref, idioma, true, out, &json, err) < 0 ||
	    check_body(spec->contenido ? spec->contenido : out->contenido,
		       spec->variables ? spec->variables : out->variables,
		       err) < 0)
		goto cleanup;
	if (write_row(db, tenant_id, "template.update",
		      "UPDATE strato.whatsapp_template t SET"
		      " nombre = coalesce($3, nombre),"
		      " categoria = coalesce($5, categoria),"
		      " contenido = coalesce($6, contenido),"
		      " variables = coalesce($7::jsonb, variables),"
		      " estado = CASE WHEN $6 IS DISTINCT FROM contenido"
		      "  AND $6 IS NOT NULL THEN 'PENDING' ELSE estado END"
		      " WHERE tenant_id = $1 AND id = $2 RETURNING t.id,"
		      " strato.jsonb_diff($4::jsonb, to_jsonb(t))::text", 7,
		      (const char *const[]){ tenant_id, out->id, spec->nombre,
					     json, cat, spec->contenido,
					     spec->variables }, out, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_template_release(out);
	}
	free(json);
	return ret;
}
