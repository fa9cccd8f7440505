/*
 * testdb.h - databases for the Check suites, on the throwaway cluster that
 * tests/run starts.
 *
 * tests/run exports STRATO_TEST_PG, a conninfo fragment naming the socket
 * directory ("host='/tmp/strato-check.X/run'"). check_main.c migrates one
 * template database before the suites run; each test that needs a database
 * clones it (CREATE DATABASE ... TEMPLATE), so tests never share rows.
 * Roles are cluster-wide: tests name theirs after their database.
 */
#ifndef STRATO_TESTDB_H
#define STRATO_TESTDB_H

#include <libpq-fe.h>

#include "strato/db.h"

#define TESTDB_TEMPLATE "strato_tpl"

/* The conninfo for user on dbname (a static buffer, overwritten). */
const char *testdb_conninfo(const char *user, const char *dbname);
/* Create the template database and migrate it; 0 or -1 (printed). */
int testdb_prepare_template(void);
/*
 * A fresh, migrated database named after the calling test (unique per
 * process). Returns its name (static buffer). Fails the test on error.
 */
const char *testdb_fresh(void);
/* An empty database without the STRATO schema. */
const char *testdb_empty(void);
/* A superuser libpq connection to dbname; fails the test on error. */
PGconn *testdb_super(const char *dbname);
/* Run SQL as superuser on dbname, failing the test on error. */
void testdb_exec(PGconn *c, const char *sql);
/* Run a query returning one value; returns a malloc'd copy or NULL. */
char *testdb_value(PGconn *c, const char *sql);
/* A STRATO connection as user; fails the test on error. */
struct st_db *testdb_connect(const char *user, const char *dbname);

#endif
