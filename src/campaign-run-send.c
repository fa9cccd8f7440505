/*
 * campaign-run-send.c - the send loop of one campaign run: claim a few
 * rows, make each one's message, send them concurrently on curl multi,
 * record every answer.
 *
 * At most `concurrency` rows are claimed and not yet sent at any time,
 * so a runner killed mid-batch leaves only rows that went out SENDING
 * (UNKNOWN for the next run). Claims go on the run's connection, up to
 * CR_TRIPS queued at once, each its own committed transaction before a
 * request is made for its rows; outcomes go on a second connection, in
 * batches (64, or after 50 ms, or when nothing is in flight), so a claim
 * never waits behind a record. A third connection, in a thread, writes
 * the rest of the ledger of a large audience (campaign-run-fill.c).
 * Requests start only when the provider account's token bucket (the
 * integration's max_per_second, else WhatsApp's 80, ManyChat's 25,
 * UChat's 10 per second) and the campaign's (throttle.per_minute) both
 * have a token. Each lead gets one message, plus its voice note when the
 * campaign has a voice: the pair limit of WhatsApp (a burst of about 45
 * to one recipient) is not reached within a campaign.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "campaign-run-internal.h"
#include "campaign-run-loop.h"
#include "db-internal.h"
#include "strato/http.h"
#include "strato/send-async.h"
#include "strato/util.h"

#define FLUSH_MAX 64
#define FLUSH_SECONDS 0.05
#define CHECK_SECONDS 0.5
#define WAIT_RETRY_MAX 30.0

/* Monotonic seconds. */
double
cr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
bucket_init(struct bucket *b, double rate)
{
	b->rate = rate;
	b->burst = rate > 1 ? rate : 1;
	b->tokens = b->burst;
	b->last = cr_now();
}

static bool
bucket_ready(struct bucket *b, double now)
{
	if (b->rate <= 0)
		return true;
	b->tokens += (now - b->last) * b->rate;
	if (b->tokens > b->burst)
		b->tokens = b->burst;
	b->last = now;
	return b->tokens >= 1;
}

static void
bucket_take(struct bucket *b)
{
	if (b->rate > 0)
		b->tokens -= 1;
}

/* Free a job and what it holds; NULL is fine. */
void
cr_job_free(struct job *j)
{
	if (!j)
		return;
	cr_row_release(&j->row);
	free(j->contact);
	free(j->text);
	for (size_t i = 0; i < j->nparams; i++)
		free(j->params[i]);
	free(j->params);
	free(j->audio_url);
	free(j->ok_message);
	free(j->message_id);
	free(j);
}

static void
results_release(struct loop *L)
{
	for (size_t i = 0; i < L->nres; i++) {
		free(L->res[i].row_id);
		free(L->res[i].message_id);
		free(L->res[i].code);
		free(L->res[i].message);
		free(L->res[i].contact);
	}
	L->nres = 0;
}

/* Queue an outcome for row_id; strings are copied. */
struct cr_result *
cr_result_add(struct loop *L, const char *row_id, const char *estado,
       const char *reason, const char *message)
{
	struct cr_result *x;

	if (L->nres == L->cap) {
		L->cap = L->cap ? 2 * L->cap : 64;
		L->res = st_xrealloc(L->res, L->cap * sizeof(*L->res));
	}
	x = &L->res[L->nres++];
	memset(x, 0, sizeof(*x));
	x->row_id = st_xstrdup(row_id);
	x->estado = estado;
	x->reason = reason;
	x->message = message && *message ? st_xstrdup(message) : NULL;
	if (strcmp(estado, "SENT") == 0)
		L->r->sent++;
	else if (strcmp(estado, "FAILED") == 0)
		L->r->failed++;
	else if (strcmp(estado, "SKIPPED") == 0)
		L->r->skipped++;
	else if (strcmp(estado, "UNKNOWN") == 0)
		L->r->unknown++;
	if (strcmp(estado, "PENDING") != 0)
		L->done++;
	return x;
}

/* Queue a job to start, at the front (a voice note) or the back. */
void
cr_push_ready(struct loop *L, struct job *j, bool front)
{
	j->next = NULL;
	if (front) {
		j->next = L->ready;
		L->ready = j;
		if (!L->ready_tail)
			L->ready_tail = j;
	} else if (L->ready_tail) {
		L->ready_tail->next = j;
		L->ready_tail = j;
	} else {
		L->ready = L->ready_tail = j;
	}
	L->nready++;
}

