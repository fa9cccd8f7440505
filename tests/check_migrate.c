/*
 * check_migrate.c - migrations against the real server: up from empty,
 * down to zero and up again to the same schema, edited files refused,
 * failed steps rolled back, concurrent migrators.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "strato/migrate.h"
#include "suites.h"
#include "testdb.h"

/* Everything about the strato schema that a migration defines. */
static const char *snapshot_sql =
	"SELECT string_agg(x, E'\\n' ORDER BY x) FROM ("
	" SELECT 'rel ' || c.relname || ' ' || c.relkind::text || ' '"
	"  || c.relrowsecurity || c.relforcerowsecurity || ' '"
	"  || pg_get_userbyid(c.relowner) || ' ' || coalesce(c.relacl::text, '')"
	"  FROM pg_class c WHERE c.relnamespace = 'strato'::regnamespace"
	" UNION ALL SELECT 'col ' || c.relname || '.' || a.attname || ' '"
	"  || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull"
	"  || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')"
	"  || ' ' || coalesce(a.attacl::text, '')"
	"  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
	"  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
	"  WHERE c.relnamespace = 'strato'::regnamespace AND a.attnum > 0"
	"  AND NOT a.attisdropped AND c.relkind = 'r'"
	" UNION ALL SELECT 'con ' || conrelid::regclass || ' ' || conname || ' '"
	"  || pg_get_constraintdef(oid) FROM pg_constraint"
	"  WHERE connamespace = 'strato'::regnamespace"
	" UNION ALL SELECT 'idx ' || indexdef FROM pg_indexes"
	"  WHERE schemaname = 'strato'"
	" UNION ALL SELECT 'pol ' || tablename || ' ' || policyname || ' '"
	"  || coalesce(qual, '') || ' ' || coalesce(with_check, '') || ' '"
	"  || array_to_string(roles, ',') FROM pg_policies"
	"  WHERE schemaname = 'strato'"
	" UNION ALL SELECT 'fn ' || p.oid::regprocedure || ' ' || md5(p.prosrc)"
	"  || ' ' || pg_get_userbyid(p.proowner) || ' ' || p.prosecdef || ' '"
	"  || coalesce(p.proacl::text, '') FROM pg_proc p"
	"  WHERE p.pronamespace = 'strato'::regnamespace"
	" UNION ALL SELECT 'trg ' || tgrelid::regclass || ' ' || tgname"
	"  FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN"
	"  (SELECT oid FROM pg_class WHERE relnamespace = 'strato'::regnamespace)"
	") s(x)";

static char *
snapshot(const char *dbname)
{
	PGconn *c = testdb_super(dbname);
	char *v = testdb_value(c, snapshot_sql);

	PQfinish(c);
	return v;
}

static char *
value(const char *dbname, const char *sql)
{
	PGconn *c = testdb_super(dbname);
	char *v = testdb_value(c, sql);

	PQfinish(c);
	return v;
}

