/*
 * check_catalog.c - the schema's tenant rules, read from pg_catalog.
 *
 * Citus-readiness and isolation by construction: every table of schema
 * strato with a tenant_id column (login_map excepted) must have RLS enabled
 * and forced, permissive policies that compare tenant_id with
 * current_tenant_id() (restrictive ones can only narrow them, so they are
 * free, like lead_visibility),
 * tenant_id as uuid NOT NULL in every primary key, unique constraint and
 * index (leading it), and on both sides of every foreign key to another
 * tenant table. login_map must be the exception it claims to be (RLS on, no
 * policy, no grants), and no STRATO role may be a superuser or bypass RLS.
 *
 * catalog_problems() returns every broken rule as a line of text, so a
 * failure names the table or constraint. The checker is proven able to fail:
 * one test adds a bad table, another breaks each rule in turn inside a
 * transaction it rolls back, and each must be reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libpq-fe.h>

#include "suites.h"
#include "testdb.h"

/* The tenant tables, with their tenant_id column. */
#define TT                                                                    \
	"WITH tt AS (SELECT c.oid, c.relname, c.relowner, c.relacl, "          \
	"c.relrowsecurity, c.relforcerowsecurity, a.attnum AS tcol, "         \
	"a.atttypid, a.attnotnull FROM pg_class c "                           \
	"JOIN pg_namespace n ON n.oid = c.relnamespace "                      \
	"JOIN pg_attribute a ON a.attrelid = c.oid "                          \
	"AND a.attname = 'tenant_id' AND NOT a.attisdropped "                 \
	"WHERE n.nspname = 'strato' AND c.relkind IN ('r', 'p') "             \
	"AND c.relname <> 'login_map') "

/* A grantee as text: PUBLIC or the role's name. */
#define GRANTEE(g)                                                            \
	"CASE " g " WHEN 0 THEN 'PUBLIC' ELSE " g "::regrole::text END"

/* The only policy expression allowed: tenant_id = current_tenant_id(). */
#define CANONICAL                                                             \
	"'^\\(tenant_id = (\\( SELECT )?(strato\\.)?current_tenant_id\\(\\)"  \
	"( AS current_tenant_id\\))?\\)$'"

#define STRATO_ROLES                                                          \
	"ARRAY['strato_owner', 'strato_service', 'strato_agent', "            \
	"'strato_tenant_admin', 'strato_rolemgr']"

