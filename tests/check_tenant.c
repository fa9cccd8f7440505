/*
 * check_tenant.c - tenants and tenant scoping, against the real server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "strato/tenant.h"
#include "suites.h"
#include "testdb.h"

/* A fresh database with a service login named after it. */
static const char *
setup(char *svc, size_t n)
{
	const char *db = testdb_fresh();
	char sql[256];
	PGconn *c = testdb_super(db);

	snprintf(svc, n, "%s_svc", db);
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN IN ROLE strato_service",
		 svc);
	testdb_exec(c, sql);
	PQfinish(c);
	return db;
}

START_TEST(test_create_list_get)
{
	char svc[64];
	const char *dbname = setup(svc, sizeof(svc));
	struct st_db *db = testdb_connect(svc, dbname);
	struct st_tenant t, g;
	struct st_tenant_list l;
	struct st_error err;
	PGconn *c;
	char *v;

	ck_assert(st_db_is_service(db));
	ck_assert_ptr_null(st_db_login_tenant(db));
	ck_assert_int_eq(st_tenant_create(db, "  Inmobiliaria Sur ", "sur", "PRO",
					  &t, &err), 0);
	ck_assert_str_eq(t.slug, "sur");
	ck_assert_str_eq(t.nombre, "Inmobiliaria Sur");
	ck_assert_str_eq(t.plan, "PRO");
	ck_assert(t.is_active);
	ck_assert_int_eq(strlen(t.id), 36);
	st_tenant_release(&t);
	ck_assert_int_eq(st_tenant_create(db, "Núñez Propiedades", "nunez", NULL,
					  &t, &err), 0);
	ck_assert_str_eq(t.plan, "BASIC");
	st_tenant_release(&t);
	ck_assert_int_eq(st_tenant_list(db, &l, &err), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.items[0].slug, "nunez");
	ck_assert_str_eq(l.items[1].slug, "sur");
	st_tenant_list_release(&l);
	ck_assert_int_eq(st_tenant_get(db, "nunez", &g, &err), 0);
	ck_assert_str_eq(g.nombre, "Núñez Propiedades");
	ck_assert_str_eq(g.config, "{}");
	st_tenant_release(&g);
	ck_assert_int_eq(st_tenant_get(db, "nope", &g, &err), -1);
	ck_assert_int_eq(err.code, ST_ENOTFOUND);
	st_db_close(db);

	/* each creation wrote its audit row, under its own tenant */
	c = testdb_super(dbname);
	v = testdb_value(c, "SELECT count(*) FROM strato.audit_log a"
			 " JOIN strato.tenant t ON t.id = a.tenant_id"
			 " WHERE a.action = 'tenant.create'"
			 " AND a.entity_id = t.id::text");
	ck_assert_str_eq(v, "2");
	free(v);
	PQfinish(c);
}
END_TEST

START_TEST(test_create_rejects)
{
	char svc[64];
	const char *dbname = setup(svc, sizeof(svc));
	struct st_db *db = testdb_connect(svc, dbname);
	struct st_tenant t;
	struct st_error err;

	ck_assert_int_eq(st_tenant_create(db, "A", "sur", NULL, &t, &err), 0);
	st_tenant_release(&t);
	ck_assert_int_eq(st_tenant_create(db, "B", "sur", NULL, &t, &err), -1);
	ck_assert_int_eq(err.code, ST_EEXIST);
	ck_assert_str_eq(err.message, "tenant \"sur\" already exists");
	ck_assert_int_eq(st_tenant_create(db, "B", "Sur", NULL, &t, &err), -1);
	ck_assert_int_eq(err.code, ST_EINVAL);
	ck_assert_int_eq(st_tenant_create(db, "B", "s", NULL, &t, &err), -1);
	ck_assert_int_eq(err.code, ST_EINVAL);
	ck_assert_int_eq(st_tenant_create(db, "B", "-sur", NULL, &t, &err), -1);
	ck_assert_int_eq(st_tenant_create(db, "B", "ok-slug", "GOLD", &t, &err),
			 -1);
	ck_assert_str_eq(err.message, "invalid plan \"GOLD\"");
	ck_assert_int_eq(st_tenant_create(db, "  ", "ok-slug", NULL, &t, &err),
			 -1);
	ck_assert_int_eq(err.code, ST_EINVAL);
	/* nothing half-made: only the first tenant exists */
	{
		struct st_tenant_list l;

		ck_assert_int_eq(st_tenant_list(db, &l, &err), 0);
		ck_assert_uint_eq(l.n, 1);
		st_tenant_list_release(&l);
	}
	st_db_close(db);
}
END_TEST

