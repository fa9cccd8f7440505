/*
 * campaign-run-ledger.c - the campaign engine's SQL: which campaigns are
 * due, their advisory locks, starting one (estado, the ledger or its
 * first part, rows a dead runner left SENDING), reading the estado and
 * the next retry while sending, and the end of a run.
 *
 * Every statement runs in the campaign's tenant scope and names
 * tenant_id. Claims and records are each their own short transaction:
 * a claim is committed before any request for its rows goes out.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "campaign-internal.h"
#include "campaign-run-internal.h"
#include "db-internal.h"
#include "strato/audit.h"
#include "strato/tenant.h"

/*
 * The send window of config c (window.start/end/days in window.timezone,
 * else the tenant's time zone) holds now; true without a window.
 */
#define LOCAL_NOW "(now() AT TIME ZONE coalesce(c.config #>> " \
	"'{window,timezone}', t.config ->> 'timezone', " \
	"'America/Argentina/Buenos_Aires'))"
#define IN_WINDOW \
	"((c.config #>> '{window,start}' IS NULL OR CASE" \
	" WHEN (c.config #>> '{window,start}')::time <" \
	"  (c.config #>> '{window,end}')::time" \
	" THEN " LOCAL_NOW "::time >= (c.config #>> '{window,start}')::time" \
	"  AND " LOCAL_NOW "::time < (c.config #>> '{window,end}')::time" \
	" ELSE " LOCAL_NOW "::time >= (c.config #>> '{window,start}')::time" \
	"  OR " LOCAL_NOW "::time < (c.config #>> '{window,end}')::time END)" \
	" AND (jsonb_array_length(coalesce(c.config #> '{window,days}'," \
	"  '[]')) = 0 OR to_char(" LOCAL_NOW ", 'DY') IN (SELECT" \
	"  jsonb_array_elements_text(c.config #> '{window,days}'))))"

void
cr_campaign_release(struct cr_campaign *c)
{
	if (!c)
		return;
	free(c->tenant_id);
	free(c->id);
	free(c->nombre);
	free(c->tipo);
	free(c->estado);
	free(c->voice_id);
	free(c->since);
	json_decref(c->config);
	memset(c, 0, sizeof(*c));
}

void
cr_row_release(struct cr_row *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->lead_id);
	free(r->phone);
	free(r->channel_id);
	json_decref(r->vars);
	memset(r, 0, sizeof(*r));
}

/*
 * The tenant's campaigns to look at: the due ones (or only ref, due or
 * not) as a JSON array of {id, nombre, estado, due, in_window}.
 */