/* Each rule is a query returning one line per problem. */
static const char *const rules[] = {
	TT "SELECT format('table strato.%I: row-level security is not "
	"enabled', relname) FROM tt WHERE NOT relrowsecurity",

	TT "SELECT format('table strato.%I: row-level security is not "
	"forced', relname) FROM tt WHERE NOT relforcerowsecurity",

	TT "SELECT format('table strato.%I: no policy', relname) FROM tt "
	"WHERE NOT EXISTS (SELECT 1 FROM pg_policy p "
	"WHERE p.polrelid = tt.oid AND p.polpermissive)",

	TT "SELECT format('policy %I on strato.%I: %s is not tenant_id = "
	"current_tenant_id(): %s', p.polname, tt.relname, v.k, "
	"coalesce(v.e, 'none')) FROM tt "
	"JOIN pg_policy p ON p.polrelid = tt.oid AND p.polpermissive, "
	"LATERAL (VALUES ('USING', pg_get_expr(p.polqual, p.polrelid)), "
	"('WITH CHECK', pg_get_expr(p.polwithcheck, p.polrelid))) v(k, e) "
	"WHERE (v.e IS NOT NULL AND v.e !~ " CANONICAL ") "
	"OR (p.polqual IS NULL AND p.polwithcheck IS NULL AND v.k = 'USING')",

	TT "SELECT format('%s %I on strato.%I lacks tenant_id', CASE "
	"con.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique "
	"constraint' ELSE 'exclusion constraint' END, con.conname, tt.relname) "
	"FROM tt JOIN pg_constraint con ON con.conrelid = tt.oid "
	"WHERE con.contype IN ('p', 'u', 'x') "
	"AND NOT tt.tcol = ANY (con.conkey)",

	TT "SELECT format('foreign key %I from strato.%I to strato.%I does not "
	"pair tenant_id with tenant_id', con.conname, f.relname, r.relname) "
	"FROM pg_constraint con JOIN tt f ON f.oid = con.conrelid "
	"JOIN tt r ON r.oid = con.confrelid WHERE con.contype = 'f' "
	"AND NOT EXISTS (SELECT 1 FROM unnest(con.conkey, con.confkey) k(a, b) "
	"WHERE k.a = f.tcol AND k.b = r.tcol)",

	TT "SELECT format('table strato.%I: tenant_id is %s%s, not uuid NOT "
	"NULL', relname, format_type(atttypid, NULL), CASE WHEN attnotnull "
	"THEN ' NOT NULL' ELSE ' (nullable)' END) FROM tt "
	"WHERE atttypid <> 'uuid'::regtype OR NOT attnotnull",

	TT "SELECT format('index %I on strato.%I does not lead with "
	"tenant_id', ic.relname, tt.relname) FROM tt "
	"JOIN pg_index i ON i.indrelid = tt.oid "
	"JOIN pg_class ic ON ic.oid = i.indexrelid "
	"WHERE i.indkey[0] <> tt.tcol",

	/* TRUNCATE ignores RLS; REFERENCES and TRIGGER let a role see
	 * past it (key checks and trigger bodies do not apply policies) */
	TT "SELECT format('table strato.%I: %s granted to %s', tt.relname, "
	"a.privilege_type, " GRANTEE("a.grantee") ") FROM tt, "
	"aclexplode(tt.relacl) a WHERE a.grantee <> tt.relowner "
	"AND a.privilege_type IN ('TRUNCATE', 'REFERENCES', 'TRIGGER') "
	"UNION ALL SELECT format('column %I of strato.%I: REFERENCES granted "
	"to %s', att.attname, tt.relname, " GRANTEE("a.grantee") ") FROM tt "
	"JOIN pg_attribute att ON att.attrelid = tt.oid, "
	"aclexplode(att.attacl) a WHERE a.grantee <> tt.relowner "
	"AND a.privilege_type = 'REFERENCES'",

	/* login_map: RLS on, no policy, nobody but its owner */
	"SELECT 'table strato.login_map is missing' "
	"WHERE to_regclass('strato.login_map') IS NULL",

	"SELECT 'table strato.login_map: row-level security is not enabled' "
	"FROM pg_class WHERE oid = to_regclass('strato.login_map') "
	"AND NOT relrowsecurity",

	"SELECT format('table strato.login_map: has policy %I', polname) "
	"FROM pg_policy WHERE polrelid = to_regclass('strato.login_map')",

	"SELECT format('table strato.login_map: %s granted to %s', "
	"a.privilege_type, " GRANTEE("a.grantee") ") FROM pg_class c, "
	"aclexplode(c.relacl) a WHERE c.oid = to_regclass('strato.login_map') "
	"AND a.grantee <> c.relowner UNION ALL SELECT format('column %I of "
	"strato.login_map: %s granted to %s', att.attname, a.privilege_type, "
	GRANTEE("a.grantee") ") FROM pg_class c JOIN pg_attribute att ON "
	"att.attrelid = c.oid, aclexplode(att.attacl) a WHERE c.oid = "
	"to_regclass('strato.login_map') AND a.grantee <> c.relowner",

	/* the roles */
	"SELECT format('role %s is missing', r) FROM unnest(" STRATO_ROLES
	") r WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)",

	"SELECT format('role %I is a superuser', rolname) FROM pg_roles "
	"WHERE rolname = ANY (" STRATO_ROLES ") AND rolsuper",

	"SELECT format('role %I may bypass row-level security', rolname) "
	"FROM pg_roles WHERE rolname = ANY (" STRATO_ROLES ") AND rolbypassrls",

	"SELECT format('role %I is a member of strato_owner', r.rolname) "
	"FROM pg_roles r WHERE r.rolname = ANY (" STRATO_ROLES ") "
	"AND r.rolname <> 'strato_owner' "
	"AND pg_has_role(r.oid, 'strato_owner', 'MEMBER')",

	/* what would see past the policies by running as the owner */
	"SELECT format('view strato.%I does not run as its invoker "
	"(security_invoker)', c.relname) FROM pg_class c JOIN pg_namespace n "
	"ON n.oid = c.relnamespace WHERE n.nspname = 'strato' AND c.relkind = "
	"'v' AND NOT EXISTS (SELECT 1 FROM unnest(c.reloptions) o "
	"WHERE o ~* '^security_invoker=(true|on|yes|1)$')",

	"SELECT format('materialized view strato.%I ignores row-level "
	"security', c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = "
	"c.relnamespace WHERE n.nspname = 'strato' AND c.relkind = 'm'",

	"SELECT format('function %s is SECURITY DEFINER without a pinned "
	"search_path', p.oid::regprocedure) FROM pg_proc p JOIN pg_namespace n "
	"ON n.oid = p.pronamespace WHERE n.nspname = 'strato' AND p.prosecdef "
	"AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) o "
	"WHERE o LIKE 'search\\_path=%')",
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

/*
 * Every broken rule in c's database, one per line ("" when none), as a new
 * string the caller frees. A query that fails is itself a problem.
 */
static char *
catalog_problems(PGconn *c)
{
	char *out = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&out, &len);
	PGresult *r;
	int row;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < NRULES; i++) {
		r = PQexec(c, rules[i]);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			fprintf(f, "rule %zu failed: %s", i,
				PQresultErrorMessage(r));
		else
			for (row = 0; row < PQntuples(r); row++)
				fprintf(f, "%s\n", PQgetvalue(r, row, 0));
		PQclear(r);
	}
	ck_assert_int_eq(fclose(f), 0);
	return out;
}

