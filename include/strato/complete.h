/*
 * complete.h - candidates for the shell's tab completion, from live data.
 *
 * Each kind is one capped query (ST_COMPLETE_MAX rows), prefix-matched on
 * an indexed or small column, so a keystroke never scans a big table
 * unbounded. Names are matched ignoring case and accents; what comes back
 * is what the command takes (a lead's id for a lead typed by name).
 */
#ifndef STRATO_COMPLETE_H
#define STRATO_COMPLETE_H

#include "strato/db.h"
#include "strato/error.h"

#define ST_COMPLETE_MAX 50

enum st_complete_kind {
	ST_COMPLETE_TENANT,   /* slugs */
	ST_COMPLETE_USER,     /* e-mails */
	ST_COMPLETE_LEAD,     /* ids, by id or name prefix */
	ST_COMPLETE_PROPERTY, /* ids, by id, codigo or titulo prefix */
	ST_COMPLETE_CAMPAIGN, /* names */
	ST_COMPLETE_EVENT,    /* ids of visits */
};

/*
 * Candidates of kind starting with prefix, in tenant_id (ignored for
 * tenants; NULL tenant_id gives nothing for the others). Returns a
 * NULL-terminated array of new strings (free with st_complete_free), or
 * NULL with err set. Runs in its own short read-only transaction.
 */
char **st_complete(struct st_db *db, const char *tenant_id,
		   enum st_complete_kind kind, const char *prefix,
		   struct st_error *err);
void st_complete_free(char **words);

#endif
