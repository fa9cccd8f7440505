/*
 * campaign-run-trip.c - the send loop's round trips to the database,
 * overlapped with the sends in flight.
 *
 * One trip is one transaction: the tenant setting and the batch of
 * outcomes to record or the rows to claim, sent at once in libpq's
 * pipeline mode, which the server runs as one implicit transaction that
 * commits at the sync. Up to CR_TRIPS are queued on a connection; the
 * server runs them in order and answers each at its sync. The loop goes
 * back to its transfers and reads an answer when the socket has it
 * (cr_trip_read without block), so neither a claim nor a record leaves
 * the sends waiting. Claimed rows are handed back only after their
 * COMMIT succeeded: no request is made for a row before its SENDING is
 * durable.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "campaign-run-internal.h"
#include "db-internal.h"
#include "strato/util.h"

/*
 * Record the outcomes ($2, JSON): each SENDING row moves on, found by
 * its primary key (tenant, id) alone: with the campaign in the condition
 * too, statistics from before the ledger was written could make the
 * planner read the campaign's every row for each outcome. A ManyChat or
 * UChat contact found this run ($3 the channel) is kept on its lead when
 * the lead has none, audited as lead.contact.
 */
#define RECORD_SQL "WITH v AS (SELECT * FROM jsonb_to_recordset($2::jsonb)" \
	" AS v(id text, estado text, reason text, message_id text, code text," \
	" message text, retry_ms bigint, release boolean, voice_chars integer," \
	" voice_cached boolean, contact text))," \
	" r AS (UPDATE strato.campaign_send s SET estado = v.estado," \
	" reason = v.reason, provider_message_id = coalesce(v.message_id," \
	" s.provider_message_id), error_code = v.code, error_message =" \
	" v.message, attempts = s.attempts - CASE WHEN v.release THEN 1" \
	" ELSE 0 END, next_attempt_at = CASE WHEN v.estado = 'PENDING'" \
	" AND v.retry_ms > 0 THEN now() + v.retry_ms * interval" \
	" '1 millisecond' END, sent_at = CASE WHEN v.estado = 'SENT'" \
	" THEN now() ELSE s.sent_at END, voice_chars = s.voice_chars +" \
	" v.voice_chars, voice_cached = s.voice_cached OR v.voice_cached" \
	" FROM v WHERE s.tenant_id = $1 AND s.id = v.id" \
	" AND s.estado = 'SENDING'" \
	" RETURNING s.lead_id, v.contact)," \
	" c AS (UPDATE strato.lead l SET" \
	" manychat_id = CASE WHEN $3 = 'MANYCHAT' THEN r.contact" \
	" ELSE l.manychat_id END," \
	" uchat_id = CASE WHEN $3 = 'UCHAT' THEN r.contact" \
	" ELSE l.uchat_id END, updated_at = now()" \
	" FROM r WHERE r.contact IS NOT NULL AND $3 IN ('MANYCHAT', 'UCHAT')" \
	" AND l.tenant_id = $1 AND l.id = r.lead_id" \
	" AND (CASE $3 WHEN 'MANYCHAT' THEN l.manychat_id" \
	" ELSE l.uchat_id END) IS NULL RETURNING l.id, r.contact)" \
	" INSERT INTO strato.audit_log (tenant_id, action, entity, entity_id," \
	" diff) SELECT $1, 'lead.contact', 'lead', c.id," \
	" jsonb_build_object(lower($3) || '_id'," \
	" jsonb_build_object('old', NULL, 'new', c.contact)) FROM c"

/*
 * Claim up to $4 due PENDING rows: SENDING, attempts + 1. Rows another
 * session holds are passed over (SKIP LOCKED). The order matches the
 * partial index campaign_send_pending, so the claim reads a few index
 * entries rather than the heap of a half-sent ledger (without it the
 * planner scans the table, ever slower as rows are sent); due retries
 * come first. The 24-hour window is looked up only when the campaign has
 * a text ($6). Planned once (plan_cache_mode force_generic_plan: a
 * custom plan at each claim costs about as much as running it), and so
 * pinned to one shape, whatever the statistics when it was made (a
 * generic plan made while the ledger was small would scan all of it at
 * every claim): the rows are taken in the order of the partial index,
 * updated by their tuple ids alone (a TID scan: no other condition an
 * index could serve), their leads looked up by primary key. Table and
 * bitmap scans, sorts, hash and merge joins are off for the trip's
 * transaction, a record's as well.
 */
