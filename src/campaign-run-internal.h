/*
 * campaign-run-internal.h - what the parts of the campaign engine share:
 * campaign-run.c (the order of things), campaign-run-ledger.c (all of its
 * SQL), campaign-run-send.c (the send loop on curl multi) and
 * campaign-run-voice.c (synthesis and its cache).
 */
#ifndef STRATO_CAMPAIGN_RUN_INTERNAL_H
#define STRATO_CAMPAIGN_RUN_INTERNAL_H

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
 * campaign-run-trip.c: one round trip to the database, not waited for:
 * the outcomes to record and the rows to claim, in one transaction.
 */
struct cr_trip {
	bool busy;       /* sent, its answer not read yet */
	bool failed;
	int step;        /* which statement's results are being read */
	int claim_step;  /* the claim's, or -1 */
	PGresult *claimed;
};

int cr_trip_send(struct st_db *db, const struct cr_campaign *c,
		 const struct cr_result *res, size_t nres, int claim,
		 struct cr_trip *t, struct st_error *err);
int cr_trip_read(struct st_db *db, struct cr_trip *t, bool block,
		 struct cr_row **rows, int *n, struct st_error *err);
int cr_trip_socket(struct st_db *db);

/* campaign-run-send.c */
int cr_send_all(struct st_db *db, const struct st_campaign_run_opts *o,
		struct cr_campaign *c, double t0, long long *budget,
		struct st_campaign_report *r, const char **stop,
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
