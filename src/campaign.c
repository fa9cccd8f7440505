/*
 * campaign.c - campaigns: reading, creating, editing and moving them
 * through their states (the audience and its messages: campaign-audience.c).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "campaign-internal.h"
#include "db-internal.h"
#include "strato/audit.h"
#include "strato/campaign-config.h"
#include "strato/campaign.h"
#include "strato/template.h"
#include "strato/tenant.h"

#define CAMPAIGN_COLS \
	"c.id, c.nombre, c.tipo, c.estado, c.config::text, " \
	ST_SQL_TS("c.scheduled_at") ", c.recurrence::text, " \
	ST_SQL_TS("c.started_at") ", " ST_SQL_TS("c.finished_at") ", " \
	ST_SQL_TS("c.last_run_at") ", c.last_error, u.email, " \
	ST_SQL_TS("c.created_at") ", " ST_SQL_TS("c.updated_at") \
	" FROM strato.campaign c LEFT JOIN strato.app_user u" \
	" ON u.tenant_id = c.tenant_id AND u.id = c.created_by"

static const char *const tipos[] = {
	"OPORTUNIDADES", "FIDELIZACION", "REACTIVACION", "PERSONALIZADA",
};

/* The row a change starts from, locked for the transaction. */
struct locked {
	char *id;
	char *nombre;
	char *estado;
	char *config;
	char *json; /* to_jsonb of the whole row, for the audit diff */
};

static void
locked_release(struct locked *l)
{
	free(l->id);
	free(l->nombre);
	free(l->estado);
	free(l->config);
	free(l->json);
	memset(l, 0, sizeof(*l));
}

/*
 * Free a campaign's strings and zero it; NULL is fine.
 */
void
st_campaign_release(struct st_campaign *c)
{
	char **s[] = { &c->id, &c->nombre, &c->tipo, &c->estado, &c->config,
		       &c->scheduled_at, &c->recurrence, &c->started_at,
		       &c->finished_at, &c->last_run_at, &c->last_error,
		       &c->created_by, &c->created_at, &c->updated_at };

	if (!c)
		return;
	for (size_t i = 0; i < ST_ARRAY_SIZE(s); i++)
		free(*s[i]);
	memset(c, 0, sizeof(*c));
}

/*
 * Free every campaign of a list and the list's array.
 */
void
st_campaign_list_release(struct st_campaign_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		st_campaign_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void
campaign_from_row(struct st_campaign *c, const PGresult *res, int r)
{
	char **s[] = { &c->id, &c->nombre, &c->tipo, &c->estado, &c->config,
		       &c->scheduled_at, &c->recurrence, &c->started_at,
		       &c->finished_at, &c->last_run_at, &c->last_error,
		       &c->created_by, &c->created_at, &c->updated_at };

	for (size_t i = 0; i < ST_ARRAY_SIZE(s); i++)
		*s[i] = st_db_dup(res, r, (int)i);
}

/* Changes are for tenant admins (and platform admins); say so first. */
static int
require_admin(struct st_db *db, const char *what, struct st_error *err)
{
	if (st_db_is_service(db) || st_db_is_tenant_admin(db))
		return 0;
	st_error_set(err, ST_EPERM, "permission denied to %s", what);
	st_error_detail(err, "Login \"%s\" is not a tenant admin; agents may "
			"only look.", st_db_login(db));
	st_error_hint(err, "Ask a tenant admin (strato_tenant_admin) to do "
		      "it.");
	return -1;
}

/*
 * List the tenant's campaigns by name, optionally of one estado.
 */
int
st_campaign_list(struct st_db *db, const char *tenant_id, const char *estado,
		 struct st_campaign_list *out, struct st_error *err)
{
	PGresult *res = NULL;
	int ret = -1, n;

	memset(out, 0, sizeof(*out));
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT " CAMPAIGN_COLS " WHERE c.tenant_id = $1"
			  " AND ($2::text IS NULL OR c.estado = upper($2))"
			  " ORDER BY c.nombre", 2,
			  (const char *const[]){ tenant_id, estado }, err);
	if (!res)
		goto cleanup;
	n = PQntuples(res);
	out->items = st_xcalloc(n ? (size_t)n : 1, sizeof(*out->items));
	for (int i = 0; i < n; i++)
		campaign_from_row(&out->items[i], res, i);
	out->n = (size_t)n;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_campaign_list_release(out);
	}
	PQclear(res);
	return ret;
}

