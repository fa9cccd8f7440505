/*
 * testdb.c - see testdb.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "strato/migrate.h"
#include "testdb.h"

static const char *
base(void)
{
	const char *b = getenv("STRATO_TEST_PG");

	if (!b || !*b) {
		fprintf(stderr, "STRATO_TEST_PG is not set: run the tests "
			"through tests/run (make check)\n");
		exit(2);
	}
	return b;
}

const char *
testdb_conninfo(const char *user, const char *dbname)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s user='%s' dbname='%s'", base(), user,
		 dbname);
	return buf;
}

static void
quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

PGconn *
testdb_super(const char *dbname)
{
	PGconn *c = PQconnectdb(testdb_conninfo("postgres", dbname));

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "cannot connect: %s", PQerrorMessage(c));
		ck_abort_msg("cannot connect to %s as postgres", dbname);
	}
	PQsetNoticeProcessor(c, quiet, NULL);
	return c;
}

void
testdb_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		ck_abort_msg("SQL failed: %s\n%s", PQresultErrorMessage(r), sql);
	PQclear(r);
}

char *
testdb_value(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	char *v = NULL;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		ck_abort_msg("query failed: %s\n%s", PQresultErrorMessage(r),
			     sql);
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		v = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

int
testdb_prepare_template(void)
{
	PGconn *c = PQconnectdb(testdb_conninfo("postgres", "postgres"));
	struct st_error err;
	struct st_db *db;
	int count = 0;
	struct st_migrate_opts o = { -1, false, NULL, NULL };
	PGresult *r;

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "cannot connect to the test cluster: %s",
			PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	PQsetNoticeProcessor(c, quiet, NULL);
	PQclear(PQexec(c, "DROP DATABASE IF EXISTS " TESTDB_TEMPLATE));
	r = PQexec(c, "CREATE DATABASE " TESTDB_TEMPLATE);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "%s", PQresultErrorMessage(r));
		PQclear(r);
		PQfinish(c);
		return -1;
	}
	PQclear(r);
	PQfinish(c);
	db = st_db_connect(testdb_conninfo("postgres", TESTDB_TEMPLATE), &err);
	if (!db) {
		fprintf(stderr, "%s: %s\n", err.message, err.detail);
		return -1;
	}
	if (st_migrate_up(db, st_migrate_default_dir(), &o, &count, &err) < 0) {
		fprintf(stderr, "migrating the template failed: %s\n%s\n",
			err.message, err.detail);
		st_db_close(db);
		return -1;
	}
	st_db_close(db);
	return 0;
}

static const char *
create_db(const char *template_name)
{
	static char name[64];
	static unsigned int seq;
	char sql[256];
	PGconn *c;

	snprintf(name, sizeof(name), "t_%ld_%u", (long)getpid(), seq++);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s%s%s", name,
		 template_name ? " TEMPLATE " : "",
		 template_name ? template_name : "");
	c = testdb_super("postgres");
	testdb_exec(c, sql);
	PQfinish(c);
	return name;
}

const char *
testdb_fresh(void)
{
	return create_db(TESTDB_TEMPLATE);
}

const char *
testdb_empty(void)
{
	return create_db(NULL);
}

struct st_db *
testdb_connect(const char *user, const char *dbname)
{
	struct st_error err;
	struct st_db *db = st_db_connect(testdb_conninfo(user, dbname), &err);

	if (!db)
		ck_abort_msg("cannot connect as %s: %s (%s)", user, err.message,
			     err.detail);
	return db;
}
