/*
 * check_lead_estimate.c - st_lead_estimate() against a loaded table, as a
 * service login under row-level security.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "strato/lead-estimate.h"
#include "strato/tenant.h"
#include "suites.h"
#include "testdb.h"

/*
 * A fresh database with a service login, tenants "big" (20,000 leads, a
 * quarter NUEVO, 50 named Zubizarreta) and "small" (2,000), analyzed.
 * The tenant ids go to big and small (36 characters and a NUL each).
 */
static const char *
setup(char *svc, size_t n, char *big, char *small)
{
	const char *db = testdb_fresh();
	char sql[512];
	PGconn *c = testdb_super(db);
	char *v;

	snprintf(svc, n, "%s_svc", db);
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN IN ROLE strato_service",
		 svc);
	testdb_exec(c, sql);
	testdb_exec(c, "INSERT INTO strato.tenant (nombre, slug) VALUES"
		    " ('Grande', 'big'), ('Chica', 'small')");
	testdb_exec(c, "INSERT INTO strato.lead (tenant_id, nombre, estado,"
		    " created_at) SELECT t.id, CASE WHEN i % 400 = 0"
		    " THEN 'Zubizarreta ' ELSE 'Lead Núñez ' END || i,"
		    " (ARRAY['NUEVO', 'CONTACTADO', 'GANADO', 'PERDIDO'])"
		    "[1 + i % 4], now() - i * interval '1 minute'"
		    " FROM strato.tenant t, generate_series(1, 20000) i"
		    " WHERE t.slug = 'big' OR (t.slug = 'small' AND i <= 2000)");
	testdb_exec(c, "ANALYZE strato.lead");
	v = testdb_value(c, "SELECT id FROM strato.tenant WHERE slug = 'big'");
	snprintf(big, 37, "%s", v);
	free(v);
	v = testdb_value(c, "SELECT id FROM strato.tenant WHERE slug = 'small'");
	snprintf(small, 37, "%s", v);
	free(v);
	PQfinish(c);
	return db;
}

START_TEST(test_plausible)
{
	char svc[64], big[37], small[37];
	const char *dbname = setup(svc, sizeof(svc), big, small);
	struct st_db *db = testdb_connect(svc, dbname);
	struct st_lead_filter f = { 0 };
	struct st_error err;
	long rows = -1;

	/* the whole tenant: within a factor of two of 20,000 */
	ck_assert_int_eq(st_lead_estimate(db, big, &f, &rows, &err), 0);
	ck_assert_msg(rows >= 10000 && rows <= 40000, "all: %ld", rows);
	/* another tenant's estimate is its own */
	ck_assert_int_eq(st_lead_estimate(db, small, &f, &rows, &err), 0);
	ck_assert_msg(rows >= 1000 && rows <= 4000, "small: %ld", rows);
	/* a filter narrows it: a quarter are NUEVO */
	f.estado = "nuevo";
	ck_assert_int_eq(st_lead_estimate(db, big, &f, &rows, &err), 0);
	ck_assert_msg(rows >= 2500 && rows <= 10000, "nuevo: %ld", rows);
	f.estado = NULL;
	/* a rare name is counted exactly, whatever the accents typed */
	f.search = "ZUBIZÁRRETA";
	ck_assert_int_eq(st_lead_estimate(db, big, &f, &rows, &err), 0);
	ck_assert_int_eq(rows, 50);
	f.search = "nunez zubi";
	ck_assert_int_eq(st_lead_estimate(db, big, &f, &rows, &err), 0);
	ck_assert_int_eq(rows, 0);
	/* a common one is estimated: every lead of small matches */
	f.search = "núñez";
	ck_assert_int_eq(st_lead_estimate(db, small, &f, &rows, &err), 0);
	ck_assert_msg(rows >= 1000 && rows <= 4000, "nunez: %ld", rows);
	st_db_close(db);
}
END_TEST

/* The tenant is checked like every tenant-scoped call: bad id, no rows. */
START_TEST(test_bad_tenant)
{
	char svc[64], big[37], small[37];
	const char *dbname = setup(svc, sizeof(svc), big, small);
	struct st_db *db = testdb_connect(svc, dbname);
	struct st_lead_filter f = { .search = "zubizarreta" };
	struct st_error err;
	long rows = -1;

	ck_assert_int_eq(st_lead_estimate(db, "not-a-uuid", &f, &rows, &err), -1);
	ck_assert_int_eq(err.code, ST_EINVAL);
	ck_assert_int_eq(st_lead_estimate(db,
		"00000000-0000-0000-0000-000000000000", &f, &rows, &err), 0);
	ck_assert_int_eq(rows, 0);
	/* the connection is usable after the failure */
	ck_assert_int_eq(st_lead_estimate(db, big, &f, &rows, &err), 0);
	ck_assert_int_eq(rows, 50);
	st_db_close(db);
}
END_TEST

Suite *
lead_estimate_suite(void)
{
	Suite *s = suite_create("lead_estimate");
	TCase *tc = tcase_create("db");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_plausible);
	tcase_add_test(tc, test_bad_tenant);
	suite_add_tcase(s, tc);
	return s;
}
