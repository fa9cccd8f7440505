/*
 * campaign-run-internal.h - what the parts of the campaign engine share:
 * campaign-run.c (the order of things), campaign-run-ledger.c (all of its
 * SQL), campaign-run-send.c (the send loop on curl multi) and
 * campaign-run-voice.c (synthesis and its cache).
 */
#ifndef STRATO_CAMPAIGN_RUN_INTERNAL_H
#define STRATO_CAMPAIGN_RUN_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "strato/campaign-run.h"
#include "strato/provider.h"

/* The lead's id in a channel ($5). */
#define CHANNEL_ID "(CASE $5::text WHEN 'MANYCHAT' THEN l.manychat_id" \
	" WHEN 'UCHAT' THEN l.uchat_id ELSE l.wa_id END)"

/* The lead wrote to the tenant in the last 24 hours. */
#define IN_24H "EXISTS (SELECT 1 FROM strato.conversation cv" \
	" JOIN strato.message m ON m.tenant_id = cv.tenant_id" \
	" AND m.conversation_id = cv.id WHERE cv.tenant_id = l.tenant_id" \
	" AND cv.lead_id = l.id AND m.direccion = 'ENTRANTE'" \
	" AND m.created_at > now() - interval '24 hours')"

/* The campaign being run, as read when it started. */
struct cr_campaign {
	char *tenant_id;
	char *id;
	char *nombre;
	char *tipo;
	char *estado;
	int occurrence;
	json_t *config;
	const char *channel;  /* config.channel (borrowed) */
	const char *text;     /* config.message.text, or NULL */
	json_t *tpl;          /* config.message.template (borrowed), or NULL */
	bool voice;           /* config.voice.enabled */
	bool voice_fallback;  /* config.voice.fallback: text alone on failure */
	char *voice_id;       /* config's, else the assistant's, or NULL */
	char *since;          /* OPORTUNIDADES: properties published after */
	double per_second;    /* config.throttle.per_minute / 60, or 0 */
	bool integration;     /* the channel's integration is active */
	bool filling;         /* the ledger is not whole yet */
};

/* A claimed ledger row (SENDING), with what sending it needs. */
struct cr_row {
	char *id;
	char *lead_id;
	int attempts;
	json_t *vars;       /* the snapshot: personalisation values */
	char *phone;        /* E.164, or NULL */
	char *channel_id;   /* the lead's id in the channel, or NULL */
	bool gone;          /* opted out or deleted since the start */
	bool in_window;     /* wrote to us in the last 24 hours */
};

/* What a row becomes, recorded in batches. */
struct cr_result {
	const char *estado;  /* SENT, FAILED, SKIPPED, UNKNOWN, PENDING */
	const char *reason;  /* or NULL */
	char *row_id;
	char *message_id;
	char *code;
	char *message;
	long retry_ms;       /* PENDING: wait before the next attempt */
	bool release;        /* PENDING without an attempt (not started) */
	int voice_chars;
	bool voice_cached;
	char *contact;       /* a ManyChat/UChat id found this run, to keep
			      * on the lead, or NULL */
};

void cr_campaign_release(struct cr_campaign *c);
void cr_row_release(struct cr_row *r);

/* campaign-run-ledger.c */
int cr_due(struct st_db *db, const char *tenant_id, const char *ref,
	   json_t **out, struct st_error *err);
int cr_lock(struct st_db *db, const char *tenant_id, const char *id,
	    bool *got, struct st_error *err);
void cr_unlock(struct st_db *db, const char *tenant_id, const char *id);
int cr_start(struct st_db *db, const struct st_campaign_run_opts *o,
	     const char *tenant_id, const char *id, struct cr_campaign *c,
	     struct st_campaign_report *r, struct st_error *err);
int cr_estado(struct st_db *db, const struct cr_campaign *c, char **estado,
	      struct st_error *err);
int cr_next_retry(struct st_db *db, const struct cr_campaign *c,
		  double *seconds, struct st_error *err);
int cr_finish(struct st_db *db, struct cr_campaign *c, const char *stop,
	      const char *last_error, struct st_campaign_report *r,
	      struct st_error *err);

/*
 * campaign-run-fill.c: the ledger written in parts, the first at the
 * start (CR_FILL_FIRST leads), the rest by a thread beside the sending.
 */
#define CR_FILL_FIRST 500

struct cr_fill_args {
	char *tenant_id;
	char *id;
	char *channel;
	char *audience;     /* config.audience as JSON text */
	int occurrence;
	bool integration;   /* the channel's integration is active */
	bool window;        /* a text: the 24-hour window applies */
};

