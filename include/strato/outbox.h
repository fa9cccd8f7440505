/*
 * outbox.h - outbound messages delivered through the lead's channel.
 *
 * A message waits as QUEUED. Delivering it claims it first (SENDING,
 * committed) and only the provider's answer moves it on: SENT with the
 * provider's id; QUEUED again with a next attempt time when nothing went
 * out (rate limits, 503, no connection); FAILED when it never will (a
 * refusal, outside the WhatsApp 24-hour window, no channel); UNKNOWN when
 * it may have gone out (a 500 or a timeout after the request left). An
 * UNKNOWN message is never resent by itself. A SENDING message older than
 * ST_OUTBOX_STALE_SECONDS is one a crash left in flight: a run marks it
 * UNKNOWN. So no message is ever sent twice.
 *
 * The channel: the conversation's provider, else the one the lead has an
 * id on (WhatsApp, ManyChat, UChat), else the tenant's first active
 * channel integration (in that order) by the lead's phone. Opening an
 * integration decrypts its secrets: service logins and tenant admins
 * only, with the master key.
 */
#ifndef STRATO_OUTBOX_H
#define STRATO_OUTBOX_H

#include <stdbool.h>

#include "strato/crypto.h"
#include "strato/db.h"
#include "strato/error.h"

#define ST_OUTBOX_STALE_SECONDS 600
#define ST_OUTBOX_MAX_ATTEMPTS 8

struct st_outbox;

/* What became of one message. */
struct st_outbox_result {
	char *message_id;
	char *estado;          /* SENT, QUEUED, FAILED, UNKNOWN; or NULL:
				* not due, or another run has it */
	char *provider;        /* the channel it went to, or NULL */
	char *external_id;     /* the provider's id when SENT */
	char *error;           /* why, when not SENT */
	char *next_attempt_at; /* when QUEUED */
};

struct st_outbox_summary {
	long sent;
	long queued;    /* to be tried again later */
	long failed;
	long unknown;
	long recovered; /* left SENDING by a crash: now UNKNOWN */
	long skipped;   /* taken by another run meanwhile */
};

/* Can this login deliver at all (opens integrations)? */
bool st_outbox_may_send(const struct st_db *db);

/*
 * The tenant's outbox, its channel integrations opened as needed with key
 * (borrowed: keep it until st_outbox_close).
 */
struct st_outbox *st_outbox_open(struct st_db *db, const char *tenant_id,
				 const struct st_crypto_key *key);
/* Wipe the opened integrations' secrets and free. Accepts NULL. */
void st_outbox_close(struct st_outbox *ob);

/*
 * Deliver one QUEUED message now (when due). -1 only when the database
 * failed; every provider outcome is recorded and reported in *res.
 */
int st_outbox_deliver(struct st_outbox *ob, const char *message_id,
		      struct st_outbox_result *res, struct st_error *err);
void st_outbox_result_release(struct st_outbox_result *res);

/*
 * A run over the tenant: messages a crash left SENDING become UNKNOWN,
 * then every due QUEUED message is delivered, oldest first, at most limit
 * (0: all). Counts add to *sum.
 */
int st_outbox_run(struct st_outbox *ob, long limit,
		  struct st_outbox_summary *sum, struct st_error *err);

/* Give an UNKNOWN message another try: QUEUED again (audited). */
int st_outbox_requeue(struct st_db *db, const char *tenant_id,
		      const char *message_id, struct st_error *err);

#endif