START_TEST(test_disable_enable_and_resolve)
{
	char svc[64];
	const char *dbname = setup(svc, sizeof(svc));
	struct st_db *db = testdb_connect(svc, dbname);
	struct st_tenant t;
	struct st_error err;
	char *id = NULL;

	ck_assert_int_eq(st_tenant_create(db, "A", "sur", NULL, &t, &err), 0);
	ck_assert_int_eq(st_tenant_resolve(db, "sur", &id, &err), 0);
	ck_assert_str_eq(id, t.id);
	free(id);
	ck_assert_int_eq(st_tenant_resolve(db, NULL, &id, &err), -1);
	ck_assert_int_eq(err.code, ST_EINVAL);
	ck_assert_str_eq(err.message, "no tenant selected");
	ck_assert_int_eq(st_tenant_set_active(db, "sur", false, &err), 0);
	ck_assert_int_eq(st_tenant_resolve(db, "sur", &id, &err), -1);
	ck_assert_int_eq(err.code, ST_ESTATE);
	ck_assert_int_eq(st_tenant_set_active(db, "sur", true, &err), 0);
	ck_assert_int_eq(st_tenant_resolve(db, "sur", &id, &err), 0);
	free(id);
	ck_assert_int_eq(st_tenant_set_active(db, "nope", true, &err), -1);
	ck_assert_int_eq(err.code, ST_ENOTFOUND);
	st_tenant_release(&t);
	st_db_close(db);
}
END_TEST

START_TEST(test_scope_is_transaction_local)
{
	char svc[64];
	const char *dbname = setup(svc, sizeof(svc));
	struct st_db *db = testdb_connect(svc, dbname);
	struct st_tenant t;
	struct st_error err;
	PGconn *c;
	char sql[256];

	ck_assert_int_eq(st_tenant_create(db, "A", "sur", NULL, &t, &err), 0);
	st_db_close(db);
	/* the same thing st_tenant_begin does, then check after commit */
	c = PQconnectdb(testdb_conninfo(svc, dbname));
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	snprintf(sql, sizeof(sql), "BEGIN; SELECT set_config('app.tenant_id',"
		 " '%s', true)", t.id);
	testdb_exec(c, sql);
	{
		char *v = testdb_value(c, "SELECT strato.current_tenant_id()");
		ck_assert_str_eq(v, t.id);
		free(v);
	}
	testdb_exec(c, "COMMIT");
	{
		char *v = testdb_value(c, "SELECT strato.current_tenant_id()");
		ck_assert_ptr_null(v);
	}
	PQfinish(c);
	st_tenant_release(&t);
}
END_TEST

START_TEST(test_agents_cannot_manage_tenants)
{
	const char *dbname = testdb_fresh();
	PGconn *c = testdb_super(dbname);
	char sql[512];
	struct st_db *db;
	struct st_tenant t;
	struct st_error err;
	char *id;

	/* a mapped agent login, made the way the console makes it */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO strato.tenant (id, nombre, slug) VALUES"
		 " ('11111111-1111-1111-1111-111111111111', 'A', 'ta'),"
		 " ('22222222-2222-2222-2222-222222222222', 'B', 'tb');"
		 "INSERT INTO strato.app_user (tenant_id, id, email, nombre)"
		 " VALUES ('11111111-1111-1111-1111-111111111111', 'u1',"
		 " 'a@a.com', 'A');"
		 "CREATE ROLE %s_ag LOGIN IN ROLE strato_agent;"
		 "UPDATE strato.app_user SET login = '%s_ag' WHERE id = 'u1'",
		 dbname, dbname);
	testdb_exec(c, sql);
	PQfinish(c);
	snprintf(sql, sizeof(sql), "%s_ag", dbname);
	db = testdb_connect(sql, dbname);
	ck_assert(!st_db_is_service(db));
	ck_assert_str_eq(st_db_login_tenant(db),
			 "11111111-1111-1111-1111-111111111111");
	ck_assert_int_eq(st_tenant_create(db, "C", "tc", NULL, &t, &err), -1);
	ck_assert_int_eq(err.code, ST_EPERM);
	ck_assert_int_eq(st_tenant_set_active(db, "ta", false, &err), -1);
	ck_assert_int_eq(err.code, ST_EPERM);
	/* its own tenant, implicitly or by name; never another */
	ck_assert_int_eq(st_tenant_resolve(db, NULL, &id, &err), 0);
	ck_assert_str_eq(id, "11111111-1111-1111-1111-111111111111");
	free(id);
	ck_assert_int_eq(st_tenant_resolve(db, "ta", &id, &err), 0);
	free(id);
	ck_assert_int_eq(st_tenant_resolve(db, "tb", &id, &err), -1);
	ck_assert_int_eq(err.code, ST_EPERM);
	st_db_close(db);
}
END_TEST

Suite *
tenant_suite(void)
{
	Suite *s = suite_create("tenant");
	TCase *tc = tcase_create("db");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_create_list_get);
	tcase_add_test(tc, test_create_rejects);
	tcase_add_test(tc, test_disable_enable_and_resolve);
	tcase_add_test(tc, test_scope_is_transaction_local);
	tcase_add_test(tc, test_agents_cannot_manage_tenants);
	suite_add_tcase(s, tc);
	return s;
}