/* Build the request of the job's next part. */
static int
prepare_request(struct loop *L, struct job *j, struct st_send_req *req,
		struct st_error *err)
{
	if (j->stage == 1)
		return st_send_prepare_audio(&L->chan, j->contact,
					     j->audio_url, req, err);
	if (j->use_template)
		return st_send_prepare_template(&L->chan, j->contact,
			json_string_value(json_object_get(L->c->tpl,
							  "nombre")),
			json_string_value(json_object_get(L->c->tpl,
							  "idioma")),
			(const char *const *)j->params, j->nparams, req, err);
	return st_send_prepare_text(&L->chan, j->contact, j->text, req, err);
}

/* The row's outcome once its message went out. */
static void
sent(struct loop *L, struct job *j, const char *reason, const char *message)
{
	struct cr_result *x = cr_result_add(L, j->row.id, "SENT", reason, message);

	x->message_id = j->message_id ? st_xstrdup(j->message_id) : NULL;
	x->voice_chars = j->voice_chars;
	x->voice_cached = j->voice_cached;
	/* a ManyChat/UChat contact looked up this run: kept on the lead,
	 * so the next campaign skips the lookup */
	if (!j->row.channel_id && j->contact &&
	    strcmp(L->chan.name, "WHATSAPP") != 0)
		x->contact = st_xstrdup(j->contact);
}

/*
 * The recipient's bucket: true when the message must wait for a token.
 * A message goes back to PENDING, due when there is one, the attempt
 * not counted; a voice note, whose text went out, is held in the loop
 * until then.
 */
static bool
pair_wait(struct loop *L, struct job *j, double now)
{
	struct cr_result *x;
	double wait;

	if (!L->use_pairs || !j->contact ||
	    (wait = cr_pairs_take(L->sh->pairs, j->contact, now)) <= 0)
		return false;
	if (j->stage == 1) {
		j->not_before = now + wait;
		j->next = L->held;
		L->held = j;
		L->nready++;
		return true;
	}
	x = cr_result_add(L, j->row.id, "PENDING", "pair_limit", NULL);
	x->release = true;
	x->retry_ms = (long)(wait * 1000) + 1;
	cr_job_free(j);
	return true;
}

/* Held voice notes whose time has come go first. */
static void
unhold(struct loop *L, double now)
{
	struct job **pp = &L->held;

	while (*pp) {
		struct job *j = *pp;

		if (j->not_before <= now) {
			*pp = j->next;
			L->nready--;
			cr_push_ready(L, j, true);
		} else {
			pp = &j->next;
		}
	}
}

/* Start ready jobs while a slot and both buckets' tokens allow. */
static void
start_jobs(struct loop *L)
{
	double now = cr_now();
	bool started = false;

	if (L->held)
		unhold(L, now);
	while (L->ready && L->inflight < (size_t)L->concurrency &&
	       bucket_ready(&L->acct, now) && bucket_ready(&L->camp, now)) {
		struct job *j = L->ready;
		struct st_send_req req;
		struct st_error err;

		L->ready = j->next;
		if (!L->ready)
			L->ready_tail = NULL;
		L->nready--;
		if (pair_wait(L, j, now))
			continue;
		st_error_init(&err);
		if (prepare_request(L, j, &req, &err) < 0) {
			if (j->stage)
				sent(L, j, "voice_not_sent", err.message);
			else
				cr_result_add(L, j->row.id, "FAILED",
				       "request_failed", err.message);
			cr_job_free(j);
			continue;
		}
		bucket_take(&L->acct);
		bucket_take(&L->camp);
		st_http_multi_add(L->m, &req.http, j);
		st_send_req_release(&req);
		L->inflight++;
		started = true;
	}
	if (started) /* out now, before any database round trip */
		st_http_multi_kick(L->m);
}

