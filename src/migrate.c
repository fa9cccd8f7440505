/*
 * migrate.c - applying and reverting sql/migrations, one transaction each.
 *
 * The runner holds a session advisory lock for its whole run, so a second
 * migrator waits and then finds nothing left to do. Each file runs in its
 * own transaction together with its row in strato.schema_migrations: a
 * failed or killed step leaves the schema exactly as before that step.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "db-internal.h"
#include "strato/log.h"
#include "strato/migrate.h"

#ifndef ST_SQLDIR
#define ST_SQLDIR "/usr/local/share/strato/migrations"
#endif

/* pg_advisory_lock key: "STRATOMG" read as a big-endian 64-bit integer. */
#define MIGRATE_LOCK_KEY "6004514643732548935"

void
st_migration_set_release(struct st_migration_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->items[i].name);
		free(s->items[i].up_path);
		free(s->items[i].down_path);
		free(s->items[i].applied_at);
		free(s->items[i].applied_checksum);
	}
	free(s->items);
	s->items = NULL;
	s->n = 0;
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * $STRATO_SQLDIR, else the directory installed with the binary
 * (bin/../share/strato/migrations, so an installed tree can be moved), else
 * the configured one, else sql/migrations beside the build directory of the
 * running binary (an uninstalled checkout).
 */
const char *
st_migrate_default_dir(void)
{
	static char buf[PATH_MAX];
	const char *env = getenv("STRATO_SQLDIR");
	ssize_t n;
	char *slash;

	if (!st_str_empty(env))
		return env;
	n = readlink("/proc/self/exe", buf, sizeof(buf) - 40);
	slash = n > 0 ? memrchr(buf, '/', (size_t)n) : NULL;
	if (slash) {
		strcpy(slash, "/../share/strato/migrations");
		if (is_dir(buf))
			return buf;
	}
	if (is_dir(ST_SQLDIR))
		return ST_SQLDIR;
	if (slash) {
		strcpy(slash, "/../sql/migrations");
		if (is_dir(buf))
			return buf;
	}
	return ST_SQLDIR;
}

static char *
read_file(const char *path, size_t *len, struct st_error *err)
{
	FILE *f = fopen(path, "rb");
	struct st_buf b = ST_BUF_INIT;
	char chunk[8192];
	size_t n;

	if (!f) {
		st_error_set(err, ST_EIO, "cannot open \"%s\": %s", path,
			     strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		st_buf_add(&b, chunk, n);
	if (ferror(f)) {
		st_error_set(err, ST_EIO, "cannot read \"%s\": %s", path,
			     strerror(errno));
		fclose(f);
		st_buf_release(&b);
		return NULL;
	}
	fclose(f);
	if (len)
		*len = b.len;
	return st_buf_detach(&b);
}

static int
sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL))
		return -1;
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* Parse "NNNN_name.up.sql" / ".down.sql"; returns 1 up, 0 down, -1 no. */
static int
parse_name(const char *f, int *version, char **name)
{
	size_t n = strlen(f);
	size_t stem;
	int up;

	if (n > 11 && strcmp(f + n - 7, ".up.sql") == 0) {
		up = 1;
		stem = n - 7;
	} else if (n > 13 && strcmp(f + n - 9, ".down.sql") == 0) {
		up = 0;
		stem = n - 9;
	} else {
		return -1;
	}
	for (int i = 0; i < 4; i++)
		if (f[i] < '0' || f[i] > '9')
			return -1;
	if (f[4] != '_' || stem < 6)
		return -1;
	for (size_t i = 5; i < stem; i++)
		if (!((f[i] >= 'a' && f[i] <= 'z') ||
		      (f[i] >= '0' && f[i] <= '9') || f[i] == '_'))
			return -1;
	*version = atoi(f);
	*name = st_xstrndup(f + 5, stem - 5);
	return up;
}

static struct st_migration *
find_or_add(struct st_migration_set *s, int version)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].version == version)
			return &s->items[i];
	s->items = st_xrealloc(s->items, (s->n + 1) * sizeof(*s->items));
	memset(&s->items[s->n], 0, sizeof(s->items[0]));
	s->items[s->n].version = version;
	return &s->items[s->n++];
}

