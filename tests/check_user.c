/*
 * check_user.c - users and their logins, against the real server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "strato/tenant.h"
#include "strato/user.h"
#include "suites.h"
#include "testdb.h"

struct fixture {
	const char *dbname;
	char svc[64];
	char tenant_id[40];
	char other_id[40];
};

static void
setup(struct fixture *f)
{
	char sql[256];
	struct st_db *db;
	struct st_tenant t;
	struct st_error err;
	PGconn *c;

	f->dbname = testdb_fresh();
	snprintf(f->svc, sizeof(f->svc), "%s_svc", f->dbname);
	c = testdb_super(f->dbname);
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN IN ROLE strato_service",
		 f->svc);
	testdb_exec(c, sql);
	PQfinish(c);
	db = testdb_connect(f->svc, f->dbname);
	ck_assert_int_eq(st_tenant_create(db, "Sur", "sur", NULL, &t, &err), 0);
	snprintf(f->tenant_id, sizeof(f->tenant_id), "%s", t.id);
	st_tenant_release(&t);
	ck_assert_int_eq(st_tenant_create(db, "Norte", "norte", NULL, &t, &err),
			 0);
	snprintf(f->other_id, sizeof(f->other_id), "%s", t.id);
	st_tenant_release(&t);
	st_db_close(db);
}

static char *
login_name(const struct fixture *f, const char *suffix)
{
	return st_xasprintf("%s_%s", f->dbname, suffix);
}

START_TEST(test_create_with_password)
{
	struct fixture f;
	struct st_db *db, *agent;
	struct st_user u;
	struct st_error err;
	char *login;
	char sql[512];
	const char *secret = "Cl4ve-Secreta-ñ-7781";
	PGconn *c;
	char *v;

	setup(&f);
	login = login_name(&f, "joaquin");
	db = testdb_connect(f.svc, f.dbname);
	{
		struct st_user_new spec = { " Joaquin@Sur.COM.ar ", "Joaquín Ibáñez",
					    "agent", login, secret };

		ck_assert_int_eq(st_user_create(db, f.tenant_id, &spec, &u, &err),
				 0);
	}
	ck_assert_str_eq(u.email, "joaquin@sur.com.ar");
	ck_assert_str_eq(u.nombre, "Joaquín Ibáñez");
	ck_assert_str_eq(u.role, "AGENT");
	ck_assert_str_eq(u.login, login);
	ck_assert(u.is_active);
	st_user_release(&u);
	st_db_close(db);

	c = testdb_super(f.dbname);
	/* a SCRAM verifier is stored, in the agent group, not the admin one */
	snprintf(sql, sizeof(sql),
		 "SELECT rolpassword LIKE 'SCRAM-SHA-256$%%' AND rolcanlogin"
		 " AND pg_has_role('%s', 'strato_agent', 'MEMBER')"
		 " AND NOT pg_has_role('%s', 'strato_tenant_admin', 'MEMBER')"
		 " AND NOT rolsuper AND NOT rolbypassrls AND NOT rolcreaterole"
		 " FROM pg_authid WHERE rolname = '%s'", login, login, login);
	v = testdb_value(c, sql);
	ck_assert_str_eq(v, "t");
	free(v);
	PQfinish(c);

	/* the login is pinned to its tenant */
	agent = testdb_connect(login, f.dbname);
	ck_assert_str_eq(st_db_login_tenant(agent), f.tenant_id);
	ck_assert(!st_db_is_service(agent));
	st_db_close(agent);

	/* the plain password reached no server log (every statement is
	 * logged in the test cluster) */
	{
		const char *path = getenv("STRATO_TEST_PGLOG");
		FILE *lf = path ? fopen(path, "r") : NULL;
		char line[4096];
		bool seen_login = false;

		ck_assert_msg(lf != NULL, "no server log to search");
		while (fgets(line, sizeof(line), lf)) {
			ck_assert_msg(strstr(line, secret) == NULL,
				      "password in server log: %s", line);
			if (strstr(line, "create_login"))
				seen_login = true;
		}
		fclose(lf);
		/* proves the log does record statements */
		ck_assert(seen_login);
	}
	free(login);
}
END_TEST

