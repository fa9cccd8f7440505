/*
 * campaign-run.h - the batch engine behind `strato-etl campaigns run`:
 * due campaigns sent through the tenant's channel, every outcome in the
 * send ledger (strato.campaign_send), nothing sent twice.
 *
 * A campaign is due when SCHEDULED with scheduled_at passed, or RUNNING
 * (a run that stopped early, or rows waiting for a retry). Each is worked
 * under a session advisory lock of its own (pg_try_advisory_lock): a
 * second runner, on this host or another, finds it taken and passes on.
 *
 * Starting (SCHEDULED -> RUNNING) fills the ledger once per occurrence
 * from the audience (opt-out leads never in it): PENDING, or SKIPPED with
 * a reason (no_phone, invalid_phone, no_integration, outside_24h). The
 * rows are then claimed a few at a time: PENDING -> SENDING is committed
 * before the HTTP call, and only the provider's answer moves a row on:
 * SENT (with the provider's message id), FAILED (permanent, with code and
 * message), or back to PENDING with its attempt count and the time of
 * the next attempt (429, 503, or nothing sent). A row found SENDING when
 * a run starts was in flight when a runner died: it becomes UNKNOWN and
 * is not resent, unless resend_unknown. Sends run concurrently on curl
 * multi, paced by a token bucket per provider account and per campaign.
 *
 * The campaign's estado is read back every half second: PAUSED stops the
 * run (in-flight sends are recorded, the rest stay PENDING), CANCELLED
 * also marks what is left SKIPPED (cancelled). When nothing is left the
 * campaign is COMPLETED, or SCHEDULED again after its recurrence with
 * the next occurrence number; after fail_after consecutive provider
 * errors it is FAILED with the last error and the rest SKIPPED.
 *
 * The library never prints; progress comes through a callback.
 */
#ifndef STRATO_CAMPAIGN_RUN_H
#define STRATO_CAMPAIGN_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "strato/crypto.h"
#include "strato/db.h"
#include "strato/error.h"

/* What became of one campaign in a run (and its progress so far). */
struct st_campaign_report {
	char *tenant_id;
	char *campaign_id;
	char *nombre;
	char *estado;      /* the campaign's estado when the run left it */
	char *note;        /* why it stopped or was passed over, or NULL */
	bool locked;       /* another runner had it */
	long long audience; /* ledger rows of this occurrence */
	long long sent, failed, skipped, unknown, retries;
	long long pending; /* left PENDING (retries, a stop) */
	long long voice_chars, voice_hits;
	double seconds;
	double eta_seconds; /* progress only: at the current rate, or -1 */
};

struct st_campaign_run_summary {
	size_t n;
	struct st_campaign_report *items;
	bool stopped; /* by the deadline or a signal, with work left */
};

struct st_campaign_run_opts {
	const char *tenant_id;  /* NULL: every tenant */
	const char *campaign;   /* id or name; NULL: every due one */
	long long max_sends;    /* 0: no limit */
	int concurrency;        /* sends in flight; 0: 8 */
	double deadline;        /* seconds from the start; 0: none */
	bool dry_run;           /* count what would go; change nothing */
	bool resend_unknown;    /* UNKNOWN and SENDING rows go again */
	int max_attempts;       /* per row before FAILED; 0: 5 */
	int fail_after;         /* consecutive provider errors; 0: 25 */
	const struct st_crypto_key *key; /* to open the integrations */
	volatile sig_atomic_t *stop;     /* set (by a signal) to stop */
	/* called about once a second per running campaign, and at its end */
	void (*progress)(const struct st_campaign_report *r, bool done,
			 void *arg);
	void *arg;
};

void st_campaign_run_summary_release(struct st_campaign_run_summary *s);

/*
 * Run every due campaign (of opts->tenant_id, or only opts->campaign).
 * Returns 0 when every campaign was worked or passed over for a reason
 * (out says which); -1 with err when the engine itself failed (the
 * database, the master key). A campaign whose provider failed is not an
 * error of the run: it is FAILED in out.
 */
int st_campaign_run(struct st_db *db, const struct st_campaign_run_opts *o,
		    struct st_campaign_run_summary *out, struct st_error *err);

#endif
