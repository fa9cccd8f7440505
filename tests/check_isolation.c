/*
 * check_isolation.c - tenant isolation, tested against the real server.
 *
 * Every test clones a fresh database and, as the setup below, creates two
 * tenants A and B, seeds every tenant table for both through a service login
 * (A always holds more rows than B, so a count tells them apart) and gives
 * A's admin and one of A's agents their logins through strato.create_login,
 * as production does. The tests then act as those logins, and as a service
 * login, an agent mapped to no tenant, a login in no STRATO group and a
 * member of strato_owner, and compare what each sees or changes with the
 * superuser's view of the truth.
 *
 * The tenant tables come from the catalog (every table of schema strato with
 * a tenant_id column, login_map excepted), so a table added later is read,
 * written and probed without editing this file; the setup only insists that
 * the fourteen tables it knows how to seed are among them. What a login may
 * do comes from has_*_privilege: where the role lacks a privilege, the test
 * expects SQLSTATE 42501 instead of rows.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libpq-fe.h>

#include "suites.h"
#include "testdb.h"

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

#define MAX_TABLES 64
#define MAX_ROLES 12
#define NAME_LEN 80
#define SQL_MAX 8192
#define A_ROWS 3 /* rows per table for A; lead has one more */
#define B_ROWS 2

/*
 * The tables the setup seeds, with a row tenant A may insert (columns and
 * values after tenant_id): the positive control of the INSERT tests.
 */
struct known_table {
	const char *name;
	const char *cols;
	const char *vals;
};