/* A send that was not accepted: retry later, skip, fail or UNKNOWN. */
static void
not_sent(struct loop *L, struct job *j, const struct st_send_result *sr,
	 const struct st_http_response *resp, const char *msg)
{
	struct cr_result *x;

	switch (sr->outcome) {
	case ST_SEND_RETRY_LATER:
		if (j->row.attempts >= L->max_attempts) {
			x = cr_result_add(L, j->row.id, "FAILED",
				   "retries_exhausted", msg);
		} else {
			x = cr_result_add(L, j->row.id, "PENDING", "retry", msg);
			x->retry_ms = cr_retry_ms(L, j->row.attempts,
					       resp->retry_after);
			L->r->retries++;
		}
		break;
	case ST_SEND_NEEDS_TEMPLATE:
		x = cr_result_add(L, j->row.id, "SKIPPED", "outside_24h", msg);
		break;
	case ST_SEND_UNKNOWN:
		x = cr_result_add(L, j->row.id, "UNKNOWN",
			   resp->outcome != ST_HTTP_DONE ? "no_answer"
			   : resp->status >= 500 ? "server_error"
			   : "unreadable_answer", msg);
		break;
	default:
		x = cr_result_add(L, j->row.id, "FAILED", "refused", msg);
		break;
	}
	if (sr->code)
		x->code = st_xasprintf("%ld", sr->code);
	else if (resp->status)
		x->code = st_xasprintf("HTTP %ld", resp->status);
}

/*
 * A transfer ended: read the answer, move the job on (its voice note
 * next) or queue its outcome. Provider errors (no answer, 5xx, 401, 403)
 * in a row count toward failing the campaign; an accepted send resets.
 */
static void
on_done(struct loop *L, struct job *j, const struct st_http_response *resp,
	const struct st_error *herr)
{
	struct st_send_result sr;
	struct st_error err;
	const char *msg;
	int rc;

	st_error_init(&err);
	L->inflight--;
	rc = st_send_finish(L->chan.name, resp, &sr, &err);
	msg = resp->outcome != ST_HTTP_DONE ? herr->message : err.message;
	if (resp->outcome != ST_HTTP_DONE || resp->status >= 500 ||
	    resp->status == 401 || resp->status == 403) {
		L->consecutive++;
		free(L->last_error);
		L->last_error = st_xstrdup(msg);
	} else if (rc == 0) {
		L->consecutive = 0;
	}
	if (j->stage == 1) {
		sent(L, j, rc == 0 ? j->ok_reason : "voice_not_sent",
		     rc == 0 ? j->ok_message : msg);
	} else if (rc == 0 && j->audio_url) {
		j->message_id = sr.message_id;
		sr.message_id = NULL;
		j->stage = 1;
		cr_push_ready(L, j, true);
		j = NULL;
	} else if (rc == 0) {
		j->message_id = sr.message_id;
		sr.message_id = NULL;
		sent(L, j, j->ok_reason, j->ok_message);
	} else {
		not_sent(L, j, &sr, resp, msg);
	}
	st_send_result_release(&sr);
	cr_job_free(j);
}

/*
 * Wait up to ms for answers, or for the database's when a trip is under
 * way; take every answer that has come.
 */
static void
collect(struct loop *L, long ms)
{
	struct st_http_response resp;
	struct st_error err;
	void *tag = NULL;

	st_error_init(&err);
	st_http_multi_watch(L->m, L->pipe.n ? cr_trip_socket(L->db) : -1,
			    L->rpipe.n ? cr_trip_socket(L->rec_db) : -1);
	while (st_http_multi_next(L->m, ms, &tag, &resp, &err) == 1) {
		on_done(L, tag, &resp, &err);
		st_http_response_release(&resp);
		st_error_init(&err);
		ms = 0;
	}
}

/* The account's rate: the integration's max_per_second, else a default. */
static double
account_rate(const struct st_provider *p)
{
	const char *s = st_provider_conf(p, "max_per_second");

	if (s && *s)
		return atof(s);
	if (strcmp(p->name, "WHATSAPP") == 0)
		return 80;
	return strcmp(p->name, "MANYCHAT") == 0 ? 25 : 10;
}

/*
 * The per-recipient bucket: the integration's pair_burst messages at
 * most, one more every pair_interval_s seconds; by default WhatsApp's
 * pair limit (45, 6 s) and none on the other channels. pair_burst 0
 * turns it off.
 */
static struct cr_pairs *
pair_limit(const struct st_provider *p)
{
	const char *b = st_provider_conf(p, "pair_burst");
	const char *i = st_provider_conf(p, "pair_interval_s");
	bool wa = strcmp(p->name, "WHATSAPP") == 0;
	int burst = b && *b ? atoi(b) : wa ? 45 : 0;

	if (burst <= 0)
		return NULL;
	return cr_pairs_new(i && *i ? atof(i) : 6, burst);
}

static long
env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v && atol(v) > 0 ? atol(v) : def;
}

