/*
 * campaign-run-loop.h - what the send loop (campaign-run-send.c) shares
 * with the making of each row's message (campaign-run-prepare.c).
 */
#ifndef STRATO_CAMPAIGN_RUN_LOOP_H
#define STRATO_CAMPAIGN_RUN_LOOP_H

#include "campaign-run-internal.h"
#include "strato/http.h"
#include "strato/send-async.h"

/* One row on its way: its message, and which part of it goes next. */
struct job {
	struct cr_row row;
	char *contact;
	char *text;         /* the rendered text, or NULL */
	char **params;      /* the template's rendered variables */
	size_t nparams;
	bool use_template;
	char *audio_url;    /* the voice note to send after the text */
	int voice_chars;
	bool voice_cached;
	const char *ok_reason; /* e.g. voice_fallback, kept when SENT */
	char *ok_message;
	int stage;          /* 0: the message, 1: the voice note */
	double not_before;  /* held for the recipient's bucket until */
	char *message_id;   /* of the message, once accepted */
	struct job *next;
};

struct bucket {
	double rate;  /* tokens per second; 0: no limit */
	double burst;
	double tokens;
	double last;
};

struct loop {
	struct st_db *db;
	const struct st_campaign_run_opts *o;
	struct cr_campaign *c;
	struct st_campaign_report *r;
	struct st_provider chan;
	struct cr_voice voice;
	struct st_http_multi *m;
	struct job *ready, *ready_tail;
	size_t nready, inflight;
	struct cr_result *res;
	size_t nres, cap;
	struct bucket acct, camp;
	struct cr_shared *sh;  /* the run's record connection, the tenant's
				* per-recipient buckets */
	bool use_pairs;       /* the channel has a per-recipient limit */
	struct job *held;     /* voice notes waiting for their recipient's
			       * token (counted in nready) */
	int concurrency;
	int max_attempts;
	int fail_after;
	long backoff_ms;
	int consecutive;     /* provider errors in a row */
	char *last_error;
	double last_flush;
	struct cr_pipe pipe; /* the claims under way (on db) */
	struct st_db *rec_db; /* the records' connection (sh->rec_db) */
	struct cr_pipe rpipe; /* the records under way (on rec_db) */
	bool claim_whole[CR_TRIPS]; /* the ledger was whole when each was
				     * sent (an empty claim then means done) */
	struct cr_filler fill; /* the thread writing the rest of the ledger */
	double claim_after;  /* no claim before (after an empty one) */
	bool empty;          /* the last claim found nothing due */
	long long to_send;   /* PENDING at the start, for the ETA */
	long long done;      /* rows this run brought to an end */
	double t0;
};

void cr_job_free(struct job *j);
/* Queue an outcome for row_id (strings copied); the live counts follow. */
struct cr_result *cr_result_add(struct loop *L, const char *row_id,
				const char *estado, const char *reason,
				const char *message);
void cr_push_ready(struct loop *L, struct job *j, bool front);
/* The wait before a row's next attempt, Retry-After first. */
long cr_retry_ms(struct loop *L, int attempts, long retry_after);
/*
 * Turn a claimed row into a job ready to send, or into its outcome (a
 * skip, a failure, a retry) without any request. Takes the row.
 */
void cr_prepare_row(struct loop *L, struct cr_row *row);

#endif