#define CLAIM_SQL "WITH k AS (SELECT s.ctid AS t FROM strato.campaign_send s" \
	" WHERE s.tenant_id = $1 AND s.campaign_id = $2" \
	" AND s.occurrence = $3::int AND s.estado = 'PENDING'" \
	" AND (s.next_attempt_at IS NULL OR s.next_attempt_at <= now())" \
	" ORDER BY s.next_attempt_at LIMIT $4::int FOR UPDATE SKIP LOCKED)" \
	" UPDATE strato.campaign_send s SET estado = 'SENDING', attempts =" \
	" s.attempts + 1 FROM strato.lead l WHERE s.ctid = ANY (ARRAY(SELECT" \
	" t FROM k)) AND l.tenant_id = s.tenant_id AND l.id = s.lead_id" \
	" RETURNING s.id, s.lead_id, s.attempts, s.snapshot::text," \
	" l.opt_out OR l.deleted_at IS NOT NULL, l.telefono_e164, " \
	CHANNEL_ID ", $6::bool AND " IN_24H

/* One result as the JSON the record statement reads. */
static json_t *
result_json(const struct cr_result *x)
{
	json_t *j = json_pack("{s:s, s:s, s:I, s:b, s:i, s:b}", "id",
			      x->row_id, "estado", x->estado, "retry_ms",
			      (json_int_t)x->retry_ms, "release", x->release,
			      "voice_chars", x->voice_chars, "voice_cached",
			      x->voice_cached);

	if (x->reason)
		json_object_set_new(j, "reason", json_string(x->reason));
	if (x->message_id)
		json_object_set_new(j, "message_id",
				    json_string(x->message_id));
	if (x->code)
		json_object_set_new(j, "code", json_string(x->code));
	if (x->message)
		json_object_set_new(j, "message", json_string(x->message));
	if (x->contact)
		json_object_set_new(j, "contact", json_string(x->contact));
	return j;
}

static char *
results_text(const struct cr_result *res, size_t n)
{
	json_t *arr = json_array();
	char *text;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, result_json(&res[i]));
	text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return text;
}

/* The database connection's socket, to wait on beside the transfers. */
int
cr_trip_socket(struct st_db *db)
{
	return PQsocket(st_db_conn(db));
}

/*
 * Queue one trip: nres outcomes to record (the caller may free them at
 * once), or up to claim rows to claim. Nothing is waited for.
 */
int
cr_trip_send(struct st_db *db, const struct cr_campaign *c,
	     const struct cr_result *res, size_t nres, int claim,
	     struct cr_pipe *p, struct st_error *err)
{
	PGconn *conn = st_db_conn(db);
	struct cr_trip *t;
	char occ[16], lim[16];
	char *text = NULL;
	const char *set = "SELECT set_config('app.tenant_id', $1, true),"
		" set_config('plan_cache_mode', 'force_generic_plan', true),"
		" set_config('enable_seqscan', 'off', true),"
		" set_config('enable_bitmapscan', 'off', true),"
		" set_config('enable_sort', 'off', true),"
		" set_config('enable_hashjoin', 'off', true),"
		" set_config('enable_mergejoin', 'off', true)";
	int ok;

	if (p->n == CR_TRIPS || p->failed) {
		st_error_set(err, ST_EINTERNAL, "no round trip may be queued "
			     "now");
		return -1;
	}
	if (PQpipelineStatus(conn) == PQ_PIPELINE_OFF) {
		/* parsed once, not at every trip */
		if (st_db_prepare(db, "campaign_record", RECORD_SQL, 3,
				  err) < 0 ||
		    st_db_prepare(db, "campaign_claim", CLAIM_SQL, 6,
				  err) < 0)
			return -1;
		if (!PQenterPipelineMode(conn)) {
			st_db_error(err, NULL, conn);
			return -1;
		}
	}
	t = &p->q[(p->head + p->n) % CR_TRIPS];
	memset(t, 0, sizeof(*t));
	t->claim_step = -1;
	t->want = claim;
	snprintf(occ, sizeof(occ), "%d", c->occurrence);
	snprintf(lim, sizeof(lim), "%d", claim);
	ok = PQsendQueryParams(conn, set, 1, NULL, (const char *const[]){
				       c->tenant_id }, NULL, NULL, 0);
	if (ok && nres) {
		text = results_text(res, nres);
		ok = PQsendQueryPrepared(conn, "campaign_record", 3,
			(const char *const[]){ c->tenant_id, text,
			c->channel }, NULL, NULL, 0);
		free(text);
	}
	if (ok && claim > 0) {
		t->claim_step = nres ? 2 : 1;
		ok = PQsendQueryPrepared(conn, "campaign_claim", 6,
			(const char *const[]){ c->tenant_id, c->id, occ, lim,
			c->channel, c->text ? "t" : "f" }, NULL, NULL, 0);
	}
	ok = ok && PQpipelineSync(conn);
	p->n++;
	p->claiming += claim;
	if (!ok) {
		/* the connection is gone: cr_trip_read says so */
		st_db_error(err, NULL, conn);
		p->failed = true;
		return -1;
	}
	return 0;
}