/* A private copy of the migrations directory, to edit. */
static char *
copy_sqldir(void)
{
	const char *tmp = getenv("STRATO_TEST_TMP");
	char *dir = st_xasprintf("%s/mig-%ld-%d", tmp ? tmp : "/tmp",
				 (long)getpid(), rand());
	char *cmd = st_xasprintf("mkdir -p '%s' && cp '%s'/*.sql '%s'/", dir,
				 st_migrate_default_dir(), dir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	return dir;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *path = st_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

START_TEST(test_up_down_up)
{
	const char *dbname = testdb_empty();
	struct st_db *db = testdb_connect("postgres", dbname);
	const char *dir = st_migrate_default_dir();
	struct st_migrate_opts all = { -1, false, NULL, NULL };
	struct st_migrate_opts zero = { 0, false, NULL, NULL };
	struct st_migration_set s;
	struct st_error err;
	char *first, *second, *v;
	int n, count;

	ck_assert_int_eq(st_migrate_scan(dir, &s, &err), 0);
	n = (int)s.n;
	ck_assert_int_ge(n, 3);
	st_migration_set_release(&s);

	ck_assert_int_eq(st_migrate_up(db, dir, &all, &count, &err), 0);
	ck_assert_int_eq(count, n);
	first = snapshot(dbname);
	ck_assert_ptr_nonnull(first);
	ck_assert_ptr_nonnull(strstr(first, "rel lead r truetrue strato_owner"));

	ck_assert_int_eq(st_migrate_status(db, dir, &s, &err), 0);
	for (size_t i = 0; i < s.n; i++) {
		ck_assert(s.items[i].applied);
		ck_assert_str_eq(s.items[i].applied_checksum, s.items[i].checksum);
	}
	st_migration_set_release(&s);

	/* nothing left to do */
	ck_assert_int_eq(st_migrate_up(db, dir, &all, &count, &err), 0);
	ck_assert_int_eq(count, 0);

	ck_assert_int_eq(st_migrate_down(db, dir, &zero, &count, &err), 0);
	ck_assert_int_eq(count, n);
	v = value(dbname, "SELECT string_agg(relname, ',') FROM pg_class"
		  " WHERE relnamespace = 'strato'::regnamespace"
		  " AND relkind = 'r'");
	ck_assert_str_eq(v, "schema_migrations");
	free(v);
	v = value(dbname, "SELECT count(*) FROM pg_proc"
		  " WHERE pronamespace = 'strato'::regnamespace");
	ck_assert_str_eq(v, "0");
	free(v);
	v = value(dbname, "SELECT count(*) FROM strato.schema_migrations");
	ck_assert_str_eq(v, "0");
	free(v);

	ck_assert_int_eq(st_migrate_up(db, dir, &all, &count, &err), 0);
	ck_assert_int_eq(count, n);
	second = snapshot(dbname);
	ck_assert_str_eq(first, second);
	free(first);
	free(second);
	st_db_close(db);
}
END_TEST

START_TEST(test_target_and_dry_run)
{
	const char *dbname = testdb_empty();
	struct st_db *db = testdb_connect("postgres", dbname);
	const char *dir = st_migrate_default_dir();
	struct st_migrate_opts dry = { -1, true, NULL, NULL };
	struct st_migrate_opts to1 = { 1, false, NULL, NULL };
	struct st_error err;
	char *v;
	int count;

	ck_assert_int_eq(st_migrate_up(db, dir, &dry, &count, &err), 0);
	ck_assert_int_ge(count, 3);
	/* a dry run creates nothing at all, not even the bookkeeping table */
	v = value(dbname, "SELECT to_regclass('strato.schema_migrations')"
		  " IS NULL");
	ck_assert_str_eq(v, "t");
	free(v);

	ck_assert_int_eq(st_migrate_up(db, dir, &to1, &count, &err), 0);
	ck_assert_int_eq(count, 1);
	v = value(dbname, "SELECT string_agg(version::text, ',')"
		  " FROM strato.schema_migrations");
	ck_assert_str_eq(v, "1");
	free(v);
	v = value(dbname, "SELECT to_regclass('strato.tenant') IS NOT NULL"
		  " AND to_regclass('strato.lead') IS NULL");
	ck_assert_str_eq(v, "t");
	free(v);
	st_db_close(db);
}
END_TEST

START_TEST(test_edited_migration_refused)
{
	const char *dbname = testdb_empty();
	struct st_db *db = testdb_connect("postgres", dbname);
	char *dir = copy_sqldir();
	char *path = st_xasprintf("%s/0002_crm.up.sql", dir);
	struct st_migrate_opts all = { -1, false, NULL, NULL };
	struct st_migrate_opts zero = { 0, false, NULL, NULL };
	struct st_error err;
	FILE *f;
	int count;

	ck_assert_int_eq(st_migrate_up(db, dir, &all, &count, &err), 0);
	f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	fputs("-- a harmless-looking edit\n", f);
	fclose(f);
	ck_assert_int_eq(st_migrate_up(db, dir, &all, &count, &err), -1);
	ck_assert_int_eq(err.code, ST_ESTATE);
	ck_assert_str_eq(err.message,
			 "migration 0002_crm was edited after it was applied");
	ck_assert_ptr_nonnull(strstr(err.hint, "new migration"));
	ck_assert_int_eq(st_migrate_down(db, dir, &zero, &count, &err), -1);
	ck_assert_int_eq(err.code, ST_ESTATE);
	st_db_close(db);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_failed_step_rolls_back)
{
	const char *dbname = testdb_empty();
	struct st_db *db = testdb_connect("postgres", dbname);
	char *dir = copy_sqldir();
	char *cmd = st_xasprintf("find '%s' -name '0*.sql' ! -name '0001_*' -delete", dir);
	struct st_migrate_opts all = { -1, false, NULL, NULL };
	struct st_migration_set s;
	struct st_error err;
	char *v;
	int count;

	ck_assert_int_eq(system(cmd), 0);
	write_file(dir, "0002_broken.up.sql",
		   "CREATE TABLE strato.half_done (x int);\n"
		   "SELECT 1;\n"
		   "CREATE TABLE strato.never (x no_such_type);\n");
	write_file(dir, "0002_broken.down.sql", "SELECT 1;\n");
	ck_assert_int_eq(st_migrate_up(db, dir, &all, &count, &err), -1);
	ck_assert_int_eq(count, 1);
	ck_assert_str_eq(err.message, "migration 0002_broken.up.sql failed at "
			 "line 3: type \"no_such_type\" does not exist");
	ck_assert_str_eq(err.sqlstate, "42704");
	v = value(dbname, "SELECT to_regclass('strato.half_done') IS NULL");
	ck_assert_str_eq(v, "t");
	free(v);
	ck_assert_int_eq(st_migrate_status(db, dir, &s, &err), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert(s.items[0].applied);
	ck_assert(!s.items[1].applied);
	st_migration_set_release(&s);
	st_db_close(db);
	free(cmd);
	free(dir);
}
END_TEST

START_TEST(test_scan_errors)
{
	char *dir = copy_sqldir();
	char *cmd = st_xasprintf("rm '%s'/0003_campaigns.down.sql", dir);
	struct st_migration_set s;
	struct st_error err;

	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(st_migrate_scan(dir, &s, &err), -1);
	ck_assert_str_eq(err.message, "migration 0003_campaigns has no down file");
	free(cmd);
	write_file(dir, "0003_campaigns.down.sql", "SELECT 1;\n");
	write_file(dir, "0003_other.up.sql", "SELECT 1;\n");
	ck_assert_int_eq(st_migrate_scan(dir, &s, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, "two migrations numbered 0003"));
	ck_assert_int_eq(st_migrate_scan("/nonexistent/dir", &s, &err), -1);
	ck_assert_int_eq(err.code, ST_EIO);
	free(dir);
}
END_TEST

/* Two migrators at once: one waits for the other, the set is applied once. */
START_TEST(test_concurrent_migrators)
{
	const char *dbname = testdb_empty();
	char name[64];
	pid_t kids[2];
	int total = 0;
	char *v;

	snprintf(name, sizeof(name), "%s", dbname);
	for (int i = 0; i < 2; i++) {
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0) {
			struct st_migrate_opts all = { -1, false, NULL, NULL };
			struct st_error err;
			struct st_db *db;
			int count = 0;

			db = st_db_connect(testdb_conninfo("postgres", name), &err);
			if (!db)
				_exit(100);
			if (st_migrate_up(db, st_migrate_default_dir(), &all,
					  &count, &err) < 0) {
				fprintf(stderr, "child: %s\n", err.message);
				_exit(101);
			}
			st_db_close(db);
			_exit(count);
		}
	}
	for (int i = 0; i < 2; i++) {
		int status;

		ck_assert_int_eq(waitpid(kids[i], &status, 0), kids[i]);
		ck_assert(WIFEXITED(status));
		ck_assert_int_lt(WEXITSTATUS(status), 100);
		total += WEXITSTATUS(status);
	}
	v = value(name, "SELECT count(*) FROM strato.schema_migrations");
	ck_assert_int_eq(total, atoi(v));
	ck_assert_int_ge(total, 3);
	free(v);
}
END_TEST

Suite *
migrate_suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *tc = tcase_create("db");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_up_down_up);
	tcase_add_test(tc, test_target_and_dry_run);
	tcase_add_test(tc, test_edited_migration_refused);
	tcase_add_test(tc, test_failed_step_rolls_back);
	tcase_add_test(tc, test_scan_errors);
	tcase_add_test(tc, test_concurrent_migrators);
	suite_add_tcase(s, tc);
	return s;
}