int
cr_due(struct st_db *db, const char *tenant_id, const char *ref,
       json_t **out, struct st_error *err)
{
	PGresult *res = NULL;
	int ret = -1;

	*out = NULL;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT coalesce(json_agg(json_build_object("
		" 'id', c.id, 'nombre', c.nombre, 'estado', c.estado,"
		" 'due', c.estado = 'RUNNING' OR (c.estado = 'SCHEDULED'"
		"  AND c.scheduled_at <= now()), 'in_window', " IN_WINDOW ")"
		" ORDER BY c.scheduled_at NULLS FIRST, c.id), '[]')::text"
		" FROM strato.campaign c JOIN strato.tenant t ON t.id ="
		" c.tenant_id WHERE c.tenant_id = $1 AND CASE WHEN $2::text"
		" IS NULL THEN c.estado = 'RUNNING' OR (c.estado = 'SCHEDULED'"
		" AND c.scheduled_at <= now()) ELSE c.id = $2 OR c.nombre = $2"
		" END", 2, (const char *const[]){ tenant_id, ref }, err);
	if (!res)
		goto cleanup;
	*out = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		json_decref(*out);
		*out = NULL;
	}
	PQclear(res);
	return ret;
}

/*
 * A session advisory lock for the campaign, not waiting: *got false when
 * another session (another runner) holds it.
 */
int
cr_lock(struct st_db *db, const char *tenant_id, const char *id, bool *got,
	struct st_error *err)
{
	PGresult *res = st_db_query(db, "SELECT pg_try_advisory_lock("
		"hashtextextended('strato.campaign/' || $1 || '/' || $2, 0))",
		2, (const char *const[]){ tenant_id, id }, err);

	*got = false;
	if (!res)
		return -1;
	*got = st_db_bool(res, 0, 0);
	PQclear(res);
	return 0;
}

/* Release the lock of cr_lock (errors are moot: the session ends too). */
void
cr_unlock(struct st_db *db, const char *tenant_id, const char *id)
{
	struct st_error err;

	st_db_run(db, "SELECT pg_advisory_unlock(hashtextextended("
		  "'strato.campaign/' || $1 || '/' || $2, 0))", 2,
		  (const char *const[]){ tenant_id, id }, &err);
}

/* Fill c from the locked campaign row (the columns of read_locked). */
static void
campaign_from(struct cr_campaign *c, const char *tenant_id, PGresult *res)
{
	json_t *msg, *v, *t;

	c->tenant_id = st_xstrdup(tenant_id);
	c->id = st_db_dup(res, 0, 0);
	c->nombre = st_db_dup(res, 0, 1);
	c->tipo = st_db_dup(res, 0, 2);
	c->estado = st_db_dup(res, 0, 3);
	c->config = json_loads(PQgetvalue(res, 0, 4), 0, NULL);
	c->occurrence = atoi(PQgetvalue(res, 0, 5));
	c->integration = st_db_bool(res, 0, 8);
	c->voice_id = st_db_dup(res, 0, 9);
	c->channel = json_string_value(json_object_get(c->config, "channel"));
	msg = json_object_get(c->config, "message");
	c->text = json_string_value(json_object_get(msg, "text"));
	c->tpl = json_object_get(msg, "template");
	v = json_object_get(c->config, "voice");
	c->voice = json_is_true(json_object_get(v, "enabled"));
	c->voice_fallback = json_is_true(json_object_get(v, "fallback"));
	t = json_object_get(json_object_get(c->config, "throttle"),
			    "per_minute");
	c->per_second = json_is_integer(t) ? json_integer_value(t) / 60.0 : 0;
}

/* Lock and read the campaign; *due whether it is to be worked now. */
static int
read_locked(struct st_db *db, const char *tenant_id, const char *id,
	    struct cr_campaign *c, bool *due, char **json,
	    struct st_error *err)
{
	PGresult *res = st_db_query(db, "SELECT c.id, c.nombre, c.tipo,"
		" c.estado, c.config::text, c.occurrence, c.estado = 'RUNNING'"
		" OR (c.estado = 'SCHEDULED' AND c.scheduled_at <= now()),"
		" to_jsonb(c)::text, EXISTS (SELECT 1 FROM"
		" strato.tenant_integration i WHERE i.tenant_id = c.tenant_id"
		" AND i.provider = c.config ->> 'channel' AND i.is_active),"
		" coalesce(c.config #>> '{voice,voice_id}', (SELECT a.voice_id"
		" FROM strato.assistant a WHERE a.tenant_id = c.tenant_id"
		" AND a.is_active AND a.voice_id IS NOT NULL"
		" ORDER BY a.updated_at DESC LIMIT 1)),"
		" c.filling_occurrence IS NOT DISTINCT FROM c.occurrence"
		" OR NOT EXISTS (SELECT 1 FROM strato.campaign_send s"
		" WHERE s.tenant_id = c.tenant_id AND s.campaign_id = c.id"
		" AND s.occurrence = c.occurrence)"
		" FROM strato.campaign c WHERE c.tenant_id = $1 AND c.id = $2"
		" FOR UPDATE", 2, (const char *const[]){ tenant_id, id }, err);

	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		st_error_set(err, ST_ENOTFOUND, "campaign \"%s\" does not "
			     "exist", id);
		return -1;
	}
	campaign_from(c, tenant_id, res);
	c->filling = st_db_bool(res, 0, 10);
	*due = st_db_bool(res, 0, 6);
	*json = st_db_dup(res, 0, 7);
	PQclear(res);
	return 0;
}

/* SCHEDULED -> RUNNING, with its audit row; then the "since" time. */
static int
mark_running(struct st_db *db, struct cr_campaign *c, const char *json,
	     struct st_error *err)
{
	PGresult *res = NULL;
	int ret = -1;

	if (strcmp(c->estado, "SCHEDULED") == 0) {
		res = st_db_query(db, "UPDATE strato.campaign c SET estado ="
			" 'RUNNING', started_at = now(), finished_at = NULL,"
			" last_error = NULL WHERE c.tenant_id = $1"
			" AND c.id = $2 RETURNING strato.jsonb_diff($3::jsonb,"
			" to_jsonb(c))::text", 3, (const char *const[]){
			c->tenant_id, c->id, json }, err);
		if (!res || st_audit_add(db, c->tenant_id, "campaign.start",
					 "campaign", c->id,
					 PQgetvalue(res, 0, 0), err) < 0)
			goto cleanup;
		PQclear(res);
		free(c->estado);
		c->estado = st_xstrdup("RUNNING");
	}
	res = st_db_query(db, "SELECT " ST_SQL_TS("coalesce(c.last_run_at,"
		" c.started_at - interval '7 days', now() - interval"
		" '7 days')") " FROM strato.campaign c WHERE c.tenant_id = $1"
		" AND c.id = $2", 2, (const char *const[]){ c->tenant_id,
		c->id }, err);
	if (!res)
		goto cleanup;
	c->since = st_db_dup(res, 0, 0);
	ret = 0;
cleanup:
	PQclear(res);
	return ret;
}

