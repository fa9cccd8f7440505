/*
 * assistant.c - the tenant's assistant: listing, creating, editing, and
 * keeping one active.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db-internal.h"
#include "strato/assistant.h"
#include "strato/audit.h"
#include "strato/tenant.h"

#define ASSISTANT_FIELDS \
	"a.id, a.nombre, a.prompt, a.config::text, a.config ->> 'greeting'," \
	" (a.config -> 'ranking')::text, a.voice_id, a.is_active, " \
	ST_SQL_TS("a.created_at") ", " ST_SQL_TS("a.updated_at")

static const char *const weight_keys[] = {
	"zona", "precio", "ambientes", "recencia",
};

/*
 * Free an assistant's strings and zero it; NULL is fine.
 */
void
st_assistant_release(struct st_assistant *a)
{
	char **s[] = { &a->id, &a->nombre, &a->prompt, &a->config,
		       &a->greeting, &a->ranking, &a->voice_id,
		       &a->created_at, &a->updated_at };

	if (!a)
		return;
	for (size_t i = 0; i < ST_ARRAY_SIZE(s); i++)
		free(*s[i]);
	memset(a, 0, sizeof(*a));
}

/*
 * Free every assistant of a list and the list's array.
 */
void
st_assistant_list_release(struct st_assistant_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		st_assistant_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void
assistant_from_row(struct st_assistant *a, const PGresult *res, int r)
{
	char **s[] = { &a->id, &a->nombre, &a->prompt, &a->config,
		       &a->greeting, &a->ranking, &a->voice_id };

	for (size_t i = 0; i < ST_ARRAY_SIZE(s); i++)
		*s[i] = st_db_dup(res, r, (int)i);
	a->is_active = st_db_bool(res, r, 7);
	a->created_at = st_db_dup(res, r, 8);
	a->updated_at = st_db_dup(res, r, 9);
}

/* One "key=number" item of a weights list into o. */
static int
weight_item(json_t *o, const char *item, size_t n, struct st_error *err)
{
	const char *eq = memchr(item, '=', n);
	size_t klen = eq ? (size_t)(eq - item) : n;
	char num[64];
	char *end;
	double v;

	for (size_t i = 0; i < ST_ARRAY_SIZE(weight_keys); i++) {
		if (strlen(weight_keys[i]) != klen ||
		    strncmp(weight_keys[i], item, klen) != 0)
			continue;
		if (!eq || (size_t)(n - klen - 1) >= sizeof(num))
			break;
		memcpy(num, eq + 1, n - klen - 1);
		num[n - klen - 1] = '\0';
		v = strtod(num, &end);
		if (end == num || *end || !isfinite(v) || v < 0) {
			st_error_set(err, ST_EINVAL, "weight %s: \"%s\" is not "
				     "a number of 0 or more", weight_keys[i],
				     num);
			return -1;
		}
		json_object_set_new(o, weight_keys[i], json_real(v));
		return 0;
	}
	st_error_set(err, ST_EINVAL, "invalid weight \"%.*s\"", (int)n, item);
	st_error_hint(err, "Write key=number with the keys zona, precio, "
		      "ambientes and recencia.");
	return -1;
}

/*
 * Parse a weights list item by item; empty items are skipped, a key
 * given twice keeps its last value.
 */
char *
st_assistant_weights_parse(const char *s, struct st_error *err)
{
	json_t *o = json_object();
	char *out = NULL;

	while (*s) {
		size_t n = strcspn(s, ",");

		if (n > 0 && weight_item(o, s, n, err) < 0)
			goto cleanup;
		s += n;
		if (*s == ',')
			s++;
	}
	if (json_object_size(o) == 0) {
		st_error_set(err, ST_EINVAL, "no weights given");
		goto cleanup;
	}
	out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
			 JSON_REAL_PRECISION(15));
cleanup:
	json_decref(o);
	return out;
}

static int
require_admin(struct st_db *db, struct st_error *err)
{
	if (st_db_is_service(db) || st_db_is_tenant_admin(db))
		return 0;
	st_error_set(err, ST_EPERM, "permission denied to change the "
		     "assistant");
	st_error_detail(err, "Login \"%s\" is not a tenant admin; agents may "
			"only look.", st_db_login(db));
	return -1;
}

/*
 * List the tenant's assistants, the active one first.
 */
int
st_assistant_list(struct st_db *db, const char *tenant_id,
		  struct st_assistant_list *out, struct st_error *err)
{
	PGresult *res = NULL;
	int ret = -1, n;