static void
assert_reports(const char *problems, const char *want)
{
	ck_assert_msg(strstr(problems, want), "not reported: %s\nreported:\n%s",
		      want, problems);
}

static void
exec_sql(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK
		      || PQresultStatus(r) == PGRES_TUPLES_OK, "%s\n%s",
		      PQresultErrorMessage(r), sql);
	PQclear(r);
}

/* The migrated schema keeps every rule, and covers the known tables. */
START_TEST(test_schema_keeps_rules)
{
	static const char *const tables[] = {
		"app_user", "lead", "property", "event", "assistant",
		"conversation", "message", "whatsapp_template",
		"whatsapp_sync", "campaign", "campaign_send",
		"tenant_integration", "import_run", "audit_log",
	};
	PGconn *c = testdb_super(testdb_fresh());
	char *problems = catalog_problems(c);
	char *list, want[64];
	size_t i;

	ck_assert_msg(problems[0] == '\0', "schema problems:\n%s", problems);
	free(problems);

	list = testdb_value(c, TT "SELECT ',' || string_agg(relname, ',') || "
			    "',' FROM tt");
	ck_assert_ptr_nonnull(list);
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		snprintf(want, sizeof(want), ",%s,", tables[i]);
		ck_assert_msg(strstr(list, want), "strato.%s is not checked "
			      "as a tenant table", tables[i]);
	}
	free(list);
	PQfinish(c);
}
END_TEST

/* A table that breaks most rules at once is reported, rule by rule. */
START_TEST(test_bad_table_reported)
{
	PGconn *c = testdb_super(testdb_fresh());
	char *problems;

	exec_sql(c, "CREATE TABLE strato.zz_bad (tenant_id uuid, "
		 "id text PRIMARY KEY)");
	problems = catalog_problems(c);
	assert_reports(problems, "table strato.zz_bad: row-level security is "
		       "not enabled");
	assert_reports(problems, "table strato.zz_bad: row-level security is "
		       "not forced");
	assert_reports(problems, "table strato.zz_bad: no policy");
	assert_reports(problems, "primary key zz_bad_pkey on strato.zz_bad "
		       "lacks tenant_id");
	assert_reports(problems, "table strato.zz_bad: tenant_id is uuid "
		       "(nullable), not uuid NOT NULL");
	assert_reports(problems, "index zz_bad_pkey on strato.zz_bad does not "
		       "lead with tenant_id");
	free(problems);
	PQfinish(c);
}
END_TEST