static int
cmp_version(const void *a, const void *b)
{
	const struct st_migration *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

/*
 * Read dir into a set sorted by version, with each up file's checksum.
 * Files that do not look like migrations are ignored; a version with two
 * names or only one half is an error naming the file.
 */
int
st_migrate_scan(const char *dir, struct st_migration_set *out,
		struct st_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = -1;

	out->n = 0;
	out->items = NULL;
	if (!d) {
		st_error_set(err, ST_EIO, "cannot open migrations directory "
			     "\"%s\": %s", dir, strerror(errno));
		st_error_hint(err, "Set STRATO_SQLDIR or pass --sql-dir.");
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char *name = NULL;
		int version;
		int up = parse_name(de->d_name, &version, &name);
		struct st_migration *m;
		char **slot;

		if (up < 0)
			continue;
		m = find_or_add(out, version);
		if (m->name && strcmp(m->name, name) != 0) {
			st_error_set(err, ST_EINVAL, "two migrations numbered "
				     "%04d: \"%s\" and \"%s\"", version, m->name,
				     name);
			free(name);
			goto cleanup;
		}
		if (!m->name)
			m->name = name;
		else
			free(name);
		slot = up ? &m->up_path : &m->down_path;
		*slot = st_xasprintf("%s/%s", dir, de->d_name);
		m->on_disk = true;
	}
	qsort(out->items, out->n, sizeof(*out->items), cmp_version);
	for (size_t i = 0; i < out->n; i++) {
		struct st_migration *m = &out->items[i];
		size_t len;
		char *text;

		if (!m->up_path || !m->down_path) {
			st_error_set(err, ST_EINVAL, "migration %04d_%s has no "
				     "%s file", m->version, m->name,
				     m->up_path ? "down" : "up");
			goto cleanup;
		}
		text = read_file(m->up_path, &len, err);
		if (!text)
			goto cleanup;
		sha256_hex(text, len, m->checksum);
		free(text);
	}
	ret = 0;
cleanup:
	closedir(d);
	if (ret < 0)
		st_migration_set_release(out);
	return ret;
}

/* Merge what the database recorded into a scanned set. */
static int
merge_applied(struct st_db *db, struct st_migration_set *s,
	      struct st_error *err)
{
	PGresult *res;
	bool exists;

	res = st_db_query(db, "SELECT to_regclass('strato.schema_migrations')"
			  " IS NOT NULL", 0, NULL, err);
	if (!res)
		return -1;
	exists = st_db_bool(res, 0, 0);
	PQclear(res);
	if (!exists)
		return 0;
	res = st_db_query(db, "SELECT version, name, checksum, "
			  ST_SQL_TS("applied_at")
			  " FROM strato.schema_migrations ORDER BY version", 0,
			  NULL, err);
	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		struct st_migration *m = find_or_add(s, atoi(PQgetvalue(res, i, 0)));

		if (!m->name)
			m->name = st_db_dup(res, i, 1);
		m->applied = true;
		m->applied_checksum = st_db_dup(res, i, 2);
		m->applied_at = st_db_dup(res, i, 3);
	}
	PQclear(res);
	qsort(s->items, s->n, sizeof(*s->items), cmp_version);
	return 0;
}

int
st_migrate_status(struct st_db *db, const char *dir,
		  struct st_migration_set *out, struct st_error *err)
{
	if (st_migrate_scan(dir, out, err) < 0)
		return -1;
	if (merge_applied(db, out, err) < 0) {
		st_migration_set_release(out);
		return -1;
	}
	return 0;
}

/* History is not edited: every applied file must still hash the same. */
static int
check_checksums(const struct st_migration_set *s, struct st_error *err)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct st_migration *m = &s->items[i];

		if (!m->applied || !m->on_disk || !m->applied_checksum)
			continue;
		if (strcmp(m->applied_checksum, m->checksum) != 0) {
			st_error_set(err, ST_ESTATE, "migration %04d_%s was "
				     "edited after it was applied", m->version,
				     m->name);
			st_error_detail(err, "The database recorded checksum %.12s"
					"..., the file %s has %.12s....",
					m->applied_checksum, m->up_path,
					m->checksum);
			st_error_hint(err, "Restore the file as applied and put "
				      "the change in a new migration.");
			return -1;
		}
	}
	return 0;
}

/* The 1-based line of a 1-based character position in UTF-8 text. */
static int
line_of(const char *text, long pos)
{
	int line = 1;
	long chars = 0;

	for (const unsigned char *p = (const unsigned char *)text;
	     *p && chars < pos - 1; p++) {
		if ((*p & 0xC0) != 0x80)
			chars++;
		if (*p == '\n')
			line++;
	}
	return line;
}

static int
lock_migrations(struct st_db *db, struct st_error *err)
{
	PGresult *res;
	bool got;

	res = st_db_query(db, "SELECT pg_try_advisory_lock(" MIGRATE_LOCK_KEY ")",
			  0, NULL, err);
	if (!res)
		return -1;
	got = st_db_bool(res, 0, 0);
	PQclear(res);
	if (got)
		return 0;
	st_log_info("waiting for another migrator to finish");
	return st_db_run(db, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", 0,
			 NULL, err);
}

