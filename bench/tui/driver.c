/*
 * driver.c - bench/tui's client: times st_lead_list() and
 * st_lead_estimate() as the lead browser will call them, beside the
 * server's own time for the very same statement.
 *
 *   driver CONNINFO TENANT_ID SEARCH3 SEARCH6 [RUNS] [DEPTH]
 *
 * Connect as a login in strato_service that is not a superuser, so the
 * policies apply as they do in production. Each measurement runs RUNS
 * times (default 20, after two unmeasured warm-ups) and prints the median
 * and 95th percentile. The floor of each list measurement is EXPLAIN
 * (ANALYZE, TIMING OFF, FORMAT JSON) of the statement st_lead_list()
 * sends (lead_query_build(), src/lead-query.c) with the same parameters
 * in the same kind of transaction (BEGIN, set_config('app.tenant_id'),
 * statement), median "Execution Time" over RUNS; "Planning Time" is shown
 * beside it. st_lead_list() sends that statement prepared, so the server
 * may skip planning it. Per-node timing is off: its clock calls would
 * inflate the floor (by half, for a search that fetches a thousand rows).
 * The floor of an estimate is the planning time of the statement it plans, plus,
 * when it counted (the planner expected under 2,000 rows), the planning
 * and execution time of the count; with a search, a search's target.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "db-internal.h"
#include "lead-sql.h"
#include "strato/lead-estimate.h"
#include "strato/lead.h"

#define SCREEN 50
/* the statement st_lead_estimate() plans (and runs, to count) */
#define ESTIMATE_FROM " FROM strato.lead l LEFT JOIN strato.app_user u" \
	" ON u.tenant_id = l.tenant_id AND u.id = l.assigned_to_id" \
	" WHERE " LEAD_FILTER_SQL

static int runs = 20;

struct figures {
	double min, med, p95; /* client, ms */
	double exec, plan;    /* server, ms (medians) */
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts v; its median, and p95 into *p95 when not NULL. */
static double
median(double *v, int n, double *p95)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	if (p95)
		*p95 = v[(int)ceil(0.95 * n) - 1];
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
die(const char *what, const struct st_error *err)
{
	fprintf(stderr, "driver: %s: %s\n", what, err ? err->message : "failed");
	exit(1);
}

/* One EXPLAIN in the tenant's transaction: its execution/planning ms. */
static void
explain_once(struct st_db *db, const char *tenant, const char *sql,
	     int n, const char *const *params, double *exec, double *plan)
{
	struct st_error err;
	PGresult *res = NULL;
	json_t *doc, *top;

	if (st_db_begin(db, &err) < 0 ||
	    st_db_run(db, "SELECT set_config('app.tenant_id', $1, true)", 1,
		      &tenant, &err) < 0)
		die("begin", &err);
	res = st_db_query(db, sql, n, params, &err);
	if (!res)
		die("explain", &err);
	doc = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	top = json_array_get(doc, 0);
	*exec = json_number_value(json_object_get(top, "Execution Time"));
	*plan = json_number_value(json_object_get(top, "Planning Time"));
	json_decref(doc);
	PQclear(res);
	st_db_rollback(db);
}

/* Median server times of an EXPLAIN over RUNS runs. */
static void
floor_of(struct st_db *db, const char *tenant, const char *sql, int n,
	 const char *const *params, struct figures *fg)
{
	double e[runs], p[runs];

	for (int i = 0; i < runs; i++)
		explain_once(db, tenant, sql, n, params, &e[i], &p[i]);
	fg->exec = median(e, runs, NULL);
	fg->plan = median(p, runs, NULL);
}

/* Client times of st_lead_list(f), then its floor. */
static void
time_list(struct st_db *db, const char *tenant, struct st_lead_filter *f,
	  struct figures *fg)
{
	char ts[64] = "", limit[16];
	const char *after_ts = NULL, *after_id = NULL;
	struct st_lead_list l;
	struct lead_query q;
	struct st_error err;
	double v[runs];
	char *sql;