struct cr_filler {
	pthread_t thread;
	bool running;              /* started and not joined */
	struct st_db *db;          /* its own connection */
	struct cr_fill_args args;
	atomic_bool stop;          /* asked to stop */
	atomic_bool done;          /* it ended (joined next) */
	atomic_llong pending;      /* rows it added, PENDING */
	atomic_llong skipped;      /* and SKIPPED */
	bool whole;                /* it wrote the last part */
	bool failed;               /* with err */
	struct st_error err;
};

void cr_fill_args_init(struct cr_fill_args *a, const struct cr_campaign *c);
void cr_fill_args_release(struct cr_fill_args *a);
int cr_fill_part(struct st_db *db, const struct cr_fill_args *a, long limit,
		 long long *pending, long long *skipped, bool *whole,
		 struct st_error *err);
int cr_filler_start(struct st_db *db, const struct cr_campaign *c,
		    struct cr_filler *f, struct st_error *err);
void cr_filler_stop(struct cr_filler *f);
int cr_filler_join(struct cr_filler *f, struct st_error *err);

/*
 * campaign-run-trip.c: round trips to the database, not waited for. A
 * trip is one transaction: the outcomes to record, or rows to claim. Up
 * to CR_TRIPS are queued on the connection at once (libpq's pipeline
 * mode); the server runs them in order and answers each as it ends.
 */
#define CR_TRIPS 3

struct cr_trip {
	int want;        /* rows it claims; 0 when it records */
	int step;        /* which statement's results are being read */
	int claim_step;  /* the claim's, or -1 */
	PGresult *claimed;
};

struct cr_pipe {
	struct cr_trip q[CR_TRIPS];
	int head, n;     /* the oldest under way, how many */
	int claiming;    /* rows the claims under way ask for */
	bool failed;
};

int cr_trip_send(struct st_db *db, const struct cr_campaign *c,
		 const struct cr_result *res, size_t nres, int claim,
		 struct cr_pipe *p, struct st_error *err);
/*
 * Take the oldest trip's answer, if it has all come (block: wait for
 * it). 1 when it has, committed: *want what it claimed, its rows in
 * *rows (a new array of *n); 0 while it has not; -1 with err when a
 * statement failed or the connection broke: every trip queued is then
 * read, the transaction rolled back, and *rows holds the rows a later
 * trip did claim and commit (to be released).
 */
int cr_trip_read(struct st_db *db, struct cr_pipe *p, bool block, int *want,
		 struct cr_row **rows, int *n, struct st_error *err);
int cr_trip_socket(struct st_db *db);

/*
 * campaign-run-pair.c: a token bucket per recipient (WhatsApp's pair
 * rate limit).
 */
struct cr_pairs;
struct cr_pairs *cr_pairs_new(double interval, int burst);
void cr_pairs_free(struct cr_pairs *p);
/* 0 with a token taken for a message to `to`, else seconds to wait. */
double cr_pairs_take(struct cr_pairs *p, const char *to, double now);
/* Count a message that cannot wait (a voice note after its text). */
void cr_pairs_charge(struct cr_pairs *p, const char *to, double now);

/* campaign-run-send.c */
/*
 * What the campaigns of one run share: the connection outcomes are
 * recorded on (opened by the first campaign that sends, closed at the
 * end of the run) and the current tenant's per-recipient buckets.
 */
struct cr_shared {
	struct st_db *rec_db;
	struct cr_pairs *pairs;
};

int cr_send_all(struct st_db *db, const struct st_campaign_run_opts *o,
		struct cr_campaign *c, double t0, long long *budget,
		struct cr_shared *sh, struct st_campaign_report *r,
		const char **stop,
		char **last_error,
		struct st_error *err);
double cr_now(void);

/* campaign-run-voice.c */
struct cr_voice {
	struct st_provider p;
	bool open;
	char *cache_dir;
	char *media_base_url;
	char *model_id;
	char *format;
};

int cr_voice_open(struct st_db *db, const struct st_campaign_run_opts *o,
		  const char *tenant_id, struct cr_voice *v,
		  struct st_error *err);
void cr_voice_close(struct cr_voice *v);
/*
 * The audio of text in voice_id for channel chan: *url its link under
 * the media base URL, or on WhatsApp "media:<id>" of its upload (a new
 * string); *chars what was paid for (0 on a cache hit).
 */
int cr_voice_get(struct st_db *db, struct cr_voice *v, const char *tenant_id,
		 const char *voice_id, const char *text,
		 struct st_provider *chan, char **url, int *chars,
		 bool *cached, struct st_error *err);

#endif
