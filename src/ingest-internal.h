/*
 * ingest-internal.h - shared by ingest.c (the run: tenants, secrets,
 * lines) and ingest-store.c (one event's effects in the database).
 */
#ifndef STRATO_INGEST_INTERNAL_H
#define STRATO_INGEST_INTERNAL_H

#include "strato/ingest.h"
#include "strato/outbox.h"

/* One tenant's integration for the source, its secret opened. */
struct ing_tenant {
	char *id;
	char *nombre;
	char *region;          /* tenant config country, else "AR" */
	char *phone_number_id; /* WhatsApp config */
	char *secret;          /* app_secret / webhook_token; wiped */
	struct st_outbox *outbox; /* sends the replies; NULL: they wait */
	bool configured;       /* has a row for the provider */
	bool active;
};

/*
 * Apply ev for tenant t: every message and status in one tenant
 * transaction, then the replies. Counts go to sum. -1 with err on a
 * database error (the event's transaction rolled back).
 */
int ing_store_event(struct st_db *db, const struct st_ingest_opts *o,
		    const struct ing_tenant *t,
		    const struct st_ingest_event *ev,
		    struct st_ingest_summary *sum, struct st_error *err);

#endif