/*
 * The ledger of this occurrence, unless it is whole: all of it for a dry
 * run or a channel without an integration (nothing is sent), else its
 * first part; the send loop's thread writes the rest (c->filling).
 */
static int
fill(struct st_db *db, const struct st_campaign_run_opts *o,
     struct cr_campaign *c, struct st_error *err)
{
	struct cr_fill_args a;
	long long p, s;
	bool whole = false;
	int ret;

	if (!c->filling)
		return 0;
	cr_fill_args_init(&a, c);
	ret = cr_fill_part(db, &a, o->dry_run || !c->integration ? 0
			   : CR_FILL_FIRST, &p, &s, &whole, err);
	c->filling = !whole;
	cr_fill_args_release(&a);
	return ret;
}

/*
 * Rows left SENDING were in flight when a runner died: UNKNOWN, never
 * resent, unless resend (then they, and the UNKNOWN ones, go again).
 */
static int
recover(struct st_db *db, const struct cr_campaign *c, bool resend,
	struct st_error *err)
{
	char occ[16];

	snprintf(occ, sizeof(occ), "%d", c->occurrence);
	return st_db_run(db, "UPDATE strato.campaign_send SET estado ="
		" CASE WHEN $4::bool THEN 'PENDING' ELSE 'UNKNOWN' END,"
		" reason = CASE WHEN $4::bool THEN 'resent' ELSE"
		" 'interrupted' END, error_message = CASE WHEN $4::bool"
		" THEN error_message ELSE 'a runner stopped between claiming"
		" this send and recording the answer: it may have gone out'"
		" END, next_attempt_at = NULL"
		" WHERE tenant_id = $1 AND campaign_id = $2"
		" AND occurrence = $3::int AND (estado = 'SENDING'"
		" OR ($4::bool AND estado = 'UNKNOWN'))", 4,
		(const char *const[]){ c->tenant_id, c->id, occ,
				       resend ? "t" : "f" }, err);
}

/* The counts of this occurrence's ledger, as the stats JSON object. */
static json_t *
counts(struct st_db *db, const struct cr_campaign *c, struct st_error *err)
{
	char occ[16];
	PGresult *res;
	json_t *j;

	snprintf(occ, sizeof(occ), "%d", c->occurrence);
	res = st_db_query(db, "SELECT jsonb_build_object('occurrence',"
		" $3::int, 'total', count(*), 'pending', count(*) FILTER"
		" (WHERE estado = 'PENDING'), 'sending', count(*) FILTER"
		" (WHERE estado = 'SENDING'), 'sent', count(*) FILTER"
		" (WHERE estado = 'SENT'), 'failed', count(*) FILTER"
		" (WHERE estado = 'FAILED'), 'skipped', count(*) FILTER"
		" (WHERE estado = 'SKIPPED'), 'unknown', count(*) FILTER"
		" (WHERE estado = 'UNKNOWN'), 'retries', coalesce(sum("
		" greatest(attempts - 1, 0)), 0), 'voice_chars',"
		" coalesce(sum(voice_chars), 0), 'voice_hits', count(*)"
		" FILTER (WHERE voice_cached), 'reasons', coalesce((SELECT"
		" jsonb_object_agg(r.reason, r.n) FROM (SELECT reason, count(*)"
		" AS n FROM strato.campaign_send WHERE tenant_id = $1"
		" AND campaign_id = $2 AND occurrence = $3::int"
		" AND reason IS NOT NULL GROUP BY reason) r), '{}'))::text"
		" FROM strato.campaign_send WHERE tenant_id = $1"
		" AND campaign_id = $2 AND occurrence = $3::int", 3,
		(const char *const[]){ c->tenant_id, c->id, occ }, err);
	if (!res)
		return NULL;
	j = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	PQclear(res);
	return j;
}

static long long
num(json_t *j, const char *k)
{
	return (long long)json_integer_value(json_object_get(j, k));
}