/* Each rule, broken alone in a rolled-back transaction, is reported. */
START_TEST(test_each_rule_can_fail)
{
	static const struct {
		const char *sql, *want;
	} breaks[] = {
		{ "ALTER TABLE strato.lead NO FORCE ROW LEVEL SECURITY",
		  "table strato.lead: row-level security is not forced" },
		{ "ALTER TABLE strato.lead DISABLE ROW LEVEL SECURITY",
		  "table strato.lead: row-level security is not enabled" },
		{ "DROP POLICY tenant_isolation ON strato.campaign",
		  "table strato.campaign: no policy" },
		/* a restrictive policy alone lets nothing through */
		{ "DROP POLICY tenant_isolation ON strato.lead",
		  "table strato.lead: no policy" },
		{ "CREATE POLICY zz_open ON strato.message USING (true)",
		  "policy zz_open on strato.message: USING" },
		{ "ALTER POLICY tenant_isolation ON strato.event "
		  "WITH CHECK (true)",
		  "policy tenant_isolation on strato.event: WITH CHECK" },
		{ "ALTER POLICY tenant_isolation ON strato.event USING "
		  "(tenant_id = strato.current_tenant_id() OR true)",
		  "policy tenant_isolation on strato.event: USING" },
		{ "CREATE POLICY zz_ins ON strato.audit_log FOR INSERT "
		  "WITH CHECK (strato.current_tenant_id() IS NOT NULL)",
		  "policy zz_ins on strato.audit_log: WITH CHECK" },
		{ "ALTER TABLE strato.property ADD CONSTRAINT zz_url_key "
		  "UNIQUE (url)",
		  "unique constraint zz_url_key on strato.property lacks "
		  "tenant_id" },
		{ "CREATE INDEX zz_msg_at ON strato.message (created_at, "
		  "tenant_id)",
		  "index zz_msg_at on strato.message does not lead with "
		  "tenant_id" },
		{ "ALTER TABLE strato.assistant ADD CONSTRAINT zz_asst_id "
		  "UNIQUE (id); ALTER TABLE strato.conversation ADD "
		  "CONSTRAINT zz_conv_asst FOREIGN KEY (assistant_id) "
		  "REFERENCES strato.assistant (id)",
		  "foreign key zz_conv_asst from strato.conversation to "
		  "strato.assistant" },
		{ "ALTER TABLE strato.lead ADD COLUMN zz_owner uuid; "
		  "ALTER TABLE strato.lead ADD CONSTRAINT zz_lead_user "
		  "FOREIGN KEY (zz_owner, assigned_to_id) REFERENCES "
		  "strato.app_user (tenant_id, id)",
		  "foreign key zz_lead_user from strato.lead to "
		  "strato.app_user" },
		{ "CREATE TABLE strato.zz_int (tenant_id integer NOT NULL, "
		  "id text, PRIMARY KEY (tenant_id, id))",
		  "table strato.zz_int: tenant_id is integer NOT NULL, not "
		  "uuid NOT NULL" },
		{ "GRANT TRUNCATE ON strato.lead TO strato_service",
		  "table strato.lead: TRUNCATE granted to strato_service" },
		{ "GRANT REFERENCES (id) ON strato.lead TO strato_agent",
		  "column id of strato.lead: REFERENCES granted to "
		  "strato_agent" },
		{ "GRANT SELECT ON strato.login_map TO strato_agent",
		  "table strato.login_map: SELECT granted to strato_agent" },
		{ "GRANT SELECT ON strato.login_map TO strato_service",
		  "table strato.login_map: SELECT granted to strato_service" },
		{ "GRANT SELECT (login) ON strato.login_map TO PUBLIC",
		  "column login of strato.login_map: SELECT granted to "
		  "PUBLIC" },
		{ "CREATE POLICY zz_map ON strato.login_map USING (true)",
		  "table strato.login_map: has policy zz_map" },
		{ "ALTER TABLE strato.login_map DISABLE ROW LEVEL SECURITY",
		  "table strato.login_map: row-level security is not enabled" },
		{ "ALTER ROLE strato_agent BYPASSRLS",
		  "role strato_agent may bypass row-level security" },
		{ "ALTER ROLE strato_tenant_admin BYPASSRLS",
		  "role strato_tenant_admin may bypass row-level security" },
		{ "ALTER ROLE strato_owner SUPERUSER",
		  "role strato_owner is a superuser" },
		{ "GRANT strato_owner TO strato_service",
		  "role strato_service is a member of strato_owner" },
		{ "CREATE VIEW strato.zz_leads AS SELECT * FROM strato.lead",
		  "view strato.zz_leads does not run as its invoker" },
		{ "CREATE FUNCTION strato.zz_def() RETURNS int LANGUAGE sql "
		  "SECURITY DEFINER AS 'SELECT 1'",
		  "function strato.zz_def() is SECURITY DEFINER" },
	};
	PGconn *c = testdb_super(testdb_fresh());
	char *problems;
	size_t i;

	for (i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
		exec_sql(c, "BEGIN");
		exec_sql(c, breaks[i].sql);
		problems = catalog_problems(c);
		exec_sql(c, "ROLLBACK");
		assert_reports(problems, breaks[i].want);
		free(problems);
	}
	/* and all of it was rolled back */
	problems = catalog_problems(c);
	ck_assert_msg(problems[0] == '\0', "schema problems:\n%s", problems);
	free(problems);
	PQfinish(c);
}
END_TEST