	memset(out, 0, sizeof(*out));
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT " ASSISTANT_FIELDS
			  " FROM strato.assistant a WHERE a.tenant_id = $1"
			  " ORDER BY a.is_active DESC, a.nombre, a.id", 1,
			  &tenant_id, err);
	if (!res)
		goto cleanup;
	n = PQntuples(res);
	out->items = st_xcalloc(n ? (size_t)n : 1, sizeof(*out->items));
	for (int i = 0; i < n; i++)
		assistant_from_row(&out->items[i], res, i);
	out->n = (size_t)n;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_assistant_list_release(out);
	}
	PQclear(res);
	return ret;
}

/* Find by id or nombre in the transaction; *json is the row as JSON. */
static int
find(struct st_db *db, const char *tenant_id, const char *ref,
     struct st_assistant *out, char **json, struct st_error *err)
{
	PGresult *res = st_db_query(db, "SELECT " ASSISTANT_FIELDS ","
		" to_jsonb(a)::text FROM strato.assistant a"
		" WHERE a.tenant_id = $1 AND (a.id = $2 OR a.nombre = $2)"
		" ORDER BY a.id = $2 DESC", 2,
		(const char *const[]){ tenant_id, ref }, err);
	int n, ret = -1;

	if (!res)
		return -1;
	n = PQntuples(res);
	if (n == 0) {
		st_error_set(err, ST_ENOTFOUND, "assistant \"%s\" does not "
			     "exist", ref);
	} else if (n > 1 && strcmp(PQgetvalue(res, 0, 0), ref) != 0) {
		st_error_set(err, ST_EINVAL, "%d assistants are named \"%s\"",
			     n, ref);
		st_error_hint(err, "Name it by id (see \"strato assistant "
			      "list --json\").");
	} else {
		assistant_from_row(out, res, 0);
		if (json)
			*json = st_db_dup(res, 0, 10);
		ret = 0;
	}
	PQclear(res);
	return ret;
}

/*
 * Read one assistant by id or name in its own transaction.
 */
int
st_assistant_get(struct st_db *db, const char *tenant_id, const char *ref,
		 struct st_assistant *out, struct st_error *err)
{
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (find(db, tenant_id, ref, out, NULL, err) == 0)
		ret = st_tenant_commit(db, err);
	if (ret < 0) {
		st_tenant_rollback(db);
		st_assistant_release(out);
	}
	return ret;
}

/*
 * Serialise changes to which assistant is active in the tenant, then,
 * when make_active, deactivate every active one but keep_id (NULL: all),
 * auditing each.
 */
static int
settle_active(struct st_db *db, const char *tenant_id, const char *keep_id,
	      bool make_active, struct st_error *err)
{
	PGresult *res = NULL;
	int ret = -1;

	if (st_db_run(db, "SELECT pg_advisory_xact_lock("
		      "hashtext('strato.assistant'), hashtext($1))", 1,
		      &tenant_id, err) < 0)
		return -1;
	if (!make_active)
		return 0;
	res = st_db_query(db, "UPDATE strato.assistant a SET is_active = false"
		" FROM (SELECT x.id, to_jsonb(x) AS j FROM strato.assistant x"
		"  WHERE x.tenant_id = $1 AND x.is_active"
		"  AND x.id IS DISTINCT FROM $2 FOR UPDATE) o"
		" WHERE a.tenant_id = $1 AND a.id = o.id"
		" RETURNING a.id, strato.jsonb_diff(o.j, to_jsonb(a))::text", 2,
		(const char *const[]){ tenant_id, keep_id }, err);
	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++)
		if (st_audit_add(db, tenant_id, "assistant.deactivate",
				 "assistant", PQgetvalue(res, i, 0),
				 PQgetvalue(res, i, 1), err) < 0)
			goto cleanup;
	ret = 0;
cleanup:
	PQclear(res);
	return ret;
}

/* Check a spec; *weights is the parsed ranking (a new string) or NULL. */
static int
check_spec(const struct st_assistant_spec *spec, bool create, char **weights,
	   struct st_error *err)
{
	*weights = NULL;
	if ((create && !spec->nombre) ||
	    (spec->nombre && !*(spec->nombre + strspn(spec->nombre, " \t")))) {
		st_error_set(err, ST_EINVAL, "assistant name must not be "
			     "empty");
		return -1;
	}
	if (spec->weights &&
	    !(*weights = st_assistant_weights_parse(spec->weights, err)))
		return -1;
	return 0;
}