static const struct known_table known[] = {
	{ "app_user", "id, email, nombre, role",
	  "'new-user', 'new@example.test', 'New', 'AGENT'" },
	{ "lead", "id, nombre", "'new-lead', 'New'" },
	{ "property", "id, titulo, operacion, tipo",
	  "'new-prop', 'New', 'VENTA', 'CASA'" },
	{ "event", "id, lead_id, tipo, titulo, fecha",
	  "'new-event', 'a-lead-1', 'NOTA', 'New', now()" },
	{ "assistant", "id, nombre", "'new-asst', 'New'" },
	{ "conversation", "id, lead_id, canal",
	  "'new-conv', 'a-lead-1', 'WEB'" },
	{ "message", "id, conversation_id, direccion",
	  "'new-msg', 'a-conv-1', 'ENTRANTE'" },
	{ "whatsapp_template", "id, nombre, categoria, contenido",
	  "'new-tpl', 'new_tpl', 'UTILITY', 'Hola'" },
	{ "whatsapp_sync", "id, lead_id, wa_id",
	  "'new-sync', 'a-lead-4', '5491100000009'" },
	{ "campaign", "id, nombre, tipo",
	  "'new-camp', 'New', 'PERSONALIZADA'" },
	{ "campaign_send", "id, campaign_id, lead_id",
	  "'new-send', 'a-camp-1', 'a-lead-4'" },
	{ "tenant_integration", "id, provider", "'new-integ', 'WHATSAPP'" },
	{ "import_run", "id, kind", "'new-run', 'LEADS_CSV'" },
	{ "audit_log", "id, action, entity", "'new-audit', 'test', 'lead'" },
	{ "legacy_migration", "id, tenant_created", "'new-legacy', false" },
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

/*
 * The seed, run by the service login inside a transaction that has set
 * app.tenant_id, app.p (the id prefix, "a" or "b") and app.n (row count).
 * Ids carry the tenant's prefix, so a foreign key naming one of B's rows
 * cannot be satisfied by a row of A that happens to share its id.
 */
#define S                                                                     \
	"WITH s AS (SELECT strato.current_tenant_id() AS t, "                 \
	"current_setting('app.p') AS p, "                                     \
	"current_setting('app.n')::int AS n) "
#define SERIES " FROM s, generate_series(1, n) i;\n"

static const char seed_sql[] =
	S "INSERT INTO strato.app_user (tenant_id, id, email, nombre, "
	"role) SELECT t, p || '-user-' || i, p || i || '@example.test', "
	"'User ' || i, CASE i WHEN 1 THEN 'ADMIN' ELSE 'AGENT' END" SERIES
	S "INSERT INTO strato.lead (tenant_id, id, nombre, telefono_e164, "
	"assigned_to_id) SELECT t, p || '-lead-' || i, 'Lead ' || i, "
	"'+54911000000' || i, p || '-user-2' "
	"FROM s, generate_series(1, n + 1) i;\n"
	S "INSERT INTO strato.property (tenant_id, id, codigo, titulo, "
	"operacion, tipo, precio) SELECT t, p || '-prop-' || i, 'P' || i, "
	"'Casa ' || i, 'VENTA', 'CASA', 1000 * i" SERIES
	S "INSERT INTO strato.assistant (tenant_id, id, nombre) "
	"SELECT t, p || '-asst-' || i, 'Astor ' || i" SERIES
	S "INSERT INTO strato.event (tenant_id, id, lead_id, user_id, "
	"property_id, tipo, titulo, fecha) SELECT t, p || '-event-' || i, "
	"p || '-lead-' || i, p || '-user-2', p || '-prop-' || i, 'VISITA', "
	"'Visita ' || i, now() + i * interval '1 day'" SERIES
	S "INSERT INTO strato.conversation (tenant_id, id, lead_id, "
	"assistant_id, canal, provider) SELECT t, p || '-conv-' || i, "
	"p || '-lead-' || i, p || '-asst-1', 'WHATSAPP', 'WHATSAPP'" SERIES
	S "INSERT INTO strato.message (tenant_id, id, conversation_id, "
	"direccion, contenido, external_id, estado) SELECT t, "
	"p || '-msg-' || i, p || '-conv-1', 'ENTRANTE', 'Hola ' || i, "
	"p || '-wamid-' || i, 'RECEIVED'" SERIES
	S "INSERT INTO strato.whatsapp_template (tenant_id, id, nombre, "
	"categoria, contenido) SELECT t, p || '-tpl-' || i, 'tpl_' || i, "
	"'UTILITY', 'Hola {{1}}'" SERIES
	S "INSERT INTO strato.whatsapp_sync (tenant_id, id, lead_id, wa_id) "
	"SELECT t, p || '-sync-' || i, p || '-lead-' || i, "
	"'54911000000' || i" SERIES
	S "INSERT INTO strato.campaign (tenant_id, id, nombre, tipo, "
	"created_by) SELECT t, p || '-camp-' || i, 'Campaign ' || i, "
	"'PERSONALIZADA', p || '-user-1'" SERIES
	S "INSERT INTO strato.campaign_send (tenant_id, id, campaign_id, "
	"lead_id) SELECT t, p || '-send-' || i, p || '-camp-1', "
	"p || '-lead-' || i" SERIES
	S "INSERT INTO strato.tenant_integration (tenant_id, id, provider, "
	"secret_ciphertext, secret_key_id) SELECT t, p || '-integ-' || i, "
	"(ARRAY['MANYCHAT', 'UCHAT', 'ELEVENLABS', 'WHATSAPP'])[i], "
	"CASE i WHEN 1 THEN decode('00ff', 'hex') END, "
	"CASE i WHEN 1 THEN 'k1' END" SERIES
	S "INSERT INTO strato.import_run (tenant_id, id, kind, source) "
	"SELECT t, p || '-run-' || i, 'LEADS_CSV', "
	"'leads' || i || '.csv'" SERIES
	S "INSERT INTO strato.audit_log (tenant_id, id, action, entity, "
	"entity_id) SELECT t, p || '-audit-' || i, 'seed', 'lead', "
	"p || '-lead-' || i" SERIES
	S "INSERT INTO strato.legacy_migration (tenant_id, id, tenant_created) "
	"SELECT t, p || '-legacy-' || i, i = 1" SERIES;

/* The state one test's setup leaves behind (reset by every setup). */
static struct {
	char db[64];
	char a[40], b[40];            /* tenant ids */
	char svc[NAME_LEN];           /* service login */
	char adm[NAME_LEN];           /* A's admin (user a-user-1) */
	char agt[NAME_LEN];           /* A's agent (user a-user-2) */
	char tables[MAX_TABLES][NAME_LEN];
	size_t ntables;
	char roles[MAX_ROLES][NAME_LEN]; /* to drop in the teardown */
	size_t nroles;
	PGconn *su;
} fx;

static char sql_buf[SQL_MAX]; /* the statement last run, for messages */

static void
quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static PGresult *vrun(PGconn *c, const char *fmt, va_list ap)
	PRINTF_LIKE(2, 0);

static PGresult *
vrun(PGconn *c, const char *fmt, va_list ap)
{
	int n = vsnprintf(sql_buf, sizeof(sql_buf), fmt, ap);

	ck_assert_msg(n >= 0 && (size_t)n < sizeof(sql_buf), "SQL too long");
	return PQexec(c, sql_buf);
}

/* Run a statement, whatever comes of it; the caller clears the result. */
static PGresult *run(PGconn *c, const char *fmt, ...) PRINTF_LIKE(2, 3);

static PGresult *
run(PGconn *c, const char *fmt, ...)
{
	va_list ap;
	PGresult *r;

	va_start(ap, fmt);
	r = vrun(c, fmt, ap);
	va_end(ap);
	return r;
}

/* Run a statement that must succeed; returns the rows it affected. */
static long affected(PGconn *c, const char *fmt, ...) PRINTF_LIKE(2, 3);

static long
affected(PGconn *c, const char *fmt, ...)
{
	va_list ap;
	PGresult *r;
	ExecStatusType st;
	long n;

	va_start(ap, fmt);
	r = vrun(c, fmt, ap);
	va_end(ap);
	st = PQresultStatus(r);
	ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK,
		      "as %s: %s%.500s", PQuser(c), PQresultErrorMessage(r),
		      sql_buf);
	n = atol(PQcmdTuples(r));
	PQclear(r);
	return n;
}

/* The first value of a query that must succeed: malloc'd, or NULL. */
static char *value(PGconn *c, const char *fmt, ...) PRINTF_LIKE(2, 3);

static char *
value(PGconn *c, const char *fmt, ...)
{
	va_list ap;
	PGresult *r;
	char *v = NULL;

	va_start(ap, fmt);
	r = vrun(c, fmt, ap);
	va_end(ap);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "as %s: %s%.500s",
		      PQuser(c), PQresultErrorMessage(r), sql_buf);
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		v = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

/* A query's one non-NULL number. */
static long number(PGconn *c, const char *fmt, ...) PRINTF_LIKE(2, 3);

static long
number(PGconn *c, const char *fmt, ...)
{
	va_list ap;
	PGresult *r;
	long n;

	va_start(ap, fmt);
	r = vrun(c, fmt, ap);
	va_end(ap);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
		      && !PQgetisnull(r, 0, 0),
		      "as %s: no number from %s%.500s",
		      PQuser(c), PQresultErrorMessage(r), sql_buf);
	n = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	return n;
}

/* A query's one boolean (NULL is false). */
static bool truth_of(PGconn *c, const char *fmt, ...) PRINTF_LIKE(2, 3);

