/*
 * campaign.h - a tenant's campaigns: their config, schedule and state.
 *
 * A campaign is named (unique in its tenant) and found by id or name. Its
 * estado follows one machine:
 *
 *   DRAFT -> SCHEDULED -> RUNNING -> COMPLETED | FAILED
 *   SCHEDULED | RUNNING -> PAUSED -> SCHEDULED (resume)
 *   DRAFT | SCHEDULED | RUNNING | PAUSED -> CANCELLED
 *
 * The console moves campaigns along the edges people choose (schedule,
 * pause, resume, cancel); RUNNING, COMPLETED and FAILED are the batch
 * engine's to set. An illegal move is ST_ESTATE naming the current and the
 * wanted state. Changes need a tenant admin (ST_EPERM for agents) and each
 * writes an audit row with the field diff. The config is checked with
 * st_campaign_config_check(); scheduling also requires it complete, its
 * WhatsApp template to exist and its time zone to be known to the server.
 */
#ifndef STRATO_CAMPAIGN_H
#define STRATO_CAMPAIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "strato/db.h"
#include "strato/error.h"

struct st_campaign {
	char *id;
	char *nombre;
	char *tipo;
	char *estado;
	char *config;       /* JSON text */
	char *scheduled_at; /* ISO 8601, or NULL */
	char *recurrence;   /* interval text ("1 day"), or NULL */
	char *started_at;
	char *finished_at;
	char *last_run_at;
	char *last_error;
	char *created_by;   /* the creator's e-mail */
	char *created_at;
	char *updated_at;
};

struct st_campaign_list {
	size_t n;
	struct st_campaign *items;
};

/* What create sets and update changes; NULL members stay as they are. */
struct st_campaign_spec {
	const char *nombre;
	const char *tipo;        /* OPORTUNIDADES, ..., PERSONALIZADA */
	const char *config_json; /* a whole config replacing the old one */
	const char *const *sets; /* "key=value" edits applied after it */
	size_t nsets;
};

enum st_campaign_move {
	ST_CAMPAIGN_PAUSE,
	ST_CAMPAIGN_RESUME,
	ST_CAMPAIGN_CANCEL,
};

/* A campaign's message as one recipient would get it. */
struct st_campaign_preview {
	char *campaign;
	char *lead_id;
	char *lead;             /* the lead's name */
	bool in_audience;
	char *channel;
	char *text;             /* rendered, or NULL without a text */
	char *template_nombre;
	char *variables;        /* JSON array of rendered variables, or NULL */
	bool voice;
};

/*
 * Counts of the send ledger (every occurrence), by estado and by reason,
 * the audience's size now, and what the voice cost: characters
 * synthesised and sends whose audio came from the cache.
 */
struct st_campaign_stats {
	char *campaign;
	char *estado;
	long long audience;
	long long total, pending, sending, sent, failed, skipped, unknown;
	long long retries, voice_chars, voice_hits;
	char *reasons; /* JSON object: reason -> count */
};

void st_campaign_release(struct st_campaign *c);
void st_campaign_list_release(struct st_campaign_list *l);
void st_campaign_preview_release(struct st_campaign_preview *p);
void st_campaign_stats_release(struct st_campaign_stats *s);

/* Campaigns by name; estado (any case) filters when not NULL. */
int st_campaign_list(struct st_db *db, const char *tenant_id,
		     const char *estado, struct st_campaign_list *out,
		     struct st_error *err);
/* One campaign by id or name; ST_ENOTFOUND when missing. */
int st_campaign_get(struct st_db *db, const char *tenant_id, const char *ref,
		    struct st_campaign *out, struct st_error *err);
/* A new DRAFT campaign; spec->nombre is required, tipo defaults to
 * PERSONALIZADA. */
int st_campaign_create(struct st_db *db, const char *tenant_id,
		       const struct st_campaign_spec *spec,
		       struct st_campaign *out, struct st_error *err);
/* Change name, tipo or config of a DRAFT, SCHEDULED or PAUSED campaign. */
int st_campaign_update(struct st_db *db, const char *tenant_id,
		       const char *ref, const struct st_campaign_spec *spec,
		       struct st_campaign *out, struct st_error *err);
/*
 * Schedule a DRAFT (or reschedule a SCHEDULED) campaign at when (ISO 8601
 * or "now"), recurring every `every` (an interval of at least an hour, or
 * NULL for once).
 */
int st_campaign_schedule(struct st_db *db, const char *tenant_id,
			 const char *ref, const char *when, const char *every,
			 struct st_campaign *out, struct st_error *err);
/* Pause, resume or cancel. */
int st_campaign_move(struct st_db *db, const char *tenant_id, const char *ref,
		     enum st_campaign_move move, struct st_campaign *out,
		     struct st_error *err);
/*
 * Render the campaign's message for lead_id, or for the first lead of its
 * audience (oldest first) when lead_id is NULL. Reads only.
 */
int st_campaign_preview(struct st_db *db, const char *tenant_id,
			const char *ref, const char *lead_id,
			struct st_campaign_preview *out, struct st_error *err);
int st_campaign_stats(struct st_db *db, const char *tenant_id,
		      const char *ref, struct st_campaign_stats *out,
		      struct st_error *err);

#endif