/*
 * Read one campaign by id or name inside the caller's transaction;
 * ST_ENOTFOUND when there is none.
 */
int
st_campaign_read(struct st_db *db, const char *tenant_id, const char *ref,
	      struct st_campaign *out, struct st_error *err)
{
	PGresult *res = st_db_query(db, "SELECT " CAMPAIGN_COLS
		" WHERE c.tenant_id = $1 AND (c.id = $2 OR c.nombre = $2)"
		" ORDER BY c.id = $2 DESC LIMIT 1", 2,
		(const char *const[]){ tenant_id, ref }, err);
	int ret = -1;

	if (!res)
		return -1;
	if (PQntuples(res) == 0)
		st_error_set(err, ST_ENOTFOUND, "campaign \"%s\" does not "
			     "exist", ref);
	else {
		campaign_from_row(out, res, 0);
		ret = 0;
	}
	PQclear(res);
	return ret;
}

/*
 * Read one campaign by id or name in its own tenant transaction.
 */
int
st_campaign_get(struct st_db *db, const char *tenant_id, const char *ref,
		struct st_campaign *out, struct st_error *err)
{
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (st_campaign_read(db, tenant_id, ref, out, err) == 0)
		ret = st_tenant_commit(db, err);
	if (ret < 0) {
		st_tenant_rollback(db);
		st_campaign_release(out);
	}
	return ret;
}

/* Lock the campaign ref names; ST_ENOTFOUND when there is none. */
static int
lock_campaign(struct st_db *db, const char *tenant_id, const char *ref,
	      struct locked *l, struct st_error *err)
{
	PGresult *res = st_db_query(db, "SELECT c.id, c.nombre, c.estado,"
		" c.config::text, to_jsonb(c)::text FROM strato.campaign c"
		" WHERE c.tenant_id = $1 AND (c.id = $2 OR c.nombre = $2)"
		" ORDER BY c.id = $2 DESC LIMIT 1 FOR UPDATE", 2,
		(const char *const[]){ tenant_id, ref }, err);
	int ret = -1;

	memset(l, 0, sizeof(*l));
	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "campaign \"%s\" does not "
			     "exist", ref);
	} else {
		l->id = st_db_dup(res, 0, 0);
		l->nombre = st_db_dup(res, 0, 1);
		l->estado = st_db_dup(res, 0, 2);
		l->config = st_db_dup(res, 0, 3);
		l->json = st_db_dup(res, 0, 4);
		ret = 0;
	}
	PQclear(res);
	return ret;
}

/* The tipo in upper case, or NULL (ST_EINVAL) when it is none of them. */
static const char *
parse_tipo(const char *s, struct st_error *err)
{
	for (size_t i = 0; i < ST_ARRAY_SIZE(tipos); i++)
		if (st_str_ieq(s, tipos[i]))
			return tipos[i];
	st_error_set(err, ST_EINVAL, "invalid campaign tipo \"%s\"", s);
	st_error_hint(err, "Use OPORTUNIDADES, FIDELIZACION, REACTIVACION or "
		      "PERSONALIZADA.");
	return NULL;
}

/*
 * The config a spec makes of old (JSON text, NULL for a new campaign):
 * the spec's whole document if any, then its edits, checked (complete when
 * the campaign is already scheduled). A new string, or NULL with err.
 */