/* The claimed rows of a result, appended to *rows. */
static void
rows_from(PGresult *res, struct cr_row **rows, int *n)
{
	int k = res ? PQntuples(res) : 0;

	*rows = st_xrealloc(*rows, (size_t)(*n + k + 1) * sizeof(**rows));
	for (int i = 0; i < k; i++) {
		struct cr_row *w = &(*rows)[(*n)++];

		memset(w, 0, sizeof(*w));
		w->id = st_db_dup(res, i, 0);
		w->lead_id = st_db_dup(res, i, 1);
		w->attempts = atoi(PQgetvalue(res, i, 2));
		w->vars = json_loads(PQgetvalue(res, i, 3), 0, NULL);
		w->gone = st_db_bool(res, i, 4);
		w->phone = st_db_dup(res, i, 5);
		w->channel_id = st_db_dup(res, i, 6);
		w->in_window = st_db_bool(res, i, 7);
	}
}

/*
 * Take one result of trip t; true when it was the trip's final sync.
 * *bad is set when a statement of the trip failed.
 */
static bool
take(PGconn *conn, struct cr_trip *t, PGresult *r, bool *bad,
     struct st_error *err)
{
	ExecStatusType st = PQresultStatus(r);

	if (st == PGRES_PIPELINE_SYNC) {
		PQclear(r);
		return true;
	}
	if ((st == PGRES_FATAL_ERROR || st == PGRES_PIPELINE_ABORTED) &&
	    !*bad) {
		/* the first error says why; the rest follow from it */
		if (err && !err->code)
			st_db_error(err, r, conn);
		*bad = true;
	}
	if (t->step == t->claim_step && st == PGRES_TUPLES_OK && !t->claimed)
		t->claimed = r;
	else
		PQclear(r);
	return false;
}

/*
 * Read the oldest trip through its sync, or (without block) only what
 * has come: 1 when done (*bad if it failed), 0 when not yet.
 */
static int
read_one(PGconn *conn, struct cr_trip *t, bool block, bool *bad,
	 struct st_error *err)
{
	PGresult *r;

	*bad = false;
	for (;;) {
		if (PQstatus(conn) == CONNECTION_BAD || t->step > 8) {
			if (err && !err->code)
				st_db_error(err, NULL, conn);
			*bad = true;
			return 1;
		}
		if (!block && (!PQconsumeInput(conn) || PQisBusy(conn))) {
			if (PQstatus(conn) == CONNECTION_BAD)
				continue;
			return 0;
		}
		if (!(r = PQgetResult(conn)))
			t->step++;
		else if (take(conn, t, r, bad, err))
			return 1;
	}
}

/* Off the queue; its claim no longer counts as under way. */
static void
pop(struct cr_pipe *p, struct cr_trip *t)
{
	p->claiming -= t->want;
	PQclear(t->claimed);
	t->claimed = NULL;
	p->head = (p->head + 1) % CR_TRIPS;
	p->n--;
}

int
cr_trip_read(struct st_db *db, struct cr_pipe *p, bool block, int *want,
	     struct cr_row **rows, int *n, struct st_error *err)
{
	PGconn *conn = st_db_conn(db);
	struct cr_trip *t = &p->q[p->head];
	bool bad = false;

	*rows = NULL;
	*n = 0;
	*want = 0;
	if (!p->n)
		return 1;
	if (!p->failed && read_one(conn, t, block, &bad, err) == 0)
		return 0;
	if (!p->failed && !bad) {
		*want = t->want;
		rows_from(t->claimed, rows, n);
		pop(p, t);
		if (!p->n)
			PQexitPipelineMode(conn);
		return 1;
	}
	/*
	 * A failure: read every trip queued. One after a failed COMMIT may
	 * still have claimed rows and committed: those are handed back to
	 * be released.
	 */
	if (!p->failed)
		pop(p, t);
	p->failed = true;
	while (p->n) {
		t = &p->q[p->head];
		read_one(conn, t, true, &bad, NULL);
		if (!bad)
			rows_from(t->claimed, rows, n);
		pop(p, t);
	}
	PQexitPipelineMode(conn);
	p->failed = false;
	st_db_rollback(db);
	if (err && !err->code)
		st_error_set(err, ST_EDB, "a round trip to the database "
			     "failed");
	return -1;
}