	for (int i = -2; i < runs; i++) {
		double t0 = now_ms();

		if (st_lead_list(db, tenant, f, &l, &err) < 0)
			die("st_lead_list", &err);
		if (i >= 0)
			v[i] = now_ms() - t0;
		st_lead_list_release(&l);
	}
	fg->med = median(v, runs, &fg->p95);
	fg->min = v[0];
	if (f->after) {
		const char *bar = strchr(f->after, '|');

		snprintf(ts, sizeof(ts), "%.*s", (int)(bar - f->after), f->after);
		after_ts = ts;
		after_id = bar + 1;
	}
	snprintf(limit, sizeof(limit), "%d", f->limit + 1);
	lead_query_build(&q, tenant, f, false, after_ts, after_id, limit);
	sql = st_xasprintf("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) %s",
			   q.sql);
	floor_of(db, tenant, sql, q.n, q.params, fg);
	free(sql);
	lead_query_release(&q);
}

/* Client times of st_lead_estimate(f), its floor, and the estimate. */
static long
time_estimate(struct st_db *db, const char *tenant,
	      const struct st_lead_filter *f, struct figures *fg)
{
	const char *const params[] = { tenant, f->estado, f->tipo, f->tag,
				       f->origen, f->zona, f->assigned,
				       f->search, NULL, NULL };
	struct figures cnt;
	struct st_error err;
	double v[runs];
	long rows = 0;

	for (int i = -2; i < runs; i++) {
		double t0 = now_ms();

		if (st_lead_estimate(db, tenant, f, &rows, &err) < 0)
			die("st_lead_estimate", &err);
		if (i >= 0)
			v[i] = now_ms() - t0;
	}
	fg->med = median(v, runs, &fg->p95);
	fg->min = v[0];
	floor_of(db, tenant, "EXPLAIN (FORMAT JSON, SUMMARY) SELECT 1"
		 ESTIMATE_FROM,
		 10, params, fg);
	fg->exec = fg->plan; /* planning is all the server does, */
	fg->plan = 0;
	if (rows < 2000) { /* unless it counted */
		floor_of(db, tenant, "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON)"
			 " SELECT count(*) FROM (SELECT 1" ESTIMATE_FROM
			 " LIMIT 2000) s", 10, params, &cnt);
		fg->exec += cnt.exec + cnt.plan;
	}
	return rows;
}

/* The first line of /proc/loadavg, for the record (shared machines). */
static const char *
loadavg(void)
{
	static char buf[128] = "?\n";
	FILE *fp = fopen("/proc/loadavg", "r");

	if (fp) {
		if (!fgets(buf, sizeof(buf), fp))
			strcpy(buf, "?\n");
		fclose(fp);
	}
	return buf;
}

/*
 * The first screen as the browser's start-up sees it: a new connection
 * (new server process: the policies' functions not yet compiled) and
 * its first st_lead_list(), medians of RUNS.
 */
static void
cold(const char *conninfo, const char *tenant)
{
	struct st_lead_filter f = { .limit = SCREEN };
	struct st_lead_list l;
	struct st_error err;
	double v[runs], w[runs], p95;
	struct st_db *db;

	for (int i = 0; i < runs; i++) {
		double t0 = now_ms(), t1;

		db = st_db_connect(conninfo, &err);
		if (!db)
			die("connect", &err);
		t1 = now_ms();
		if (st_lead_list(db, tenant, &f, &l, &err) < 0)
			die("st_lead_list", &err);
		w[i] = now_ms() - t1;
		v[i] = now_ms() - t0;
		st_lead_list_release(&l);
		st_db_close(db);
	}
	printf("\nfirst screen on a new connection: %.2f ms median (p95 ",
	       median(v, runs, &p95));
	printf("%.2f), of which the first call %.2f ms\n", p95,
	       median(w, runs, NULL));
}

/* The true number of matches (once, to judge the estimate by). */
static long
count_of(struct st_db *db, const char *tenant, const struct st_lead_filter *f)
{
	struct st_error err;
	PGresult *res;
	long n;

	if (st_db_begin(db, &err) < 0 ||
	    st_db_run(db, "SELECT set_config('app.tenant_id', $1, true)", 1,
		      &tenant, &err) < 0)
		die("begin", &err);
	res = st_db_query(db, "SELECT count(*) FROM strato.lead l"
		" LEFT JOIN strato.app_user u ON u.tenant_id = l.tenant_id"
		" AND u.id = l.assigned_to_id WHERE " LEAD_FILTER_SQL, 10,
		(const char *const[]){ tenant, f->estado, f->tipo, f->tag,
		f->origen, f->zona, f->assigned, f->search, NULL, NULL }, &err);
	if (!res)
		die("count", &err);
	n = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	st_db_rollback(db);
	return n;
}

/* The cursor of page depth + 1, walking there a screen at a time. */
static char *
walk(struct st_db *db, const char *tenant, int depth)
{
	struct st_lead_filter f = { .limit = SCREEN };
	struct st_lead_list l;
	struct st_error err;
	char *cur = NULL;

	for (int i = 0; i < depth; i++) {
		f.after = cur;
		if (st_lead_list(db, tenant, &f, &l, &err) < 0)
			die("walking the pages", &err);
		free(cur);
		cur = l.next;
		l.next = NULL;
		st_lead_list_release(&l);
		if (!cur)
			die("fewer pages than the depth asked", NULL);
	}
	return cur;
}

/*
 * One line of the table; returns 1 when it misses a target. The target
 * ratio (with_ratio) is the issue's, for the four list queries: client
 * median over server execution time; the ratio over planning plus
 * execution is shown beside it. The estimate has only a time target: its
 * floor is a planning run of a few hundredths of a millisecond.
 */
static int
line(const char *what, const struct figures *fg, double target,
     bool with_ratio)
{
	double ratio = fg->med / fg->exec;
	int miss = fg->med >= target || (with_ratio && ratio > 2.0);

	printf("%-20s %6.2f %7.2f %7.2f %8.2f %7.2f %6.2f %6.2f  <%3.0f ms%s"
	       "  %s\n", what, fg->min, fg->med, fg->p95, fg->exec, fg->plan, ratio,
	       fg->med / (fg->exec + fg->plan), target,
	       with_ratio ? ", <=2x" : "       ", miss ? "MISS" : "PASS");
	return miss;
}

/*
 * What a call costs the client besides the statement: one round trip
 * (SELECT 1), and the tenant transaction st_lead_list() wraps it in
 * (BEGIN, set_config, COMMIT: three round trips), medians of RUNS.
 */
static void
overhead(struct st_db *db, const char *tenant)
{
	struct st_error err;
	double v[runs], w[runs];

	for (int i = -2; i < runs; i++) {
		double t0 = now_ms(), t1;

		if (st_db_run(db, "SELECT 1", 0, NULL, &err) < 0)
			die("SELECT 1", &err);
		t1 = now_ms();
		if (st_db_begin(db, &err) < 0 ||
		    st_db_run(db, "SELECT set_config('app.tenant_id', $1, true)",
			      1, &tenant, &err) < 0 || st_db_commit(db, &err) < 0)
			die("empty transaction", &err);
		if (i >= 0) {
			v[i] = t1 - t0;
			w[i] = now_ms() - t1;
		}
	}
	printf("\nclient overhead: one round trip %.2f ms (median), the tenant"
	       " transaction around\neach call (BEGIN, set_config, COMMIT) %.2f"
	       " ms; load average %s", median(v, runs, NULL),
	       median(w, runs, NULL), loadavg());
}

/* How the server ran st_lead_list()'s prepared statements: plan kinds. */
static void
plans(struct st_db *db)
{
	struct st_error err;
	PGresult *res = st_db_query(db, "SELECT name, generic_plans,"
		" custom_plans FROM pg_prepared_statements ORDER BY name", 0,
		NULL, &err);

	if (!res)
		die("pg_prepared_statements", &err);
	printf("\nprepared statements (per filter shape): generic/custom plans");
	for (int i = 0; i < PQntuples(res); i++)
		printf("%s %s %s/%s", i ? "," : "", PQgetvalue(res, i, 0),
		       PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
	printf("\n");
	PQclear(res);
}

int
main(int argc, char **argv)
{
	struct st_lead_filter f = { .limit = SCREEN };
	struct figures fg;
	struct st_error err;
	struct st_db *db;
	char what[64], *deep;
	int depth = argc > 6 ? atoi(argv[6]) : 1000;
	int missed = 0;
	long est;

	if (argc < 5) {
		fprintf(stderr, "usage: driver CONNINFO TENANT_ID SEARCH3 SEARCH6"
			" [RUNS] [DEPTH]\n");
		return 2;
	}
	runs = argc > 5 ? atoi(argv[5]) : 20;
	if (runs < 1)
		runs = 1;
	db = st_db_connect(argv[1], &err);
	if (!db)
		die("connect", &err);
	printf("%-20s %6s %7s %7s %8s %7s %6s %6s  %-15s %s\n", "query (screen=50)",
	       "min ms", "med ms", "p95 ms", "floor ms", "plan ms", "ratio", "r/p+e",
	       "target", "result");
	time_list(db, argv[2], &f, &fg);
	missed += line("first screen", &fg, 20, true);
	deep = walk(db, argv[2], depth);
	f.after = deep;
	time_list(db, argv[2], &f, &fg);
	snprintf(what, sizeof(what), "page %d", depth + 1);
	missed += line(what, &fg, 20, true);
	f.after = NULL;
	for (int i = 3; i <= 4; i++) {
		f.search = argv[i];
		time_list(db, argv[2], &f, &fg);
		snprintf(what, sizeof(what), "search \"%s\"", argv[i]);
		missed += line(what, &fg, 150, true);
	}
	printf("\nestimated count (status line); floor = planning (+ count)\n");
	for (int i = 2; i <= 4; i++) {
		f.search = i == 2 ? NULL : argv[i];
		est = time_estimate(db, argv[2], &f, &fg);
		snprintf(what, sizeof(what), "estimate %s%s%s", f.search ? "\"" : "",
			 f.search ? f.search : "all", f.search ? "\"" : "");
		missed += line(what, &fg, f.search ? 150 : 20, false);
		printf("%20s estimate %ld, count(*) %ld (%.2fx)\n", "", est,
		       count_of(db, argv[2], &f),
		       (double)est / (double)count_of(db, argv[2], &f));
	}
	plans(db);
	overhead(db, argv[2]);
	cold(argv[1], argv[2]);
	free(deep);
	st_db_close(db);
	return missed ? 3 : 0;
}