static bool
truth_of(PGconn *c, const char *fmt, ...)
{
	va_list ap;
	PGresult *r;
	bool t;

	va_start(ap, fmt);
	r = vrun(c, fmt, ap);
	va_end(ap);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1,
		      "as %s: %s%.500s", PQuser(c), PQresultErrorMessage(r),
		      sql_buf);
	t = !PQgetisnull(r, 0, 0) && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return t;
}

/*
 * Run a statement that must fail with one of the SQLSTATEs in states (a
 * space-separated list) and, when text is not NULL, a message containing it.
 */
static void fails(PGconn *c, const char *states, const char *text,
		  const char *fmt, ...) PRINTF_LIKE(4, 5);

static void
fails(PGconn *c, const char *states, const char *text, const char *fmt, ...)
{
	va_list ap;
	PGresult *r;
	const char *state, *msg;

	/* Inside a transaction, fail in a savepoint so the rest goes on. */
	bool in_tx = PQtransactionStatus(c) == PQTRANS_INTRANS;

	if (in_tx)
		PQclear(PQexec(c, "SAVEPOINT expect_failure"));
	va_start(ap, fmt);
	r = vrun(c, fmt, ap);
	va_end(ap);
	if (in_tx)
		PQclear(PQexec(c, "ROLLBACK TO SAVEPOINT expect_failure"));
	state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	msg = PQresultErrorMessage(r);
	ck_assert_msg(PQresultStatus(r) == PGRES_FATAL_ERROR,
		      "as %s: succeeded (%s rows), expected %s: %.500s",
		      PQuser(c), PQcmdTuples(r), states, sql_buf);
	ck_assert_msg(state && strstr(states, state) && strlen(state) == 5
		      && (!text || strstr(msg, text)),
		      "as %s: expected %s (%s), got %s: %s%.500s", PQuser(c),
		      states, text ? text : "any message",
		      state ? state : "none", msg, sql_buf);
	PQclear(r);
}

/* A libpq connection to the test database as user; fails the test. */
static PGconn *
connect_as(const char *user)
{
	PGconn *c = PQconnectdb(testdb_conninfo(user, fx.db));

	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "cannot connect as %s: %s",
		      user, PQerrorMessage(c));
	PQsetNoticeProcessor(c, quiet, NULL);
	return c;
}

/* Name a role after the database, remember it for the teardown. */
static const char *
role_name(char *out, const char *suffix)
{
	ck_assert_uint_lt(fx.nroles, MAX_ROLES);
	snprintf(out, NAME_LEN, "%s_%s", fx.db, suffix);
	snprintf(fx.roles[fx.nroles++], NAME_LEN, "%s", out);
	return out;
}

/* Create a login (as superuser) in group, or in no group when NULL. */
static void
create_role(char *out, const char *suffix, const char *group)
{
	role_name(out, suffix);
	affected(fx.su, "CREATE ROLE \"%s\" LOGIN%s%s", out,
		 group ? " IN ROLE " : "", group ? group : "");
}

/* Does role hold priv on strato.t (on column col, or any column: "*")? */
static bool
may(const char *role, const char *t, const char *col, const char *priv)
{
	if (!col)
		return truth_of(fx.su, "SELECT has_table_privilege('%s', "
				"'strato.%s', '%s')", role, t, priv);
	if (strcmp(col, "*") == 0)
		return truth_of(fx.su, "SELECT has_any_column_privilege('%s', "
				"'strato.%s', '%s')", role, t, priv);
	return truth_of(fx.su, "SELECT has_column_privilege('%s', 'strato.%s', "
			"'%s', '%s')", role, t, col, priv);
}

/* How many rows of strato.t belong to tenant, as the superuser sees it. */
static long
truth(const char *t, const char *tenant)
{
	return number(fx.su, "SELECT count(*) FROM strato.%s WHERE tenant_id "
		      "= '%s'", t, tenant);
}

/* B's rows of strato.t, as one checksum (malloc'd). */
static char *
b_checksum(const char *t)
{
	return value(fx.su, "SELECT count(*) || ':' || coalesce(md5(string_agg("
		     "x::text, '|' ORDER BY x::text)), '') FROM strato.%s x "
		     "WHERE tenant_id = '%s'", t, fx.b);
}

static const struct known_table *
find_known(const char *t)
{
	size_t i;

	for (i = 0; i < NKNOWN; i++)
		if (strcmp(known[i].name, t) == 0)
			return &known[i];
	return NULL;
}

/*
 * Assert that login c sees exactly tenant's rows (no row at all when tenant
 * is NULL) of every tenant table it may read, and is refused with 42501 by
 * every table it may not.
 */
static void
assert_sees(PGconn *c, const char *tenant)
{
	char lit[48];
	PGresult *r;
	size_t i;
	long want, rows, other;

	if (tenant)
		snprintf(lit, sizeof(lit), "'%s'", tenant);
	else
		snprintf(lit, sizeof(lit), "NULL");
	for (i = 0; i < fx.ntables; i++) {
		const char *t = fx.tables[i];

		if (!may(PQuser(c), t, "tenant_id", "SELECT")) {
			fails(c, "42501", "permission denied",
			      "SELECT count(*) FROM strato.%s", t);
			continue;
		}
		want = tenant ? truth(t, tenant) : 0;
		r = run(c, "SELECT count(*), count(*) FILTER (WHERE tenant_id "
			"IS DISTINCT FROM %s) FROM strato.%s", lit, t);
		ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK,
			      "as %s: reading strato.%s failed: %s", PQuser(c),
			      t, PQresultErrorMessage(r));
		rows = atol(PQgetvalue(r, 0, 0));
		other = atol(PQgetvalue(r, 0, 1));
		PQclear(r);
		ck_assert_msg(rows == want && other == 0,
			      "as %s: strato.%s shows %ld rows (%ld of another "
			      "tenant), expected %ld", PQuser(c), t, rows,
			      other, want);
	}
}