/* Open the channel (and the voice), the multi handle and the buckets. */
static int
loop_open(struct loop *L, struct st_error *err)
{
	const struct st_campaign_run_opts *o = L->o;
	struct cr_pairs *mine;

	L->concurrency = o->concurrency > 0 ? o->concurrency : 8;
	L->max_attempts = o->max_attempts > 0 ? o->max_attempts : 5;
	L->fail_after = o->fail_after > 0 ? o->fail_after : 25;
	L->backoff_ms = env_long("STRATO_CAMPAIGN_BACKOFF_MS", 2000);
	if (st_provider_open(L->db, L->c->tenant_id, L->c->channel, o->key,
			     &L->chan, err) < 0)
		return -1;
	if (L->c->voice && cr_voice_open(L->db, o, L->c->tenant_id, &L->voice,
					 err) < 0)
		return -1;
	L->m = st_http_multi_new(L->concurrency);
	bucket_init(&L->acct, account_rate(&L->chan));
	if ((mine = pair_limit(&L->chan))) {
		/* the tenant's table, if an earlier campaign made it */
		if (L->sh->pairs)
			cr_pairs_free(mine);
		else
			L->sh->pairs = mine;
		L->use_pairs = true;
	}
	bucket_init(&L->camp, L->c->per_second);
	L->to_send = L->r->pending;
	L->t0 = L->last_flush = cr_now();
	return 0;
}

static void
loop_close(struct loop *L)
{
	struct job *j;

	unhold(L, 1e300);
	while ((j = L->ready)) {
		L->ready = j->next;
		cr_job_free(j);
	}
	cr_filler_stop(&L->fill);
	cr_filler_join(&L->fill, NULL);
	results_release(L);
	free(L->res);
	st_http_multi_free(L->m);
	cr_voice_close(&L->voice);
	st_provider_close(&L->chan);
	free(L->last_error);
}

/*
 * Jobs not started when the run stops: back to PENDING as if never
 * claimed; a voice note whose text went out ends the row SENT.
 */
static void
release_ready(struct loop *L)
{
	struct job *j;

	unhold(L, 1e300);
	while ((j = L->ready)) {
		L->ready = j->next;
		L->nready--;
		if (j->stage == 1)
			sent(L, j, "voice_not_sent", "the run stopped first");
		else
			cr_result_add(L, j->row.id, "PENDING", NULL, NULL)->release =
				true;
		cr_job_free(j);
	}
	L->ready_tail = NULL;
}

/* Progress about once a second: the counts, the rate and the ETA. */
static void
progress(struct loop *L, double now, bool done)
{
	double rate = now > L->t0 ? (double)L->done / (now - L->t0) : 0;
	long long left = L->to_send - L->done;

	L->r->seconds = now - L->t0;
	L->r->eta_seconds = rate > 0 && left > 0 ? (double)left / rate
			    : left > 0 ? -1 : 0;
	if (L->o->progress)
		L->o->progress(L->r, done, L->o->arg);
}

/* Why to stop taking new rows now, or NULL to go on. */
static const char *
check_stop(struct loop *L, double now, double t0, struct st_error *err,
	   bool *failed)
{
	char *estado = NULL;
	const char *why = NULL;

	*failed = false;
	if (L->o->stop && *L->o->stop)
		return "signal";
	if (L->o->deadline > 0 && now - t0 >= L->o->deadline)
		return "deadline";
	if (cr_estado(L->db, L->c, &estado, err) < 0) {
		*failed = true;
		return "error";
	}
	if (strcmp(estado, "PAUSED") == 0)
		why = "paused";
	else if (strcmp(estado, "CANCELLED") == 0)
		why = "cancelled";
	else if (strcmp(estado, "RUNNING") != 0)
		why = "estado changed";
	free(estado);
	return why;
}

/*
 * How many rows to claim now: what the free slots can take (less what
 * the claims under way will bring), within the budget. While sends are
 * in flight, wait for a sixteenth of the slots to be free: one claim
 * then serves a few.
 */
static int
claimable(struct loop *L, long long budget)
{
	int want = L->concurrency - (int)(L->inflight + L->nready) -
		   L->pipe.claiming;
	int batch = L->concurrency / 16 > 1 ? L->concurrency / 16 : 1;

	if (budget >= 0)
		budget -= L->pipe.claiming;
	if (budget >= 0 && want > budget)
		want = (int)budget;
	if (want <= 0 || (want < batch && L->inflight + L->pipe.claiming > 0 &&
			  (budget < 0 || want < budget)))
		return 0;
	return want;
}