/* The report's counts from a stats object. */
static void
report_counts(struct st_campaign_report *r, json_t *s)
{
	r->audience = num(s, "total");
	r->pending = num(s, "pending") + num(s, "sending");
	r->sent = num(s, "sent");
	r->failed = num(s, "failed");
	r->skipped = num(s, "skipped");
	r->unknown = num(s, "unknown");
	r->retries = num(s, "retries");
	r->voice_chars = num(s, "voice_chars");
	r->voice_hits = num(s, "voice_hits");
}

/*
 * Start a run of campaign id: under the row lock, check it is due, move
 * it to RUNNING, write the ledger (its first part, unless nothing is to
 * be sent), recover rows a dead runner left. 0 to
 * go on and send; 1 when there is nothing to send (r->note says why; a
 * dry run always ends here, rolled back, with the counts); -1 on error.
 */
int
cr_start(struct st_db *db, const struct st_campaign_run_opts *o,
	 const char *tenant_id, const char *id, struct cr_campaign *c,
	 struct st_campaign_report *r, struct st_error *err)
{
	char *json = NULL;
	json_t *stats = NULL;
	bool due = false;
	int ret = -1;

	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (read_locked(db, tenant_id, id, c, &due, &json, err) < 0)
		goto cleanup;
	r->nombre = st_xstrdup(c->nombre);
	if (!due || !c->channel) {
		r->note = !due ? st_xasprintf("not due (%s)", c->estado)
			       : st_xstrdup("no channel in the config");
		r->estado = st_xstrdup(c->estado);
		ret = st_tenant_commit(db, err) < 0 ? -1 : 1;
		goto cleanup;
	}
	if (mark_running(db, c, json, err) < 0 || fill(db, o, c, err) < 0 ||
	    recover(db, c, o->resend_unknown, err) < 0 ||
	    !(stats = counts(db, c, err)))
		goto cleanup;
	report_counts(r, stats);
	r->estado = st_xstrdup(c->estado);
	if (o->dry_run) {
		r->note = st_xstrdup("dry run: nothing sent");
		st_tenant_rollback(db);
		ret = 1;
		goto cleanup;
	}
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0)
		st_tenant_rollback(db);
	json_decref(stats);
	free(json);
	return ret;
}

/*
 * The campaign's estado now (the console may have paused it): one round
 * trip, the tenant setting and the read in one pipeline.
 */
int
cr_estado(struct st_db *db, const struct cr_campaign *c, char **estado,
	  struct st_error *err)
{
	PGresult *res = st_db_tenant_read(db, c->tenant_id, "campaign_estado",
		"SELECT estado FROM strato.campaign WHERE tenant_id = $1"
		" AND id = $2", true, 2, (const char *const[]){ c->tenant_id,
		c->id }, err);

	*estado = NULL;
	if (!res)
		return -1;
	if (PQntuples(res) == 1)
		*estado = st_db_dup(res, 0, 0);
	else
		st_error_set(err, ST_ENOTFOUND, "campaign \"%s\" is gone",
			     c->nombre);
	PQclear(res);
	return *estado ? 0 : -1;
}

/*
 * Seconds until the next PENDING row is due (0: one is due now); -1
 * when none is left. Planned each time: the ledger changes under it.
 */