/* Open a service transaction for tenant (a uuid, or any text). */
static void
service_begin(PGconn *svc, const char *tenant)
{
	affected(svc, "BEGIN");
	affected(svc, "SELECT set_config('app.tenant_id', '%s', true)", tenant);
}

static void
seed(PGconn *svc, const char *tenant, const char *prefix, int n)
{
	service_begin(svc, tenant);
	affected(svc, "SELECT set_config('app.p', '%s', true), "
		 "set_config('app.n', '%d', true)", prefix, n);
	affected(svc, "%s", seed_sql);
}

/* The tenant tables, from the catalog. */
static void
load_tables(void)
{
	PGresult *r;
	int i;

	r = run(fx.su, "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
		"ON n.oid = c.relnamespace WHERE n.nspname = 'strato' "
		"AND c.relkind IN ('r', 'p') AND c.relname <> 'login_map' "
		"AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = "
		"c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped) "
		"ORDER BY c.relname");
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	ck_assert_int_le(PQntuples(r), MAX_TABLES);
	for (i = 0; i < PQntuples(r); i++) {
		const char *t = PQgetvalue(r, i, 0);

		/* names go into SQL unquoted below */
		ck_assert_msg(strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789_")
			      == strlen(t) && strlen(t) < NAME_LEN,
			      "unexpected table name strato.\"%s\"", t);
		snprintf(fx.tables[fx.ntables++], NAME_LEN, "%s", t);
	}
	PQclear(r);
}

/* Every known table is a tenant table, seeded with the expected counts. */
static void
assert_seeded(void)
{
	size_t i, j;
	long a, b, extra;

	for (i = 0; i < NKNOWN; i++) {
		for (j = 0; j < fx.ntables; j++)
			if (strcmp(fx.tables[j], known[i].name) == 0)
				break;
		ck_assert_msg(j < fx.ntables, "strato.%s is not in the "
			      "catalog's list of tenant tables", known[i].name);
		extra = strcmp(known[i].name, "lead") == 0;
		a = truth(known[i].name, fx.a);
		b = truth(known[i].name, fx.b);
		ck_assert_msg(a == A_ROWS + extra && b == B_ROWS + extra,
			      "strato.%s seeded %ld rows for A, %ld for B",
			      known[i].name, a, b);
	}
}

static void
setup(void)
{
	PGconn *svc;
	char *id;

	memset(&fx, 0, sizeof(fx));
	snprintf(fx.db, sizeof(fx.db), "%s", testdb_fresh());
	fx.su = testdb_super(fx.db);
	id = value(fx.su, "INSERT INTO strato.tenant (nombre, slug) VALUES "
		   "('Tenant A', 'tenant-a') RETURNING id");
	snprintf(fx.a, sizeof(fx.a), "%s", id);
	free(id);
	id = value(fx.su, "INSERT INTO strato.tenant (nombre, slug) VALUES "
		   "('Tenant B', 'tenant-b') RETURNING id");
	snprintf(fx.b, sizeof(fx.b), "%s", id);
	free(id);
	load_tables();

	create_role(fx.svc, "svc", "strato_service");
	role_name(fx.adm, "adm");
	role_name(fx.agt, "agt");
	svc = connect_as(fx.svc);
	seed(svc, fx.a, "a", A_ROWS);
	affected(svc, "SELECT strato.create_login('%s', 'a-user-1', '%s', "
		 "NULL)", fx.a, fx.adm);
	affected(svc, "SELECT strato.create_login('%s', 'a-user-2', '%s', "
		 "NULL)", fx.a, fx.agt);
	affected(svc, "COMMIT");
	seed(svc, fx.b, "b", B_ROWS);
	affected(svc, "COMMIT");
	PQfinish(svc);

	assert_seeded();
	ck_assert(truth_of(fx.su, "SELECT pg_has_role('%s', "
			   "'strato_tenant_admin', 'MEMBER')", fx.adm));
	ck_assert(truth_of(fx.su, "SELECT pg_has_role('%s', 'strato_agent', "
			   "'MEMBER') AND NOT pg_has_role('%s', "
			   "'strato_tenant_admin', 'MEMBER')", fx.agt, fx.agt));
}

/*
 * Drop the database and the roles, best effort: nothing depends on it, and a
 * failed forked test never gets here (the throwaway cluster goes anyway).
 */
static void
teardown(void)
{
	PGconn *c;
	size_t i;

	if (fx.su)
		PQfinish(fx.su);
	fx.su = NULL;
	if (!fx.db[0])
		return;
	c = testdb_super("postgres");
	PQclear(run(c, "DROP DATABASE IF EXISTS %s WITH (FORCE)", fx.db));
	for (i = 0; i < fx.nroles; i++)
		PQclear(run(c, "DROP ROLE IF EXISTS \"%s\"", fx.roles[i]));
	PQfinish(c);
	fx.db[0] = '\0';
}