/*
 * Queue round trips while there is room: a claim when slots are free
 * (unless stopping), and the outcomes to record (64 of them, or 50 ms
 * old, or nothing else in flight) when no record is under way. A claim
 * goes first: its rows come back without waiting for the record. With
 * hold (the campaign's estado is to be read) nothing is queued, so the
 * queue drains.
 */
static int
trip_start(struct loop *L, long long budget, bool stopping, bool hold,
	   double now, struct st_error *err)
{
	int want, slot;

	if (hold)
		return 0;
	want = stopping || now < L->claim_after ? 0 : claimable(L, budget);
	if (want > 0 && L->pipe.n < CR_TRIPS) {
		slot = (L->pipe.head + L->pipe.n) % CR_TRIPS;
		if (cr_trip_send(L->db, L->c, NULL, 0, want, &L->pipe,
				 err) < 0)
			return -1;
		L->claim_whole[slot] = !L->c->filling;
	}
	if (L->nres && !L->rpipe.n &&
	    (L->nres >= FLUSH_MAX || L->inflight == 0 ||
	     now - L->last_flush >= FLUSH_SECONDS)) {
		if (cr_trip_send(L->rec_db, L->c, L->res, L->nres, 0,
				 &L->rpipe, err) < 0)
			return -1;
		results_release(L);
		L->last_flush = now;
	}
	return 0;
}

/*
 * Take the answers of the trips that have come (or wait for all of
 * them, block): the records, then the claims. Claimed rows become jobs,
 * the budget counts them down. An empty claim ends the sending only if
 * the ledger was whole when it was sent; while it is still being
 * written, claims go on.
 */
static int
trip_finish(struct loop *L, bool block, long long *budget,
	    struct st_error *err)
{
	struct cr_row *rows = NULL;
	int want = 0, n = 0, rc = 1;

	while (L->rpipe.n && rc > 0) {
		rc = cr_trip_read(L->rec_db, &L->rpipe, block, &want, &rows,
				  &n, err);
		free(rows); /* a record claims nothing */
	}
	if (rc < 0)
		return -1;
	while (L->pipe.n) {
		int slot = L->pipe.head;

		rc = cr_trip_read(L->db, &L->pipe, block, &want, &rows, &n,
				  err);
		if (rc == 0)
			return 0;
		if (rc < 0) {
			/* claimed and committed after a failure: unclaim */
			for (int i = 0; i < n; i++) {
				cr_result_add(L, rows[i].id, "PENDING", NULL,
					      NULL)->release = true;
				cr_row_release(&rows[i]);
			}
			free(rows);
			return -1;
		}
		L->empty = n == 0 && L->claim_whole[slot];
		L->claim_after = n ? 0 : cr_now() + (L->empty ? 0.1 : 0.02);
		if (*budget > 0)
			*budget -= n;
		for (int i = 0; i < n; i++)
			cr_prepare_row(L, &rows[i]);
		free(rows);
	}
	return 0;
}

/*
 * The thread writing the ledger: what it added joins the counts; once
 * it has ended, join it. A stop other than a cancel or a failure (which
 * skip what is left, so the ledger must be whole first) stops it.
 */
static int
fill_poll(struct loop *L, const char *why, struct st_error *err)
{
	struct cr_filler *f = &L->fill;
	long long p, s;
	int rc = 0;

	if (!f->running)
		return 0;
	if (why && strcmp(why, "cancelled") != 0 && strcmp(why, "failed") != 0)
		cr_filler_stop(f);
	if (atomic_load(&f->done)) {
		rc = cr_filler_join(f, err);
		if (f->whole)
			L->c->filling = false;
	}
	p = atomic_exchange(&f->pending, 0);
	s = atomic_exchange(&f->skipped, 0);
	L->to_send += p;
	L->r->pending += p;
	L->r->skipped += s;
	L->r->audience += p + s;
	return rc;
}

/*
 * With nothing in flight and nothing due: 1 to stop (*why says if work
 * is left for a later run), 0 after a short wait for the next retry.
 */
static int
idle(struct loop *L, double now, double t0, const char **why,
     struct st_error *err)
{
	double s;