static char *
build_config(const char *old, const struct st_campaign_spec *spec,
	     bool complete, struct st_error *err)
{
	json_t *j = NULL;
	char *out = NULL;

	if (spec->config_json)
		j = st_campaign_config_parse(spec->config_json, "--config-file",
					     err);
	else
		j = old ? st_campaign_config_parse(old, "config", err)
			: json_object();
	if (!j)
		return NULL;
	for (size_t i = 0; i < spec->nsets; i++)
		if (st_campaign_config_set(j, spec->sets[i], err) < 0)
			goto cleanup;
	if (st_campaign_config_check(j, complete, err) < 0)
		goto cleanup;
	out = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
cleanup:
	json_decref(j);
	return out;
}

/*
 * Run the UPDATE sql of a locked campaign (it returns the audit diff),
 * write the audit row and read the campaign back into out.
 */
static int
change(struct st_db *db, const char *tenant_id, const struct locked *l,
       const char *action, const char *sql, int n, const char *const *params,
       struct st_campaign *out, struct st_error *err)
{
	PGresult *res = st_db_query(db, sql, n, params, err);
	char *diff = NULL;
	int ret = -1;

	if (!res) {
		if (err && err->code == ST_EEXIST)
			st_error_set(err, ST_EEXIST, "a campaign with that "
				     "name already exists");
		return -1;
	}
	diff = st_db_dup(res, 0, 0);
	PQclear(res);
	if (st_audit_add(db, tenant_id, action, "campaign", l->id, diff,
			 err) == 0)
		ret = st_campaign_read(db, tenant_id, l->id, out, err);
	free(diff);
	return ret;
}

/*
 * Create a DRAFT campaign: name, tipo and a config checked for shape
 * (not completeness), inserted with its audit row in one transaction.
 */