/* a) A's admin and A's agent read A's rows, all of them, and nothing else. */
START_TEST(test_reads_own_tenant_only)
{
	PGconn *adm = connect_as(fx.adm);
	PGconn *agt = connect_as(fx.agt);
	char *id;
	size_t i;

	for (i = 0; i < NKNOWN; i++) {
		const char *t = known[i].name;

		ck_assert_msg(may(fx.adm, t, "tenant_id", "SELECT"),
			      "the admin may not read strato.%s", t);
		ck_assert_msg(may(fx.agt, t, "tenant_id", "SELECT"),
			      "the agent may not read strato.%s", t);
	}
	assert_sees(adm, fx.a);
	assert_sees(agt, fx.a);

	/* agents see that an integration exists, not its secret */
	fails(agt, "42501", "permission denied",
	      "SELECT secret_ciphertext FROM strato.tenant_integration");
	ck_assert_int_eq(number(adm, "SELECT count(secret_ciphertext) FROM "
				"strato.tenant_integration"), 1);

	/* and of the tenants, their own */
	ck_assert_int_eq(number(agt, "SELECT count(*) FROM strato.tenant"), 1);
	id = value(agt, "SELECT id FROM strato.tenant");
	ck_assert_str_eq(id, fx.a);
	free(id);
	PQfinish(adm);
	PQfinish(agt);
}
END_TEST

/* The column UPDATE strato.t may set to itself as role, or NULL. */
static char *
updatable_column(const char *role, const char *t)
{
	return value(fx.su, "SELECT attname FROM pg_attribute WHERE attrelid = "
		     "'strato.%s'::regclass AND attnum > 0 "
		     "AND NOT attisdropped AND attgenerated = '' "
		     "AND has_column_privilege('%s', attrelid, attnum, "
		     "'UPDATE') AND has_column_privilege('%s', attrelid, "
		     "attnum, 'SELECT') ORDER BY attname <> 'tenant_id', "
		     "attnum LIMIT 1", t, role, role);
}

/* UPDATE every table as login c: A's rows only, or 42501 when not granted. */
static void
update_all(PGconn *c)
{
	size_t i;
	char *col;
	long n, want;

	for (i = 0; i < fx.ntables; i++) {
		const char *t = fx.tables[i];

		affected(c, "SAVEPOINT s");
		col = updatable_column(PQuser(c), t);
		if (col) {
			n = affected(c, "UPDATE strato.%s SET %s = %s", t, col,
				     col);
			want = truth(t, fx.a);
			ck_assert_msg(n == want, "as %s: UPDATE strato.%s "
				      "updated %ld rows, A has %ld", PQuser(c),
				      t, n, want);
		} else {
			fails(c, "42501", "permission denied",
			      "UPDATE strato.%s SET tenant_id = tenant_id", t);
			affected(c, "ROLLBACK TO SAVEPOINT s");
		}
		affected(c, "RELEASE SAVEPOINT s");
		free(col);
	}
}

/*
 * DELETE from every table as login c, each in a savepoint rolled back when
 * rollback is set: A's rows only, or 42501 when not granted. Without
 * rollback, cascades from earlier tables may have emptied later ones.
 */
static void
delete_all(PGconn *c, bool rollback, long *a_before)
{
	size_t i;
	long n;
	bool granted;

	for (i = 0; i < fx.ntables; i++) {
		const char *t = fx.tables[i];

		affected(c, "SAVEPOINT s");
		granted = may(PQuser(c), t, NULL, "DELETE");
		if (granted) {
			n = affected(c, "DELETE FROM strato.%s", t);
			ck_assert_msg(rollback ? n == a_before[i]
					       : n <= a_before[i],
				      "as %s: DELETE FROM strato.%s removed "
				      "%ld rows, A has %ld", PQuser(c), t, n,
				      a_before[i]);
		} else {
			fails(c, "42501", "permission denied",
			      "DELETE FROM strato.%s", t);
		}
		if (rollback || !granted)
			affected(c, "ROLLBACK TO SAVEPOINT s");
		affected(c, "RELEASE SAVEPOINT s");
	}
}

/* B's rows of every table are what the snapshot says. */
static void
assert_b_unchanged(char **snap, const char *after)
{
	size_t i;
	char *now;

	for (i = 0; i < fx.ntables; i++) {
		now = b_checksum(fx.tables[i]);
		ck_assert_msg(strcmp(now, snap[i]) == 0,
			      "B's rows of strato.%s changed after %s",
			      fx.tables[i], after);
		free(now);
	}
}

/* b) UPDATE and DELETE as A's admin reach A's rows and never B's. */
START_TEST(test_writes_reach_own_tenant_only)
{
	PGconn *adm = connect_as(fx.adm);
	PGconn *agt = connect_as(fx.agt);
	char *snap[MAX_TABLES];
	long a_before[MAX_TABLES];
	size_t i;

	for (i = 0; i < fx.ntables; i++) {
		snap[i] = b_checksum(fx.tables[i]);
		a_before[i] = truth(fx.tables[i], fx.a);
	}

	/* rolled back: exact counts, for the admin and the agent */
	affected(adm, "BEGIN");
	update_all(adm);
	delete_all(adm, true, a_before);
	affected(adm, "ROLLBACK");
	affected(agt, "BEGIN");
	update_all(agt);
	delete_all(agt, true, a_before);
	affected(agt, "ROLLBACK");
	for (i = 0; i < fx.ntables; i++)
		ck_assert_int_eq(truth(fx.tables[i], fx.a), a_before[i]);
	assert_b_unchanged(snap, "rolled back writes");

	/* committed: the updates bump B's updated_at if they reach B */
	affected(adm, "BEGIN");
	update_all(adm);
	affected(adm, "COMMIT");
	assert_b_unchanged(snap, "the admin's UPDATEs");

	/* committed: the deletes, with their cascades, leave B whole */
	affected(adm, "BEGIN");
	delete_all(adm, false, a_before);
	affected(adm, "COMMIT");
	assert_b_unchanged(snap, "the admin's DELETEs");
	for (i = 0; i < fx.ntables; i++)
		if (may(fx.adm, fx.tables[i], NULL, "DELETE"))
			ck_assert_msg(truth(fx.tables[i], fx.a) == 0,
				      "A's rows of strato.%s survived",
				      fx.tables[i]);
	ck_assert_int_gt(truth("app_user", fx.a), 0);

	for (i = 0; i < fx.ntables; i++)
		free(snap[i]);
	PQfinish(adm);
	PQfinish(agt);
}
END_TEST