/* login_map is the one table with tenant_id outside the policies. */
START_TEST(test_login_map_exception)
{
	static const char *const roles[] = {
		"strato_service", "strato_agent", "strato_tenant_admin",
		"strato_rolemgr", "public",
	};
	PGconn *c = testdb_super(testdb_fresh());
	char *v;
	size_t i;

	v = testdb_value(c, "SELECT relrowsecurity FROM pg_class "
			 "WHERE oid = 'strato.login_map'::regclass");
	ck_assert_str_eq(v, "t");
	free(v);
	v = testdb_value(c, "SELECT count(*) FROM pg_policy "
			 "WHERE polrelid = 'strato.login_map'::regclass");
	ck_assert_str_eq(v, "0");
	free(v);
	v = testdb_value(c, "SELECT count(*) FROM pg_class c, "
			 "aclexplode(c.relacl) a WHERE c.oid = "
			 "'strato.login_map'::regclass AND a.grantee = 0");
	ck_assert_str_eq(v, "0");
	free(v);
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		char sql[512];

		snprintf(sql, sizeof(sql), "SELECT has_table_privilege('%s', "
			 "'strato.login_map', 'SELECT, INSERT, UPDATE, DELETE, "
			 "TRUNCATE, REFERENCES, TRIGGER') OR "
			 "has_any_column_privilege('%s', 'strato.login_map', "
			 "'SELECT, INSERT, UPDATE, REFERENCES')", roles[i],
			 roles[i]);
		v = testdb_value(c, sql);
		ck_assert_msg(strcmp(v, "f") == 0, "%s has a privilege on "
			      "strato.login_map", roles[i]);
		free(v);
	}
	PQfinish(c);
}
END_TEST

/* No STRATO role is a superuser or bypasses row-level security. */
START_TEST(test_roles_respect_rls)
{
	static const char *const roles[] = {
		"strato_owner", "strato_service", "strato_agent",
		"strato_tenant_admin",
	};
	PGconn *c = testdb_super(testdb_fresh());
	char sql[256];
	char *v;
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT rolsuper::text || ' ' || "
			 "rolbypassrls::text FROM pg_roles WHERE rolname = "
			 "'%s'", roles[i]);
		v = testdb_value(c, sql);
		ck_assert_msg(v && strcmp(v, "false false") == 0,
			      "role %s: superuser, bypassrls = %s", roles[i],
			      v ? v : "missing");
		free(v);
	}
	PQfinish(c);
}
END_TEST

Suite *
catalog_suite(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc = tcase_create("catalog");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_schema_keeps_rules);
	tcase_add_test(tc, test_bad_table_reported);
	tcase_add_test(tc, test_each_rule_can_fail);
	tcase_add_test(tc, test_login_map_exception);
	tcase_add_test(tc, test_roles_respect_rls);
	suite_add_tcase(s, tc);
	return s;
}