	if (cr_next_retry(L->db, L->c, &s, err) < 0)
		return -1;
	if (s < 0)
		return 1;
	if (s > WAIT_RETRY_MAX ||
	    (L->o->deadline > 0 && now - t0 + s >= L->o->deadline)) {
		*why = "waiting";
		return 1;
	}
	return 0;
}

/*
 * After an error: take what comes back from the transfers and the trip
 * under way, put back what was not started, record what can be.
 */
static void
drain(struct loop *L, long long *budget)
{
	struct st_error e2;

	st_error_init(&e2);
	while (L->inflight)
		collect(L, 100);
	trip_finish(L, true, budget, &e2);
	release_ready(L);
	if (L->nres && L->rec_db &&
	    cr_trip_send(L->rec_db, L->c, L->res, L->nres, 0,
				    &L->rpipe, &e2) == 0)
		trip_finish(L, true, budget, &e2);
	results_release(L);
	cr_filler_stop(&L->fill);
	cr_filler_join(&L->fill, NULL);
}

/* Why to stop (or NULL): the checks that need no database. */
static const char *
quick_stop(struct loop *L, long long budget)
{
	if (L->consecutive >= L->fail_after)
		return "failed";
	if (budget == 0)
		return "max-sends";
	return NULL;
}

/*
 * The loop: read the campaign's estado now and then, take the trip's
 * answer, start the next trip, start what is ready, wait for answers.
 * It ends with nothing in flight, nothing to record, and either a stop
 * (*why) or nothing left to claim.
 */
static int
run_loop(struct loop *L, double t0, long long *budget, const char **why,
	 struct st_error *err)
{
	double next_check = 0, next_progress = cr_now() + 1;
	bool failed = false;
	int rc;

	for (;;) {
		double now = cr_now();
		bool check = !*why && now >= next_check;

		if (check && !L->pipe.n) {
			*why = check_stop(L, now, t0, err, &failed);
			if (failed)
				return -1;
			next_check = now + CHECK_SECONDS;
			check = false;
		}
		if (!*why)
			*why = quick_stop(L, *budget);
		if (*why)
			release_ready(L);
		if (trip_finish(L, false, budget, err) < 0 ||
		    fill_poll(L, *why, err) < 0 ||
		    trip_start(L, *budget, *why != NULL, check, now, err) < 0)
			return -1;
		start_jobs(L);
		if (now >= next_progress) {
			progress(L, now, false);
			next_progress = now + 1;
		}
		if (!L->inflight && !L->nready && !L->nres && !L->pipe.n &&
		    !L->rpipe.n && !L->fill.running && (*why || L->empty)) {
			if (*why)
				return 0;
			if ((rc = idle(L, now, t0, why, err)) != 0)
				return rc < 0 ? -1 : 0;
		}
		collect(L, L->nready ? 2 : 10);
	}
}

/*
 * Send the campaign's due rows until none is left, or a stop: *stop
 * says which (NULL when the ledger has nothing PENDING any more;
 * "paused", "cancelled", "failed", "deadline", "signal", "max-sends",
 * "waiting" for retries due later). *last_error (a new string) is the
 * last provider error. budget counts claims down (-1: no limit).
 */
int
cr_send_all(struct st_db *db, const struct st_campaign_run_opts *o,
	    struct cr_campaign *c, double t0, long long *budget,
	    struct cr_shared *sh, struct st_campaign_report *r,
	    const char **stop, char **last_error, struct st_error *err)
{
	struct loop L;
	const char *why = NULL;
	int ret = -1;

	memset(&L, 0, sizeof(L));
	L.db = db;
	L.o = o;
	L.c = c;
	L.r = r;
	L.sh = sh;
	*stop = NULL;
	*last_error = NULL;
	if (loop_open(&L, err) < 0) {
		*stop = "failed";
		*last_error = st_xstrdup(err->message);
		st_error_init(err);
		ret = 0;
		goto cleanup;
	}
	if ((!sh->rec_db && !(sh->rec_db = st_db_clone(db, err))) ||
	    !(L.rec_db = sh->rec_db) ||
	    (L.c->filling && cr_filler_start(db, c, &L.fill, err) < 0) ||
	    run_loop(&L, t0, budget, &why, err) < 0)
		goto cleanup;
	*stop = why;
	*last_error = L.last_error;
	L.last_error = NULL;
	ret = 0;
cleanup:
	if (ret < 0)
		drain(&L, budget);
	progress(&L, cr_now(), false);
	loop_close(&L);
	return ret;
}
