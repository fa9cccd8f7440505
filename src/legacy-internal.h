/*
 * legacy-internal.h - shared by the legacy-*.c files of libstrato.
 */
#ifndef STRATO_LEGACY_INTERNAL_H
#define STRATO_LEGACY_INTERNAL_H

#include <stdbool.h>

#include "db-internal.h"
#include "strato/legacy.h"

struct legacy_col {
	const char *col;  /* strato column */
	const char *expr; /* over the legacy row "l" (and the phone "p") */
	bool derived;     /* copied, not verified */
};

struct legacy_map {
	const char *legacy;
	const char *target;
	const struct legacy_col *cols; /* "id" first */
	const char *join;              /* extra FROM clause, or NULL */
};

extern const struct legacy_map legacy_maps[ST_LEGACY_NTABLES];

/* pg_advisory_lock key for all legacy work: "STRATOLG". */
#define LEGACY_LOCK_KEY "6004514643732548679"

char *legacy_sql_upsert(const struct legacy_map *m, const char *schema_ident,
			bool after, long chunk, bool upsert);

char *legacy_sql_checksum(const struct legacy_map *m, const char *schema_ident,
			  bool legacy_side);

/* The quoted schema identifier (caller frees with PQfreemem). */
char *legacy_schema_ident(struct st_db *db, const struct st_legacy_opts *o,
			  struct st_error *err);
/* The tenant id of opts->slug, or NULL when there is none (not an error). */
int legacy_tenant_id(struct st_db *db, const char *slug, char **id,
		     struct st_error *err);
/* Fail unless every legacy table exists. */
int legacy_require_install(struct st_db *db, const char *schema_ident,
			   const char *schema, struct st_error *err);
int legacy_lock(struct st_db *db, struct st_error *err);
void legacy_unlock(struct st_db *db);

#endif