/* INSERT rows of B and move A's rows to B, as login c: refused. */
static void
assert_cannot_write_b(PGconn *c)
{
	const struct known_table *k;
	const char *t;
	size_t i;
	bool ins;

	for (i = 0; i < fx.ntables; i++) {
		t = fx.tables[i];
		k = find_known(t);
		ins = may(PQuser(c), t, "*", "INSERT");
		if (k && ins) {
			/* the same row is fine for A: only RLS stops it */
			affected(c, "BEGIN");
			ck_assert_int_eq(affected(c, "INSERT INTO "
						  "strato.%s (tenant_id, %s) "
						  "VALUES ('%s', %s)", t,
						  k->cols, fx.a, k->vals), 1);
			affected(c, "ROLLBACK");
		}
		if (k)
			fails(c, "42501", ins ? "row-level security"
					      : "permission denied",
			      "INSERT INTO strato.%s (tenant_id, %s) VALUES "
			      "('%s', %s)", t, k->cols, fx.b, k->vals);
		else
			fails(c, "42501", NULL, "INSERT INTO strato.%s "
			      "(tenant_id) VALUES ('%s')", t, fx.b);

		if (truth(t, fx.a) == 0)
			continue; /* nothing to move */
		fails(c, "42501",
		      may(PQuser(c), t, "tenant_id", "UPDATE")
			      ? "row-level security" : "permission denied",
		      "UPDATE strato.%s SET tenant_id = '%s'", t, fx.b);
	}
}

/* c) Nobody of A writes a row into B, by INSERT or by UPDATE. */
START_TEST(test_cannot_write_other_tenant)
{
	PGconn *adm = connect_as(fx.adm);
	PGconn *agt = connect_as(fx.agt);
	char *snap[MAX_TABLES];
	size_t i;

	for (i = 0; i < fx.ntables; i++)
		snap[i] = b_checksum(fx.tables[i]);
	assert_cannot_write_b(adm);
	assert_cannot_write_b(agt);
	assert_b_unchanged(snap, "refused writes");
	for (i = 0; i < fx.ntables; i++)
		free(snap[i]);
	PQfinish(adm);
	PQfinish(agt);
}
END_TEST

/*
 * d) A foreign key cannot point at B's rows: the key includes tenant_id, and
 * key checks ignore RLS, so only the composite key stops it.
 */
START_TEST(test_foreign_keys_stay_in_tenant)
{
	static const struct {
		const char *table, *cols, *good, *bad;
	} cases[] = {
		{ "event", "id, lead_id, tipo, titulo, fecha",
		  "'fk', 'a-lead-1', 'NOTA', 'x', now()",
		  "'fk', 'b-lead-1', 'NOTA', 'x', now()" },
		{ "message", "id, conversation_id, direccion",
		  "'fk', 'a-conv-1', 'ENTRANTE'",
		  "'fk', 'b-conv-1', 'ENTRANTE'" },
		{ "campaign_send", "id, campaign_id, lead_id",
		  "'fk', 'a-camp-1', 'a-lead-4'",
		  "'fk', 'b-camp-1', 'a-lead-4'" },
		{ "campaign_send", "id, campaign_id, lead_id",
		  "'fk', 'a-camp-1', 'a-lead-4'",
		  "'fk', 'a-camp-1', 'b-lead-1'" },
		{ "conversation", "id, lead_id, canal",
		  "'fk', 'a-lead-1', 'WEB'", "'fk', 'b-lead-1', 'WEB'" },
		{ "lead", "id, nombre, assigned_to_id", "'fk', 'x', 'a-user-1'",
		  "'fk', 'x', 'b-user-1'" },
	};
	PGconn *adm = connect_as(fx.adm);
	PGconn *svc = connect_as(fx.svc);
	size_t i;

	ck_assert_int_eq(number(fx.su, "SELECT count(*) FROM strato.lead l, "
				"strato.conversation c, strato.campaign m, "
				"strato.app_user u WHERE l.id = 'b-lead-1' AND "
				"c.id = 'b-conv-1' AND m.id = 'b-camp-1' AND "
				"u.id = 'b-user-1'"), 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = cases[i].table;

		/* as the admin, when granted (else 42501), and the service */
		if (may(fx.adm, t, NULL, "INSERT")) {
			affected(adm, "BEGIN");
			affected(adm, "INSERT INTO strato.%s (tenant_id, %s) "
				 "VALUES ('%s', %s)", t, cases[i].cols, fx.a,
				 cases[i].good);
			affected(adm, "ROLLBACK");
			fails(adm, "23503", "foreign key", "INSERT INTO "
			      "strato.%s (tenant_id, %s) VALUES ('%s', %s)", t,
			      cases[i].cols, fx.a, cases[i].bad);
		} else {
			fails(adm, "42501", "permission denied", "INSERT INTO "
			      "strato.%s (tenant_id, %s) VALUES ('%s', %s)", t,
			      cases[i].cols, fx.a, cases[i].bad);
		}
		service_begin(svc, fx.a);
		affected(svc, "SAVEPOINT s");
		affected(svc, "INSERT INTO strato.%s (tenant_id, %s) VALUES "
			 "('%s', %s)", t, cases[i].cols, fx.a, cases[i].good);
		affected(svc, "ROLLBACK TO SAVEPOINT s");
		fails(svc, "23503", "foreign key", "INSERT INTO strato.%s "
		      "(tenant_id, %s) VALUES ('%s', %s)", t, cases[i].cols,
		      fx.a, cases[i].bad);
		affected(svc, "ROLLBACK");
	}
	/* nor can an UPDATE re-point a row */
	fails(adm, "23503", "foreign key", "UPDATE strato.event SET lead_id = "
	      "'b-lead-1' WHERE id = 'a-event-1'");
	PQfinish(adm);
	PQfinish(svc);
}
END_TEST