/* Audit a written row (id, diff in res) and read it back into out. */
static int
written(struct st_db *db, const char *tenant_id, const char *action,
	PGresult *res, struct st_assistant *out, struct st_error *err)
{
	char *id = st_db_dup(res, 0, 0);
	int ret = -1;

	st_assistant_release(out);
	if (st_audit_add(db, tenant_id, action, "assistant", id,
			 PQgetvalue(res, 0, 1), err) == 0)
		ret = find(db, tenant_id, id, out, NULL, err);
	free(id);
	return ret;
}

/*
 * Create an assistant. With --active the others are deactivated first;
 * without, it is active only when the tenant has no active one.
 */
int
st_assistant_create(struct st_db *db, const char *tenant_id,
		    const struct st_assistant_spec *spec,
		    struct st_assistant *out, struct st_error *err)
{
	const char *active = spec->active < 0 ? NULL
			     : spec->active ? "t" : "f";
	char *weights = NULL;
	PGresult *res = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (require_admin(db, err) < 0 ||
	    check_spec(spec, true, &weights, err) < 0)
		return -1;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		goto cleanup;
	if (settle_active(db, tenant_id, NULL, spec->active == 1, err) < 0)
		goto cleanup;
	res = st_db_query(db, "INSERT INTO strato.assistant AS a"
		" (tenant_id, nombre, prompt, config, voice_id, is_active)"
		" VALUES ($1, btrim($2), $3, jsonb_strip_nulls("
		"  jsonb_build_object('greeting', $4::text,"
		"  'ranking', $5::jsonb)), nullif($6, ''),"
		" coalesce($7::boolean, NOT EXISTS (SELECT 1 FROM"
		"  strato.assistant x WHERE x.tenant_id = $1 AND x.is_active)))"
		" RETURNING a.id,"
		" strato.jsonb_diff(NULL, to_jsonb(a))::text", 7,
		(const char *const[]){ tenant_id, spec->nombre, spec->prompt,
				       spec->greeting, weights, spec->voice_id,
				       active }, err);
	if (!res || written(db, tenant_id, "assistant.create", res, out,
			    err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_assistant_release(out);
	}
	PQclear(res);
	free(weights);
	return ret;
}

/*
 * Change an assistant: greeting and weights merge into config, the rest
 * replaces; making it active deactivates the others.
 */
int
st_assistant_update(struct st_db *db, const char *tenant_id, const char *ref,
		    const struct st_assistant_spec *spec,
		    struct st_assistant *out, struct st_error *err)
{
	const char *active = spec->active < 0 ? NULL
			     : spec->active ? "t" : "f";
	char *weights = NULL, *json = NULL;
	PGresult *res = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (require_admin(db, err) < 0 ||
	    check_spec(spec, false, &weights, err) < 0)
		return -1;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		goto cleanup;
	if (find(db, tenant_id, ref, out, &json, err) < 0 ||
	    settle_active(db, tenant_id, out->id, spec->active == 1, err) < 0)
		goto cleanup;
	res = st_db_query(db, "UPDATE strato.assistant a SET"
		" nombre = coalesce(btrim($3), nombre),"
		" prompt = coalesce($4, prompt),"
		" config = CASE WHEN $5::text IS NULL AND $6::jsonb IS NULL"
		"  THEN config ELSE coalesce(config, '{}')"
		"  || jsonb_strip_nulls(jsonb_build_object('greeting',"
		"   $5::text))"
		"  || CASE WHEN $6::jsonb IS NULL THEN '{}'::jsonb ELSE"
		"   jsonb_build_object('ranking', CASE WHEN jsonb_typeof("
		"    config -> 'ranking') = 'object' THEN config -> 'ranking'"
		"    ELSE '{}' END || $6::jsonb) END END,"
		" voice_id = CASE WHEN $7::text IS NULL THEN voice_id"
		"  ELSE nullif($7, '') END,"
		" is_active = coalesce($8::boolean, is_active)"
		" WHERE tenant_id = $1 AND id = $2"
		" RETURNING a.id,"
		" strato.jsonb_diff($9::jsonb, to_jsonb(a))::text",
		9, (const char *const[]){ tenant_id, out->id, spec->nombre,
					  spec->prompt, spec->greeting, weights,
					  spec->voice_id, active, json }, err);
	if (!res || written(db, tenant_id, "assistant.update", res, out,
			    err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_assistant_release(out);
	}
	PQclear(res);
	free(weights);
	free(json);
	return ret;
}
