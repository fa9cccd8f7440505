/*
 * legacy.h - moving a single-tenant install into a default tenant.
 *
 * An existing install keeps its data in the tables its web application's
 * ORM made ("User", "Lead", "Message", ... in schema public, see
 * sql/legacy/schema.sql). The move never writes those tables:
 *
 *   copy      creates the tenant if needed and copies every legacy table into
 *             strato.* under it, one transaction per table, set-based
 *             (INSERT ... SELECT in keyset chunks), ids kept verbatim. Run
 *             again, it copies only what is new or changed and removes what
 *             the legacy install deleted, so the new schema mirrors the old
 *             one until cut-over. It ends with a verify.
 *   verify    row counts and a content checksum per table over the same
 *             canonical projection on both sides.
 *   cutover   with writes to the legacy tables blocked, verifies again; if
 *             nothing changed since the last passing verify, revokes every
 *             write privilege on them from everyone but their owner.
 *   rollback  before cut-over, removes what the copy made (and the tenant,
 *             if the copy created it and nothing else lives in it).
 *
 * Phones are normalised to E.164 on the client (st_phone_normalize), fed to
 * the server with COPY alongside the set-based copy.
 */
#ifndef STRATO_LEGACY_H
#define STRATO_LEGACY_H

#include <stdbool.h>
#include <stddef.h>

#include "strato/db.h"
#include "strato/error.h"

#define ST_LEGACY_NTABLES 8

typedef void (*st_legacy_progress_cb)(const char *table, long long done,
				      long long total, void *arg);

struct st_legacy_opts {
	const char *schema; /* the legacy schema; NULL means "public" */
	const char *slug;   /* the default tenant's slug (required) */
	const char *name;   /* its name when created; NULL means the slug */
	const char *region; /* default phone region; NULL means "AR" */
	long chunk_rows;    /* rows per INSERT ... SELECT; 0 means 50000 */
	st_legacy_progress_cb progress; /* may be NULL */
	void *progress_arg;
	/* Called for each conflict found (both ids and the rule). */
	void (*conflict)(const char *table, const char *what, void *arg);
	void *conflict_arg;
};

struct st_legacy_table {
	const char *legacy; /* "Lead" */
	const char *target; /* "lead" */
	bool present;       /* the legacy table exists */
	long long legacy_rows;
	long long new_rows; /* in the tenant, -1 when unknown */
};

struct st_legacy_status {
	bool installed; /* every legacy table is present */
	struct st_legacy_table tables[ST_LEGACY_NTABLES];
	char *tenant_id;   /* NULL when the tenant does not exist */
	bool migration;    /* a legacy_migration row exists */
	bool tenant_created;
	char *copied_at;   /* each NULL when not done */
	char *verified_at;
	bool verify_ok;
	char *cutover_at;
};

struct st_legacy_step {
	const char *table;
	long long read;
	long long inserted;
	long long updated;
	long long deleted;
	double seconds;
};

struct st_legacy_copy {
	bool tenant_created;     /* by this run */
	struct st_legacy_step steps[ST_LEGACY_NTABLES];
	long long phones_valid;  /* normalised to E.164 */
	long long phones_other;  /* kept as given only */
	long long conflicts;
};

struct st_legacy_check {
	const char *table;
	long long legacy_rows;
	long long new_rows;
	char legacy_sum[48];
	char new_sum[48];
	bool ok;
};

struct st_legacy_verify {
	struct st_legacy_check tables[ST_LEGACY_NTABLES];
	bool ok;
};

struct st_legacy_rollback {
	long long deleted[ST_LEGACY_NTABLES]; /* per table, in table order */
	bool tenant_deleted;
	char *kept_reason;  /* why the tenant stayed, or NULL */
	char *logins_left;  /* PostgreSQL roles made for copied users, or NULL */
};

void st_legacy_status_release(struct st_legacy_status *s);
void st_legacy_rollback_release(struct st_legacy_rollback *r);

/* Legacy table names in copy order (foreign keys first), for front ends. */
const char *st_legacy_table_name(size_t i);

int st_legacy_status(struct st_db *db, const struct st_legacy_opts *opts,
		     struct st_legacy_status *out, struct st_error *err);
/* Copy (or catch up); does not verify: the caller runs st_legacy_verify. */
int st_legacy_copy(struct st_db *db, const struct st_legacy_opts *opts,
		   struct st_legacy_copy *out, struct st_error *err);
/* Compare both sides; 0 even on a mismatch (out->ok says), -1 on error. */
int st_legacy_verify(struct st_db *db, const struct st_legacy_opts *opts,
		     struct st_legacy_verify *out, struct st_error *err);
/*
 * Cut over. *undo is set to the SQL that restores the revoked privileges
 * (caller frees). A mismatch or a change since the last verify is
 * ST_ESTATE, with out filled.
 */
int st_legacy_cutover(struct st_db *db, const struct st_legacy_opts *opts,
		      struct st_legacy_verify *out, char **undo,
		      struct st_error *err);
int st_legacy_rollback(struct st_db *db, const struct st_legacy_opts *opts,
		       struct st_legacy_rollback *out, struct st_error *err);

#endif