static void
unlock_migrations(struct st_db *db)
{
	PQclear(PQexec(db->conn,
		       "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")"));
}

static int
bootstrap(struct st_db *db, struct st_error *err)
{
	return st_db_script(db,
		"CREATE SCHEMA IF NOT EXISTS strato;"
		"CREATE TABLE IF NOT EXISTS strato.schema_migrations ("
		" version    integer PRIMARY KEY,"
		" name       text NOT NULL,"
		" checksum   text NOT NULL,"
		" applied_at timestamptz NOT NULL DEFAULT now(),"
		" applied_by text NOT NULL DEFAULT session_user,"
		" duration_ms integer)", err);
}

/* Run one file and record (or unrecord) it, in one transaction. */
static int
apply_one(struct st_db *db, const struct st_migration *m, bool up,
	  struct st_error *err)
{
	const char *path = up ? m->up_path : m->down_path;
	char *sql = NULL;
	PGresult *res = NULL;
	char version[16];
	char ms[32];
	struct timespec t0, t1;
	int ret = -1;

	sql = read_file(path, NULL, err);
	if (!sql)
		return -1;
	snprintf(version, sizeof(version), "%d", m->version);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (st_db_script(db, "BEGIN; SET LOCAL search_path = strato, public;"
			 " SET LOCAL lock_timeout = '60s'", err) < 0)
		goto cleanup;
	res = PQexec(db->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
		struct st_error e;
		const char *base = strrchr(path, '/');

		st_db_error(&e, res, db->conn);
		st_error_set(err, ST_EDB, "migration %s failed%s%.0d: %s",
			     base ? base + 1 : path, pos ? " at line " : "",
			     pos ? line_of(sql, atol(pos)) : 0, e.message);
		if (err) {
			memcpy(err->sqlstate, e.sqlstate, sizeof(e.sqlstate));
			memcpy(err->detail, e.detail, sizeof(e.detail));
			memcpy(err->hint, e.hint, sizeof(e.hint));
		}
		goto cleanup;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	snprintf(ms, sizeof(ms), "%ld", (long)((t1.tv_sec - t0.tv_sec) * 1000 +
					       (t1.tv_nsec - t0.tv_nsec) / 1000000));
	if (st_db_run(db, "RESET ROLE", 0, NULL, err) < 0)
		goto cleanup;
	if (up) {
		if (st_db_run(db, "INSERT INTO strato.schema_migrations"
			      " (version, name, checksum, duration_ms)"
			      " VALUES ($1, $2, $3, $4)", 4,
			      (const char *const[]){ version, m->name,
						     m->checksum, ms }, err) < 0)
			goto cleanup;
	} else if (st_db_run(db, "DELETE FROM strato.schema_migrations"
			     " WHERE version = $1", 1,
			     (const char *const[]){ version }, err) < 0) {
		goto cleanup;
	}
	ret = st_db_commit(db, err);
cleanup:
	if (ret < 0)
		st_db_rollback(db);
	PQclear(res);
	free(sql);
	return ret;
}

/*
 * Apply pending migrations in order. With opts->dry_run nothing is locked
 * or created: the callback sees the plan. A pending migration numbered
 * below an applied one is applied too (branches merged late), in order.
 */
int
st_migrate_up(struct st_db *db, const char *dir,
	      const struct st_migrate_opts *opts, int *count,
	      struct st_error *err)
{
	struct st_migration_set s = { 0, NULL };
	bool locked = false;
	int ret = -1;

	*count = 0;
	if (!opts->dry_run) {
		if (lock_migrations(db, err) < 0)
			return -1;
		locked = true;
		if (bootstrap(db, err) < 0)
			goto cleanup;
	}
	if (st_migrate_status(db, dir, &s, err) < 0)
		goto cleanup;
	if (check_checksums(&s, err) < 0)
		goto cleanup;
	for (size_t i = 0; i < s.n; i++) {
		struct st_migration *m = &s.items[i];

		if (m->applied || !m->on_disk)
			continue;
		if (opts->target >= 0 && m->version > opts->target)
			break;
		if (opts->cb)
			opts->cb(m, true, opts->cb_arg);
		if (!opts->dry_run && apply_one(db, m, true, err) < 0)
			goto cleanup;
		(*count)++;
	}
	ret = 0;
cleanup:
	if (locked)
		unlock_migrations(db);
	st_migration_set_release(&s);
	return ret;
}

/* Revert applied migrations above opts->target, newest first. */
int
st_migrate_down(struct st_db *db, const char *dir,
		const struct st_migrate_opts *opts, int *count,
		struct st_error *err)
{
	struct st_migration_set s = { 0, NULL };
	bool locked = false;
	int target = opts->target < 0 ? 0 : opts->target;
	int ret = -1;

	*count = 0;
	if (!opts->dry_run) {
		if (lock_migrations(db, err) < 0)
			return -1;
		locked = true;
	}
	if (st_migrate_status(db, dir, &s, err) < 0)
		goto cleanup;
	if (check_checksums(&s, err) < 0)
		goto cleanup;
	for (size_t i = s.n; i-- > 0;) {
		struct st_migration *m = &s.items[i];

		if (!m->applied || m->version <= target)
			continue;
		if (!m->on_disk) {
			st_error_set(err, ST_ESTATE, "cannot revert migration "
				     "%04d_%s: its files are not in \"%s\"",
				     m->version, m->name, dir);
			goto cleanup;
		}
		if (opts->cb)
			opts->cb(m, false, opts->cb_arg);
		if (!opts->dry_run && apply_one(db, m, false, err) < 0)
			goto cleanup;
		(*count)++;
	}
	ret = 0;
cleanup:
	if (locked)
		unlock_migrations(db);
	st_migration_set_release(&s);
	return ret;
}
