/*
 * migrate.h - the numbered schema migrations under sql/migrations.
 *
 * Files are NNNN_name.up.sql and NNNN_name.down.sql. Each is applied in its
 * own transaction, under an advisory lock that keeps two migrators apart, and
 * recorded in strato.schema_migrations with the SHA-256 of its up file. An
 * applied file whose checksum changed is refused: history is not edited.
 */
#ifndef STRATO_MIGRATE_H
#define STRATO_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

#include "strato/db.h"
#include "strato/error.h"

struct st_migration {
	int version;
	char *name;
	char *up_path;
	char *down_path;
	char checksum[65]; /* hex SHA-256 of the up file */
	bool applied;
	char *applied_at;        /* when applied, else NULL */
	char *applied_checksum;  /* recorded checksum, else NULL */
	bool on_disk;            /* false: applied, but its files are gone */
};

struct st_migration_set {
	size_t n;
	struct st_migration *items; /* sorted by version */
};

void st_migration_set_release(struct st_migration_set *s);

/* The default migrations directory (build-time, $STRATO_SQLDIR overrides). */
const char *st_migrate_default_dir(void);

/* Read the directory; a malformed name or a missing half is an error. */
int st_migrate_scan(const char *dir, struct st_migration_set *out,
		    struct st_error *err);
/* Scan and merge with what the database has applied. */
int st_migrate_status(struct st_db *db, const char *dir,
		      struct st_migration_set *out, struct st_error *err);

/* Called before each step so front ends can report progress. */
typedef void (*st_migrate_cb)(const struct st_migration *m, bool up,
			      void *arg);

struct st_migrate_opts {
	int target;       /* up: highest version (-1 all); down: lowest kept */
	bool dry_run;     /* report the plan, change nothing */
	st_migrate_cb cb; /* may be NULL */
	void *cb_arg;
};

/* Apply pending migrations up to opts->target. *count = steps done. */
int st_migrate_up(struct st_db *db, const char *dir,
		  const struct st_migrate_opts *opts, int *count,
		  struct st_error *err);
/* Revert applied migrations above opts->target (0 = all). */
int st_migrate_down(struct st_db *db, const char *dir,
		    const struct st_migrate_opts *opts, int *count,
		    struct st_error *err);

#endif
