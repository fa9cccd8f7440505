/*
 * ingest.h - inbound webhook events (ManyChat, UChat, WhatsApp Cloud API)
 * into leads, conversations and messages, and the assistant's rule-based
 * reply.
 *
 * An input line is the raw webhook body, or an envelope
 * {"headers": {...}, "body": "<raw body>"} as a web tier hands it over.
 * The parsers (ingest-parse.c) are pure: a line in, a normalised event out
 * (messages and status updates), or an error naming what is wrong. The
 * extraction (ingest-extract.c) reads a Spanish message for operation,
 * property type, zones, budget and rooms. ingest.c does the rest: it
 * checks the signature (WhatsApp: X-Hub-Signature-256, HMAC-SHA256 of the
 * raw body with the app secret) or the shared token (ManyChat, UChat:
 * the integration's webhook_token), finds the tenant, and applies each
 * event in its own tenant transaction: lead upserted by channel id then
 * E.164 phone, conversation opened or reused, each message stored once
 * (a provider id seen before is a duplicate), status updates applied to
 * outbound messages. Replies are composed and stored as SALIENTE
 * messages with estado QUEUED; nothing goes over the network here.
 */
#ifndef STRATO_INGEST_H
#define STRATO_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "strato/db.h"
#include "strato/error.h"

enum st_ingest_source {
	ST_INGEST_MANYCHAT = 0,
	ST_INGEST_UCHAT,
	ST_INGEST_WHATSAPP,
};

/* "manychat" | "uchat" | "whatsapp" (any case); -1 otherwise. */
int st_ingest_source_parse(const char *s, enum st_ingest_source *out);
/* MANYCHAT, UCHAT, WHATSAPP: the provider name the tables use. */
const char *st_ingest_source_name(enum st_ingest_source s);

/* An input line split into its raw body and the headers that matter. */
struct st_ingest_envelope {
	char *body;      /* the raw body bytes, NUL-terminated */
	size_t body_len;
	char *signature; /* X-Hub-Signature-256, or NULL */
	char *token;     /* Authorization: Bearer, X-Webhook-Token, or NULL */
};

/* One inbound message, normalised. */
struct st_ingest_msg {
	char *external_id; /* the provider's message id */
	char *user_id;     /* channel id: wa_id, subscriber id, user_ns */
	char *nombre;
	char *telefono;    /* as given, or NULL */
	char *email;
	char *texto;       /* text, caption or button title; may be NULL */
	const char *tipo;  /* a strato.message tipo: TEXT, AUDIO, ... */
	char *timestamp;   /* unix seconds, or NULL */
	const char *canal; /* WHATSAPP, MESSENGER, INSTAGRAM, WEB */
	bool from_ad;      /* came from an ad (referral, growth tool) */
	char *ad_id;
};

/* A delivery status of one outbound message (WhatsApp). */
struct st_ingest_status {
	char *external_id;
	const char *estado; /* SENT, DELIVERED, READ, FAILED */
	char *error_code;
	char *error_message;
};

struct st_ingest_event {
	enum st_ingest_source source;
	char *phone_number_id; /* WhatsApp metadata.phone_number_id */
	char *token;           /* a "token" field of the body */
	size_t nmsgs;
	struct st_ingest_msg *msgs;
	size_t nstatuses;
	struct st_ingest_status *statuses;
	size_t nerrors;        /* provider errors carried (value.errors) */
};

void st_ingest_envelope_release(struct st_ingest_envelope *e);
void st_ingest_event_release(struct st_ingest_event *ev);

/*
 * Split line (len bytes) into body and headers. A JSON object with a
 * string "body" and an object "headers" is an envelope; anything else is
 * a raw body. ST_EINVAL for an envelope whose parts have the wrong type.
 */
int st_ingest_envelope_parse(const char *line, size_t len,
			     struct st_ingest_envelope *out,
			     struct st_error *err);
/*
 * Parse a raw body of source into ev. ST_EINVAL names what is wrong:
 * not JSON, an unknown shape, a missing id. An event with neither
 * messages nor statuses nor errors is an unknown shape.
 */
int st_ingest_parse(enum st_ingest_source source, const char *body,
		    size_t len, struct st_ingest_event *ev,
		    struct st_error *err);

/*
 * "sha256=<hex>" against HMAC-SHA256(secret, body), in constant time.
 */
bool st_ingest_signature_ok(const char *header, const char *secret,
			    const char *body, size_t len);
/* Two tokens equal, in time independent of where they differ. */
bool st_ingest_token_eq(const char *a, const char *b);

/* What a message says the lead wants; NULL/0 members: not said. */
struct st_ingest_prefs {
	const char *operacion;      /* VENTA, ALQUILER */
	const char *tipo_propiedad; /* DEPARTAMENTO, CASA, PH, ... */
	char *zonas[4];             /* spelled as in the zones list */
	size_t nzonas;
	char *presupuesto_min;      /* digits */
	char *presupuesto_max;
	const char *moneda;         /* USD, ARS */
	int ambientes;
};

void st_ingest_prefs_release(struct st_ingest_prefs *p);
/* True when p says anything. */
bool st_ingest_prefs_any(const struct st_ingest_prefs *p);
/*
 * Read text (Spanish, UTF-8) for preferences. zones (nzones, may be 0) are
 * the tenant's known zones, matched ignoring case and accents as whole
 * words, besides a built-in list of Buenos Aires barrios.
 */
void st_ingest_extract(const char *text, const char *const *zones,
		       size_t nzones, struct st_ingest_prefs *out);

struct st_ingest_opts {
	enum st_ingest_source source;
	const char *tenant_id;   /* NULL: from the token / phone_number_id */
	bool require_signature;  /* WhatsApp: refuse unsigned events */
	bool no_reply;
	bool no_send;            /* leave replies QUEUED for the outbox */
	FILE *rejects;           /* JSON lines {line, reason, input[, file]} */
	const char *input_name;  /* the "file" of the rejects, or NULL */
};

struct st_ingest_summary {
	long long lines;       /* events read */
	long long messages;    /* new inbound messages stored */
	long long duplicates;  /* messages seen before */
	long long statuses;    /* status updates applied */
	long long unmatched;   /* statuses for messages not found */
	long long errors;      /* provider errors reported */
	long long leads_new;
	long long replies;     /* reply messages stored */
	long long replies_sent; /* of which sent at once (the rest wait in
				 * the outbox, or failed: see the message) */
	long long reply_errors; /* stored events whose reply failed */
	char reply_error[512];  /* the last such failure */
	long long rejected;
};

/* The per-run state: the tenants' integrations, their secrets opened. */
struct st_ingest;

/*
 * Load the integrations of source for tenant_id (NULL: every active
 * tenant). Secrets are opened with the master key from the environment
 * and wiped by st_ingest_free.
 */
struct st_ingest *st_ingest_new(struct st_db *db,
				const struct st_ingest_opts *o,
				struct st_error *err);
void st_ingest_free(struct st_ingest *in);
/* Name the input the next lines come from, for the rejects (or NULL). */
void st_ingest_set_input(struct st_ingest *in, const char *name);
/*
 * Take one input line (lineno for the rejects). A bad line is counted
 * and written to the rejects, and 0 returned; -1 is fatal (the database
 * went away).
 */
int st_ingest_line(struct st_ingest *in, const char *line, size_t len,
		   long long lineno, struct st_ingest_summary *sum,
		   struct st_error *err);
/* Every line of f; the same contract. */
int st_ingest_stream(struct st_ingest *in, FILE *f,
		     struct st_ingest_summary *sum, struct st_error *err);

#endif