/* The tenant this session resolves to (malloc'd), or NULL. */
static char *
current_tenant(PGconn *c)
{
	return value(c, "SELECT strato.current_tenant_id()");
}

static void
assert_tenant_is(PGconn *c, const char *want)
{
	char *t = current_tenant(c);

	if (want)
		ck_assert_msg(t && strcmp(t, want) == 0, "as %s: tenant %s, "
			      "expected %s", PQuser(c), t ? t : "NULL", want);
	else
		ck_assert_msg(!t, "as %s: tenant %s, expected none", PQuser(c),
			      t);
	free(t);
}

/* e) A mapped login cannot pick another tenant with app.tenant_id. */
START_TEST(test_agent_cannot_switch_tenant)
{
	PGconn *agt = connect_as(fx.agt);

	affected(agt, "SELECT set_config('app.tenant_id', '%s', false)", fx.b);
	assert_tenant_is(agt, fx.a);
	assert_sees(agt, fx.a);

	affected(agt, "BEGIN");
	affected(agt, "SELECT set_config('app.tenant_id', '%s', true)", fx.b);
	assert_tenant_is(agt, fx.a);
	assert_sees(agt, fx.a);
	affected(agt, "COMMIT");

	/* nor by becoming one of its groups: the login decides */
	affected(agt, "SET ROLE strato_agent");
	affected(agt, "SET app.tenant_id = '%s'", fx.b);
	assert_tenant_is(agt, fx.a);
	assert_sees(agt, fx.a);
	affected(agt, "RESET ROLE");
	PQfinish(agt);
}
END_TEST

/* f) A login in no STRATO group is refused everything. */
START_TEST(test_outsider_refused)
{
	char name[NAME_LEN];
	PGconn *c;
	size_t i;

	create_role(name, "nobody", NULL);
	c = connect_as(name);
	for (i = 0; i < fx.ntables; i++)
		fails(c, "42501", "permission denied",
		      "SELECT count(*) FROM strato.%s", fx.tables[i]);
	fails(c, "42501", "permission denied",
	      "SELECT strato.current_tenant_id()");
	fails(c, "42501", "permission denied",
	      "SELECT count(*) FROM strato.login_map");
	PQfinish(c);
}
END_TEST

/* g) An agent login mapped to no tenant sees nothing, whatever it sets. */
START_TEST(test_unmapped_agent_sees_nothing)
{
	char name[NAME_LEN];
	PGconn *c;

	create_role(name, "orphan", "strato_agent");
	c = connect_as(name);
	assert_tenant_is(c, NULL);
	assert_sees(c, NULL);
	ck_assert_int_eq(number(c, "SELECT count(*) FROM strato.tenant"), 0);

	affected(c, "SELECT set_config('app.tenant_id', '%s', false)", fx.a);
	assert_tenant_is(c, NULL);
	assert_sees(c, NULL);
	affected(c, "BEGIN");
	affected(c, "SELECT set_config('app.tenant_id', '%s', true)", fx.a);
	assert_sees(c, NULL);
	affected(c, "COMMIT");
	fails(c, "42501", "permission denied",
	      "SELECT count(*) FROM strato.login_map");
	PQfinish(c);
}
END_TEST

/* h) A service login sees a tenant only inside a transaction that set it. */
START_TEST(test_service_needs_tenant)
{
	PGconn *svc = connect_as(fx.svc);

	assert_tenant_is(svc, NULL);
	assert_sees(svc, NULL);

	service_begin(svc, fx.a);
	assert_tenant_is(svc, fx.a);
	assert_sees(svc, fx.a);
	affected(svc, "COMMIT");
	/* transaction-local: gone with the transaction */
	assert_tenant_is(svc, NULL);
	assert_sees(svc, NULL);

	service_begin(svc, fx.b);
	assert_sees(svc, fx.b);
	affected(svc, "COMMIT");

	service_begin(svc, "not-a-uuid");
	assert_tenant_is(svc, NULL);
	assert_sees(svc, NULL);
	affected(svc, "COMMIT");

	service_begin(svc, "");
	assert_sees(svc, NULL);
	affected(svc, "COMMIT");
	PQfinish(svc);
}
END_TEST