START_TEST(test_create_rejects)
{
	struct fixture f;
	struct st_db *db;
	struct st_user u;
	struct st_error err;
	char *login;

	setup(&f);
	login = login_name(&f, "m");
	db = testdb_connect(f.svc, f.dbname);
	{
		struct st_user_new ok = { "m@sur.com", "M", "admin", login, NULL };
		struct st_user_new dup = { "M@SUR.COM", "M2", "agent", NULL, NULL };
		struct st_user_new dup_login = { "x@sur.com", "X", "agent", login,
						 NULL };
		struct st_user_new bad_email = { "no-at-sign", "X", "agent", NULL,
						 NULL };
		struct st_user_new bad_role = { "r@sur.com", "X", "boss", NULL,
						NULL };
		struct st_user_new bad_login = { "l@sur.com", "X", "agent",
						 "strato_service", NULL };
		struct st_user_new pw_no_login = { "p@sur.com", "X", "agent", NULL,
						   "pw" };

		ck_assert_int_eq(st_user_create(db, f.tenant_id, &ok, &u, &err), 0);
		ck_assert_str_eq(u.role, "ADMIN");
		st_user_release(&u);
		ck_assert_int_eq(st_user_create(db, f.tenant_id, &dup, &u, &err),
				 -1);
		ck_assert_int_eq(err.code, ST_EEXIST);
		ck_assert_int_eq(st_user_create(db, f.tenant_id, &dup_login, &u,
						&err), -1);
		ck_assert_int_eq(err.code, ST_EEXIST);
		ck_assert_int_eq(st_user_create(db, f.tenant_id, &bad_email, &u,
						&err), -1);
		ck_assert_int_eq(err.code, ST_EINVAL);
		ck_assert_int_eq(st_user_create(db, f.tenant_id, &bad_role, &u,
						&err), -1);
		ck_assert_int_eq(err.code, ST_EINVAL);
		ck_assert_int_eq(st_user_create(db, f.tenant_id, &bad_login, &u,
						&err), -1);
		ck_assert_int_eq(err.code, ST_EINVAL);
		ck_assert_int_eq(st_user_create(db, f.tenant_id, &pw_no_login, &u,
						&err), -1);
		ck_assert_int_eq(err.code, ST_EINVAL);
		/* the same e-mail is fine in another tenant */
		ck_assert_int_eq(st_user_create(db, f.other_id, &dup, &u, &err), 0);
		st_user_release(&u);
	}
	{
		struct st_user_list l;

		ck_assert_int_eq(st_user_list(db, f.tenant_id, &l, &err), 0);
		ck_assert_uint_eq(l.n, 1); /* failed attempts left no rows */
		st_user_list_release(&l);
	}
	st_db_close(db);
	free(login);
}
END_TEST

START_TEST(test_tenant_admin_creates_agents)
{
	struct fixture f;
	struct st_db *db;
	struct st_user u;
	struct st_error err;
	char *admin = NULL, *agent = NULL, *agent2 = NULL;
	struct st_user_list l;

	setup(&f);
	admin = login_name(&f, "adm");
	agent = login_name(&f, "ag");
	agent2 = login_name(&f, "ag2");
	db = testdb_connect(f.svc, f.dbname);
	{
		struct st_user_new a = { "adm@sur.com", "Adm", "admin", admin, NULL };

		ck_assert_int_eq(st_user_create(db, f.tenant_id, &a, &u, &err), 0);
		st_user_release(&u);
	}
	st_db_close(db);

	/* the tenant admin, with no CREATEROLE of its own, makes an agent */
	db = testdb_connect(admin, f.dbname);
	ck_assert(st_db_is_tenant_admin(db));
	{
		struct st_user_new a = { "ag@sur.com", "Ag", "agent", agent, NULL };

		ck_assert_int_eq(st_user_create(db, f.tenant_id, &a, &u, &err), 0);
		st_user_release(&u);
		/* but not in another tenant */
		ck_assert_int_eq(st_user_create(db, f.other_id, &a, &u, &err), -1);
		ck_assert_int_eq(err.code, ST_EPERM);
	}
	ck_assert_int_eq(st_user_list(db, f.tenant_id, &l, &err), 0);
	ck_assert_uint_eq(l.n, 2);
	st_user_list_release(&l);
	st_db_close(db);

	/* an agent can list but not create users */
	db = testdb_connect(agent, f.dbname);
	ck_assert(!st_db_is_tenant_admin(db));
	{
		struct st_user_new a = { "ag2@sur.com", "Ag2", "agent", agent2,
					 NULL };

		ck_assert_int_eq(st_user_create(db, f.tenant_id, &a, &u, &err), -1);
		ck_assert_int_eq(err.code, ST_EPERM);
	}
	ck_assert_int_eq(st_user_list(db, f.tenant_id, &l, &err), 0);
	ck_assert_uint_eq(l.n, 2);
	st_user_list_release(&l);
	st_db_close(db);
	free(admin);
	free(agent);
	free(agent2);
}
END_TEST