int
cr_next_retry(struct st_db *db, const struct cr_campaign *c,
	      double *seconds, struct st_error *err)
{
	char occ[16];
	PGresult *res;

	*seconds = -1;
	snprintf(occ, sizeof(occ), "%d", c->occurrence);
	res = st_db_tenant_read(db, c->tenant_id, "campaign_next_retry",
		"SELECT CASE WHEN count(*) > 0 THEN"
		" greatest(extract(epoch FROM min(coalesce(next_attempt_at,"
		" now())) - now()), 0) END"
		" FROM strato.campaign_send WHERE tenant_id = $1"
		" AND campaign_id = $2 AND occurrence = $3::int"
		" AND estado = 'PENDING'", false, 3, (const char *const[]){
		c->tenant_id, c->id, occ }, err);
	if (!res)
		return -1;
	if (!PQgetisnull(res, 0, 0))
		*seconds = atof(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* What is left PENDING becomes SKIPPED with reason (cancel, failure). */
static int
skip_rest(struct st_db *db, const struct cr_campaign *c, const char *reason,
	  struct st_error *err)
{
	char occ[16];

	snprintf(occ, sizeof(occ), "%d", c->occurrence);
	return st_db_run(db, "UPDATE strato.campaign_send SET estado ="
		" 'SKIPPED', reason = $4, next_attempt_at = NULL"
		" WHERE tenant_id = $1 AND campaign_id = $2"
		" AND occurrence = $3::int AND estado = 'PENDING'", 4,
		(const char *const[]){ c->tenant_id, c->id, occ, reason },
		err);
}

/* The campaign's row after a run: stats, and its estado when it ends. */
static int
update_campaign(struct st_db *db, const struct cr_campaign *c,
		const char *stats, const char *mode, const char *last_error,
		const char *json, struct st_campaign_report *r,
		struct st_error *err)
{
	const char *action = strcmp(mode, "failed") == 0 ? "campaign.fail"
		: strcmp(mode, "done") == 0 ? "campaign.complete"
		: "campaign.run";
	PGresult *res = st_db_query(db, "UPDATE strato.campaign c SET"
		" stats = $3::jsonb, estado = CASE WHEN c.estado <> 'RUNNING'"
		" OR $4 = 'stats' THEN c.estado WHEN $4 = 'failed' THEN"
		" 'FAILED' WHEN c.recurrence IS NULL THEN 'COMPLETED'"
		" ELSE 'SCHEDULED' END, last_error = CASE WHEN c.estado ="
		" 'RUNNING' AND $4 = 'failed' THEN $5 ELSE c.last_error END,"
		" finished_at = CASE WHEN c.estado = 'RUNNING' AND ($4 ="
		" 'failed' OR ($4 = 'done' AND c.recurrence IS NULL)) THEN"
		" now() ELSE c.finished_at END, last_run_at = CASE WHEN"
		" c.estado = 'RUNNING' AND $4 = 'done' THEN c.started_at"
		" ELSE c.last_run_at END, scheduled_at = CASE WHEN c.estado ="
		" 'RUNNING' AND $4 = 'done' AND c.recurrence IS NOT NULL THEN"
		" c.scheduled_at + c.recurrence * (floor(extract(epoch FROM"
		" now() - c.scheduled_at) / extract(epoch FROM c.recurrence))"
		" + 1) ELSE c.scheduled_at END, occurrence = c.occurrence +"
		" CASE WHEN c.estado = 'RUNNING' AND $4 = 'done' AND"
		" c.recurrence IS NOT NULL THEN 1 ELSE 0 END"
		" WHERE c.tenant_id = $1 AND c.id = $2 RETURNING c.estado,"
		" strato.jsonb_diff($6::jsonb, to_jsonb(c))::text", 6,
		(const char *const[]){ c->tenant_id, c->id, stats, mode,
				       last_error, json }, err);
	int ret = -1;

	if (!res)
		return -1;
	free(r->estado);
	r->estado = st_db_dup(res, 0, 0);
	if (st_audit_add(db, c->tenant_id, action, "campaign", c->id,
			 PQgetvalue(res, 0, 1), err) == 0)
		ret = 0;
	PQclear(res);
	return ret;
}

/*
 * End a run: what is left after a cancel or a failure is SKIPPED; the
 * counts go into campaign.stats (and the audit row); a campaign with
 * nothing left PENDING (stop NULL) is COMPLETED, or SCHEDULED for its
 * next occurrence; stop "failed" makes it FAILED with last_error.
 */
int
cr_finish(struct st_db *db, struct cr_campaign *c, const char *stop,
	  const char *last_error, struct st_campaign_report *r,
	  struct st_error *err)
{
	const char *mode = "stats";
	PGresult *res = NULL;
	json_t *stats = NULL;
	char *text = NULL;
	int ret = -1;

	if (st_tenant_begin(db, c->tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT c.estado, to_jsonb(c)::text FROM"
		" strato.campaign c WHERE c.tenant_id = $1 AND c.id = $2"
		" FOR UPDATE", 2, (const char *const[]){ c->tenant_id,
		c->id }, err);
	if (!res)
		goto cleanup;
	if ((strcmp(PQgetvalue(res, 0, 0), "CANCELLED") == 0 &&
	     skip_rest(db, c, "cancelled", err) < 0) ||
	    (stop && strcmp(stop, "failed") == 0 &&
	     strcmp(PQgetvalue(res, 0, 0), "RUNNING") == 0 &&
	     skip_rest(db, c, "campaign_failed", err) < 0) ||
	    !(stats = counts(db, c, err)))
		goto cleanup;
	if (stop && strcmp(stop, "failed") == 0)
		mode = "failed";
	else if (!stop && num(stats, "pending") + num(stats, "sending") == 0)
		mode = "done";
	text = json_dumps(stats, JSON_COMPACT);
	if (update_campaign(db, c, text, mode, last_error,
			    PQgetvalue(res, 0, 1), r, err) < 0)
		goto cleanup;
	report_counts(r, stats);
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0)
		st_tenant_rollback(db);
	PQclear(res);
	json_decref(stats);
	free(text);
	return ret;
}