/* i) A disabled user, or a user of a disabled tenant, sees nothing. */
START_TEST(test_disabled_sees_nothing)
{
	PGconn *agt = connect_as(fx.agt);
	PGconn *adm = connect_as(fx.adm);
	PGconn *svc, *again;

	/* the tenant switched off: its enabled users see nothing */
	affected(fx.su, "UPDATE strato.tenant SET is_active = false WHERE id "
		 "= '%s'", fx.a);
	assert_tenant_is(agt, NULL);
	assert_sees(agt, NULL);
	assert_sees(adm, NULL);
	affected(fx.su, "UPDATE strato.tenant SET is_active = true WHERE id "
		 "= '%s'", fx.a);
	assert_sees(agt, fx.a);

	/* the agent switched off: no new session, the open one goes blind */
	svc = connect_as(fx.svc);
	service_begin(svc, fx.a);
	affected(svc, "SELECT strato.set_user_active('%s', 'a-user-2', false)",
		 fx.a);
	affected(svc, "COMMIT");
	PQfinish(svc);
	ck_assert(!truth_of(fx.su, "SELECT rolcanlogin FROM pg_roles WHERE "
			    "rolname = '%s'", fx.agt));
	again = PQconnectdb(testdb_conninfo(fx.agt, fx.db));
	ck_assert_msg(PQstatus(again) != CONNECTION_OK,
		      "a disabled user could still log in");
	ck_assert_msg(strstr(PQerrorMessage(again), "not permitted to log in"),
		      "unexpected: %s", PQerrorMessage(again));
	PQfinish(again);
	assert_tenant_is(agt, NULL);
	assert_sees(agt, NULL);
	assert_sees(adm, fx.a);
	PQfinish(agt);
	PQfinish(adm);
}
END_TEST

/* j) A tenant admin creates logins in its own tenant only, never with a
 * plain text password. */
START_TEST(test_create_login_fenced)
{
	PGconn *adm = connect_as(fx.adm);
	PGconn *agt = connect_as(fx.agt);
	char x[NAME_LEN], pw[NAME_LEN], u3[NAME_LEN];

	role_name(x, "x");
	role_name(pw, "pw");
	role_name(u3, "u3");

	fails(adm, "42501 P0002", NULL, "SELECT strato.create_login('%s', "
	      "'b-user-2', '%s', NULL)", fx.b, x);
	fails(adm, "P0002", NULL, "SELECT strato.create_login('%s', "
	      "'b-user-2', '%s', NULL)", fx.a, x);
	fails(adm, "42501 P0002", NULL, "SELECT strato.set_user_active('%s', "
	      "'b-user-1', false)", fx.b);
	ck_assert_int_eq(number(fx.su, "SELECT count(*) FROM pg_roles WHERE "
				"rolname = '%s'", x), 0);
	ck_assert_int_eq(number(fx.su, "SELECT count(*) FROM strato.app_user "
				"WHERE tenant_id = '%s' AND (login IS NOT NULL "
				"OR NOT is_active)", fx.b), 0);

	/* a password that is no SCRAM verifier never reaches CREATE ROLE */
	fails(adm, "22023", "SCRAM-SHA-256", "SELECT strato.create_login('%s', "
	      "'a-user-3', '%s', 'not-a-verifier')", fx.a, pw);
	fails(adm, "22023", "SCRAM-SHA-256", "SELECT strato.create_login('%s', "
	      "'a-user-3', '%s', 'md5e8fd3bcd0a0fb4bba1ba50e7dc8c8d4c')",
	      fx.a, pw);
	ck_assert_int_eq(number(fx.su, "SELECT count(*) FROM pg_roles WHERE "
				"rolname = '%s'", pw), 0);

	/* an agent is no admin; the admin, in its own tenant, is */
	fails(agt, "42501", NULL, "SELECT strato.create_login('%s', "
	      "'a-user-3', '%s', NULL)", fx.a, u3);
	affected(adm, "SELECT strato.create_login('%s', 'a-user-3', '%s', "
		 "NULL)", fx.a, u3);
	ck_assert(truth_of(fx.su, "SELECT pg_has_role('%s', 'strato_agent', "
			   "'MEMBER') AND NOT pg_has_role('%s', "
			   "'strato_tenant_admin', 'MEMBER')", u3, u3));
	PQfinish(adm);
	PQfinish(agt);
}
END_TEST

/*
 * k) FORCE ROW LEVEL SECURITY: a member of the owning role is fenced too,
 * and, being neither mapped nor a service, sees nothing.
 */
START_TEST(test_owner_is_fenced)
{
	char name[NAME_LEN];
	PGconn *c;

	create_role(name, "own", "strato_owner");
	c = connect_as(name);
	assert_sees(c, NULL);
	affected(c, "SET ROLE strato_owner");
	affected(c, "BEGIN");
	affected(c, "SELECT set_config('app.tenant_id', '%s', true)", fx.a);
	assert_sees(c, NULL);
	affected(c, "COMMIT");
	PQfinish(c);
}
END_TEST

Suite *
isolation_suite(void)
{
	Suite *s = suite_create("isolation");
	TCase *tc = tcase_create("isolation");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_reads_own_tenant_only);
	tcase_add_test(tc, test_writes_reach_own_tenant_only);
	tcase_add_test(tc, test_cannot_write_other_tenant);
	tcase_add_test(tc, test_foreign_keys_stay_in_tenant);
	tcase_add_test(tc, test_agent_cannot_switch_tenant);
	tcase_add_test(tc, test_outsider_refused);
	tcase_add_test(tc, test_unmapped_agent_sees_nothing);
	tcase_add_test(tc, test_service_needs_tenant);
	tcase_add_test(tc, test_disabled_sees_nothing);
	tcase_add_test(tc, test_create_login_fenced);
	tcase_add_test(tc, test_owner_is_fenced);
	suite_add_tcase(s, tc);
	return s;
}