START_TEST(test_disable)
{
	struct fixture f;
	struct st_db *db;
	struct st_user u;
	struct st_error err;
	char *login = NULL;
	char sql[256];
	PGconn *c;
	char *v;

	setup(&f);
	login = login_name(&f, "gone");
	db = testdb_connect(f.svc, f.dbname);
	{
		struct st_user_new a = { "gone@sur.com", "Gone", "agent", login,
					 NULL };

		ck_assert_int_eq(st_user_create(db, f.tenant_id, &a, &u, &err), 0);
		st_user_release(&u);
	}
	ck_assert_int_eq(st_user_disable(db, f.tenant_id, "Gone@Sur.com", &err),
			 0);
	ck_assert_int_eq(st_user_disable(db, f.tenant_id, "nobody@sur.com",
					 &err), -1);
	ck_assert_int_eq(err.code, ST_ENOTFOUND);
	/* a user of another tenant is not found from this one */
	ck_assert_int_eq(st_user_disable(db, f.other_id, "gone@sur.com", &err),
			 -1);
	ck_assert_int_eq(err.code, ST_ENOTFOUND);
	st_db_close(db);

	c = testdb_super(f.dbname);
	snprintf(sql, sizeof(sql), "SELECT rolcanlogin FROM pg_roles"
		 " WHERE rolname = '%s'", login);
	v = testdb_value(c, sql);
	ck_assert_str_eq(v, "f");
	free(v);
	v = testdb_value(c, "SELECT is_active FROM strato.app_user"
			 " WHERE email = 'gone@sur.com'");
	ck_assert_str_eq(v, "f");
	free(v);
	v = testdb_value(c, "SELECT count(*) FROM strato.audit_log"
			 " WHERE action = 'user.disable'");
	ck_assert_str_eq(v, "1");
	free(v);
	PQfinish(c);
	/* and it can no longer connect */
	{
		PGconn *g = PQconnectdb(testdb_conninfo(login, f.dbname));

		ck_assert_int_ne(PQstatus(g), CONNECTION_OK);
		ck_assert_ptr_nonnull(strstr(PQerrorMessage(g),
					     "not permitted to log in"));
		PQfinish(g);
	}
	free(login);
}
END_TEST

/* Audit rows carry the server's idea of who and when, never the client's. */
START_TEST(test_audit_actor_not_forgeable)
{
	struct fixture f;
	struct st_db *db;
	struct st_user u;
	struct st_error err;
	char *agent = NULL;
	char sql[512];
	PGconn *c;
	char *v;

	setup(&f);
	agent = login_name(&f, "forger");
	db = testdb_connect(f.svc, f.dbname);
	{
		struct st_user_new a = { "f@sur.com", "F", "agent", agent, NULL };

		ck_assert_int_eq(st_user_create(db, f.tenant_id, &a, &u, &err), 0);
	}
	st_db_close(db);
	c = PQconnectdb(testdb_conninfo(agent, f.dbname));
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO strato.audit_log (tenant_id, id, action, entity,"
		 " actor_login, actor_user_id, at) VALUES ('%s', 'forged',"
		 " 'lead.delete', 'lead', 'someone_else', 'nobody',"
		 " '2001-01-01')", f.tenant_id);
	testdb_exec(c, sql);
	PQfinish(c);
	c = testdb_super(f.dbname);
	v = testdb_value(c, "SELECT actor_login || ' ' || actor_user_id || ' '"
			 " || (at > now() - interval '1 hour')"
			 " FROM strato.audit_log WHERE id = 'forged'");
	snprintf(sql, sizeof(sql), "%s %s true", agent, u.id);
	ck_assert_str_eq(v, sql);
	free(v);
	PQfinish(c);
	st_user_release(&u);
	free(agent);
}
END_TEST

START_TEST(test_validators)
{
	ck_assert(st_user_login_valid("joaquin_2"));
	ck_assert(!st_user_login_valid("2joaquin"));
	ck_assert(!st_user_login_valid("Joaquin"));
	ck_assert(!st_user_login_valid("pg_monitor"));
	ck_assert(!st_user_login_valid("strato_x"));
	ck_assert(!st_user_login_valid("a-b"));
	ck_assert(!st_user_login_valid(""));
	ck_assert(st_user_email_valid("a.b@c.com.ar"));
	ck_assert(!st_user_email_valid("a@b"));
	ck_assert(!st_user_email_valid("@b.com"));
	ck_assert(!st_user_email_valid("a@@b.com"));
	ck_assert(!st_user_email_valid("a b@c.com"));
	ck_assert_str_eq(st_user_role_parse("ADMIN"), "ADMIN");
	ck_assert_str_eq(st_user_role_parse("Agent"), "AGENT");
	ck_assert_ptr_null(st_user_role_parse("owner"));
}
END_TEST

Suite *
user_suite(void)
{
	Suite *s = suite_create("user");
	TCase *tc = tcase_create("db");
	TCase *tv = tcase_create("validate");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_create_with_password);
	tcase_add_test(tc, test_create_rejects);
	tcase_add_test(tc, test_tenant_admin_creates_agents);
	tcase_add_test(tc, test_disable);
	tcase_add_test(tc, test_audit_actor_not_forgeable);
	tcase_add_test(tv, test_validators);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tv);
	return s;
}