int
st_campaign_create(struct st_db *db, const char *tenant_id,
		   const struct st_campaign_spec *spec,
		   struct st_campaign *out, struct st_error *err)
{
	const char *tipo = "PERSONALIZADA";
	struct locked l;
	PGresult *res = NULL;
	char *config = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(&l, 0, sizeof(l));
	if (require_admin(db, "create campaigns", err) < 0)
		return -1;
	if (st_str_empty(spec->nombre) || !*(spec->nombre +
					     strspn(spec->nombre, " \t"))) {
		st_error_set(err, ST_EINVAL, "campaign name must not be empty");
		return -1;
	}
	if (spec->tipo && !(tipo = parse_tipo(spec->tipo, err)))
		return -1;
	if (!(config = build_config(NULL, spec, false, err)))
		return -1;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		goto cleanup;
	res = st_db_query(db, "INSERT INTO strato.campaign AS c"
		" (tenant_id, nombre, tipo, config, created_by)"
		" VALUES ($1, btrim($2), $3, $4::jsonb, (SELECT u.id FROM"
		"  strato.app_user u WHERE u.tenant_id = $1"
		"  AND u.login = session_user))"
		" RETURNING c.id,"
		" strato.jsonb_diff(NULL, to_jsonb(c))::text", 4,
		(const char *const[]){ tenant_id, spec->nombre, tipo, config },
		err);
	if (!res) {
		if (err && err->code == ST_EEXIST)
			st_error_set(err, ST_EEXIST, "campaign \"%s\" already "
				     "exists", spec->nombre);
		goto cleanup;
	}
	l.id = st_db_dup(res, 0, 0);
	if (st_audit_add(db, tenant_id, "campaign.create", "campaign", l.id,
			 PQgetvalue(res, 0, 1), err) < 0 ||
	    st_campaign_read(db, tenant_id, l.id, out, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_campaign_release(out);
	}
	PQclear(res);
	locked_release(&l);
	free(config);
	return ret;
}

static bool
one_of(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* ST_ESTATE: verb cannot take campaign l from its estado to `to`. */
static int
illegal(struct st_error *err, const char *verb, const struct locked *l,
	const char *to, const char *const *from)
{
	struct st_buf b = ST_BUF_INIT;

	if (strcmp(l->estado, to) == 0 && strcmp(verb, "schedule") != 0) {
		st_error_set(err, ST_ESTATE, "cannot %s campaign \"%s\": it is "
			     "already %s", verb, l->nombre, to);
		return -1;
	}
	for (size_t i = 0; from[i]; i++)
		st_buf_addf(&b, "%s%s", i == 0 ? "" : from[i + 1] ? ", "
			    : " or ", from[i]);
	st_error_set(err, ST_ESTATE, "cannot %s campaign \"%s\": it is %s, and "
		     "only a %s campaign can become %s", verb, l->nombre,
		     l->estado, b.data, to);
	st_buf_release(&b);
	return -1;
}

/*
 * Change a campaign under a row lock: its estado decides whether it may
 * change and whether its config must stay complete.
 */
int
st_campaign_update(struct st_db *db, const char *tenant_id, const char *ref,
		   const struct st_campaign_spec *spec,
		   struct st_campaign *out, struct st_error *err)
{
	static const char *const editable[] = {
		"DRAFT", "SCHEDULED", "PAUSED", NULL,
	};
	const char *tipo = NULL;
	struct locked l;
	char *config = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(&l, 0, sizeof(l));
	if (require_admin(db, "change campaigns", err) < 0)
		return -1;
	if (spec->nombre && !*(spec->nombre + strspn(spec->nombre, " \t"))) {
		st_error_set(err, ST_EINVAL, "campaign name must not be empty");
		return -1;
	}
	if (spec->tipo && !(tipo = parse_tipo(spec->tipo, err)))
		return -1;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (lock_campaign(db, tenant_id, ref, &l, err) < 0)
		goto cleanup;
	if (!one_of(l.estado, editable)) {
		st_error_set(err, ST_ESTATE, "cannot update campaign \"%s\": "
			     "it is %s, and only a DRAFT, SCHEDULED or PAUSED "
			     "campaign can be changed", l.nombre, l.estado);
		if (strcmp(l.estado, "RUNNING") == 0)
			st_error_hint(err, "Pause it first.");
		goto cleanup;
	}
	if ((spec->config_json || spec->nsets) &&
	    !(config = build_config(l.config, spec,
				    strcmp(l.estado, "DRAFT") != 0, err)))
		goto cleanup;
	if (change(db, tenant_id, &l, "campaign.update",
		   "UPDATE strato.campaign c SET nombre = coalesce(btrim($3),"
		   " nombre), tipo = coalesce($4, tipo),"
		   " config = coalesce($5::jsonb, config)"
		   " WHERE tenant_id = $1 AND id = $2"
		   " RETURNING strato.jsonb_diff($6::jsonb, to_jsonb(c))::text",
		   6, (const char *const[]){ tenant_id, l.id, spec->nombre,
					     tipo, config, l.json },
		   out, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_campaign_release(out);
	}
	locked_release(&l);
	free(config);
	return ret;
}

/* One text value from the server (NULL for SQL NULL or no row). */
static int
query_value(struct st_db *db, const char *sql, int n,
	    const char *const *params, char **out, struct st_error *err)
{
	PGresult *res = st_db_query(db, sql, n, params, err);

	*out = NULL;
	if (!res)
		return -1;
	if (PQntuples(res) > 0)
		*out = st_db_dup(res, 0, 0);
	PQclear(res);
	return 0;
}

/* The template a complete config names must exist and fit. */
static int
check_template_ref(struct st_db *db, const char *tenant_id, json_t *t,
		   struct st_error *err)
{
	const char *nombre = json_string_value(json_object_get(t, "nombre"));
	const char *idioma = json_string_value(json_object_get(t, "idioma"));
	size_t given = json_array_size(json_object_get(t, "variables"));
	char *contenido = NULL;
	int want, ret = -1;

	if (query_value(db, "SELECT contenido FROM strato.whatsapp_template"
			" WHERE tenant_id = $1 AND nombre = $2"
			" AND idioma = coalesce($3, 'es_AR')", 3,
			(const char *const[]){ tenant_id, nombre, idioma },
			&contenido, err) < 0)
		return -1;
	if (!contenido) {
		st_error_set(err, ST_EINVAL, "config.message.template.nombre: "
			     "there is no WhatsApp template \"%s\" (%s)",
			     nombre, idioma ? idioma : "es_AR");
		st_error_hint(err, "See \"strato template list\".");
		goto cleanup;
	}
	want = st_template_var_count(contenido);
	if (want >= 0 && (size_t)want != given) {
		st_error_set(err, ST_EINVAL,
			     "config.message.template.variables: template "
			     "\"%s\" takes %d variable%s, the config gives %zu",
			     nombre, want, want == 1 ? "" : "s", given);
		goto cleanup;
	}
	ret = 0;
cleanup:
	free(contenido);
	return ret;
}

/*
 * What only the database can tell of a complete config: its template
 * exists, its time zone is known, a voice is there to speak.
 */
static int
check_sendable(struct st_db *db, const char *tenant_id, const char *config,
	       struct st_error *err)
{
	json_t *j = json_loads(config, 0, NULL);
	json_t *t = json_object_get(json_object_get(j, "message"), "template");
	json_t *voice = json_object_get(j, "voice");
	const char *tz = json_string_value(json_object_get(
		json_object_get(j, "window"), "timezone"));
	char *v = NULL;
	int ret = -1;

	if (t && check_template_ref(db, tenant_id, t, err) < 0)
		goto cleanup;
	if (tz && (query_value(db, "SELECT 1 FROM pg_timezone_names"
			       " WHERE name = $1", 1, &tz, &v, err) < 0 ||
		   !v)) {
		if (!v)
			st_error_set(err, ST_EINVAL, "config.window.timezone: "
				     "\"%s\" is not a time zone the server "
				     "knows", tz);
		goto cleanup;
	}
	free(v);
	v = NULL;
	if (json_is_true(json_object_get(voice, "enabled")) &&
	    !json_object_get(voice, "voice_id")) {
		if (query_value(db, "SELECT voice_id FROM strato.assistant"
				" WHERE tenant_id = $1 AND is_active"
				" AND voice_id IS NOT NULL LIMIT 1", 1,
				&tenant_id, &v, err) < 0)
			goto cleanup;
		if (!v) {
			st_error_set(err, ST_EINVAL, "config.voice.voice_id: "
				     "missing, and no active assistant has a "
				     "voice");
			goto cleanup;
		}
	}
	ret = 0;
cleanup:
	free(v);
	json_decref(j);
	return ret;
}

/* Check when (and every) on the server; "now" is a time too. */
static int
check_times(struct st_db *db, const char *when, const char *every,
	    struct st_error *err)
{
	char *v = NULL;

	if (query_value(db, "SELECT $1::timestamptz < now() - interval"
			" '1 minute'", 1, &when, &v, err) < 0) {
		st_error_set(err, ST_EINVAL, "invalid time \"%s\"", when);
		st_error_hint(err, "Use ISO 8601 (2026-12-01 10:00-03) or "
			      "now.");
		return -1;
	}
	if (strcmp(v, "t") == 0) {
		free(v);
		st_error_set(err, ST_EINVAL, "cannot schedule in the past (%s)",
			     when);
		return -1;
	}
	free(v);
	if (!every)
		return 0;
	if (query_value(db, "SELECT $1::interval < interval '1 hour'", 1,
			&every, &v, err) < 0) {
		st_error_set(err, ST_EINVAL, "invalid interval \"%s\"", every);
		st_error_hint(err, "Write it as PostgreSQL does: 1 day, 12 "
			      "hours, 1 week.");
		return -1;
	}
	if (strcmp(v, "t") == 0) {
		free(v);
		st_error_set(err, ST_EINVAL, "--every must be at least an "
			     "hour, not \"%s\"", every);
		return -1;
	}
	free(v);
	return 0;
}

/*
 * Schedule under a row lock: the move must be legal, the config complete
 * and sendable (template, time zone, voice), the time not past.
 */
int
st_campaign_schedule(struct st_db *db, const char *tenant_id, const char *ref,
		     const char *when, const char *every,
		     struct st_campaign *out, struct st_error *err)
{
	static const char *const from[] = { "DRAFT", "SCHEDULED", NULL };
	static const struct st_campaign_spec none;
	struct locked l;
	char *config = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(&l, 0, sizeof(l));
	if (require_admin(db, "schedule campaigns", err) < 0)
		return -1;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (lock_campaign(db, tenant_id, ref, &l, err) < 0)
		goto cleanup;
	if (!one_of(l.estado, from)) {
		illegal(err, "schedule", &l, "SCHEDULED", from);
		goto cleanup;
	}
	if (!(config = build_config(l.config, &none, true, err))) {
		char msg[sizeof(err->message)];

		snprintf(msg, sizeof(msg), "%s", err->message);
		st_error_set(err, ST_EINVAL, "campaign \"%s\" cannot be "
			     "scheduled: %s", l.nombre, msg);
		goto cleanup;
	}
	if (check_sendable(db, tenant_id, config, err) < 0 ||
	    check_times(db, when, every, err) < 0)
		goto cleanup;
	if (change(db, tenant_id, &l, "campaign.schedule",
		   "UPDATE strato.campaign c SET estado = 'SCHEDULED',"
		   " scheduled_at = $3::timestamptz, recurrence = $4::interval,"
		   " config = $5::jsonb WHERE tenant_id = $1 AND id = $2"
		   " RETURNING strato.jsonb_diff($6::jsonb, to_jsonb(c))::text",
		   6, (const char *const[]){ tenant_id, l.id, when, every,
					     config, l.json }, out, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_campaign_release(out);
	}
	locked_release(&l);
	free(config);
	return ret;
}

static const struct {
	const char *verb;
	const char *to;
	const char *from[5];
} moves[] = {
	[ST_CAMPAIGN_PAUSE] = { "pause", "PAUSED",
		{ "SCHEDULED", "RUNNING", NULL } },
	[ST_CAMPAIGN_RESUME] = { "resume", "SCHEDULED", { "PAUSED", NULL } },
	[ST_CAMPAIGN_CANCEL] = { "cancel", "CANCELLED",
		{ "DRAFT", "SCHEDULED", "RUNNING", "PAUSED", NULL } },
};

/*
 * Pause, resume or cancel under a row lock, refusing moves the estado
 * machine does not have.
 */
int
st_campaign_move(struct st_db *db, const char *tenant_id, const char *ref,
		 enum st_campaign_move move, struct st_campaign *out,
		 struct st_error *err)
{
	char what[32];
	struct locked l;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(&l, 0, sizeof(l));
	snprintf(what, sizeof(what), "%s campaigns", moves[move].verb);
	if (require_admin(db, what, err) < 0)
		return -1;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (lock_campaign(db, tenant_id, ref, &l, err) < 0)
		goto cleanup;
	if (!one_of(l.estado, moves[move].from)) {
		illegal(err, moves[move].verb, &l, moves[move].to,
			moves[move].from);
		goto cleanup;
	}
	snprintf(what, sizeof(what), "campaign.%s", moves[move].verb);
	if (change(db, tenant_id, &l, what,
		   "UPDATE strato.campaign c SET estado = $3, finished_at ="
		   " CASE WHEN $3 = 'CANCELLED' THEN now() ELSE finished_at END"
		   " WHERE tenant_id = $1 AND id = $2"
		   " RETURNING strato.jsonb_diff($4::jsonb, to_jsonb(c))::text",
		   4, (const char *const[]){ tenant_id, l.id, moves[move].to,
					     l.json }, out, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_campaign_release(out);
	}
	locked_release(&l);
	return ret;
}
