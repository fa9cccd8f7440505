/*
 * bench.c - times st_match_rank against its own pre-filter.
 *
 *   bench_match CONNINFO SLUG < lead-ids
 *
 * For each lead id on stdin (after one untimed warm-up pass), times two
 * library calls, each a complete tenant transaction with the same round
 * trips (BEGIN, set the tenant, read the lead's preferences, one
 * statement, COMMIT):
 *   rank:       st_match_rank, the top 10 (pre-filter, score, sort)
 *   pre-filter: st_match_candidates, the same pre-filter, only counted
 * and prints p50 and p95 of each in milliseconds, and their ratio.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strato/db.h"
#include "strato/match.h"
#include "strato/tenant.h"

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

static double
pct(double *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	qsort(v, n, sizeof(*v), cmp_double);
	return v[i];
}

/* Time both calls for lead; rank/pre get the times (ms). */
static int
one(struct st_db *db, const char *tenant, const char *lead, double *rank,
    double *pre, long *cands, struct st_error *err)
{
	struct st_match_list l;
	double t0 = now_ms();

	if (st_match_rank(db, tenant, lead, 10, &l, err) < 0)
		return -1;
	*rank = now_ms() - t0;
	st_match_list_release(&l);
	t0 = now_ms();
	if (st_match_candidates(db, tenant, lead, cands, err) < 0)
		return -1;
	*pre = now_ms() - t0;
	return 0;
}

int
main(int argc, char **argv)
{
	struct st_error err;
	struct st_db *db = NULL;
	char *tenant = NULL, line[128];
	char **leads = NULL;
	double *rank, *pre, r, p, cand_sum = 0;
	size_t n = 0;
	long c;

	st_error_init(&err);
	if (argc != 3 || !(db = st_db_connect(argv[1], &err)) ||
	    st_tenant_resolve(db, argv[2], &tenant, &err) < 0) {
		fprintf(stderr, "bench_match: %s\n", err.message);
		return 1;
	}
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		leads = realloc(leads, (n + 1) * sizeof(*leads));
		leads[n++] = strdup(line);
	}
	rank = calloc(n + 1, sizeof(double));
	pre = calloc(n + 1, sizeof(double));
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			if (one(db, tenant, leads[i], &rank[i], &pre[i], &c,
				&err) < 0) {
				fprintf(stderr, "bench_match: %s\n", err.message);
				return 1;
			}
			if (pass)
				cand_sum += (double)c;
		}
	printf("leads ranked:                    %zu (mean %.0f candidates "
	       "after the pre-filter)\n", n, cand_sum / (double)n);
	r = pct(rank, n, 0.5);
	p = pct(pre, n, 0.5);
	printf("property match (top 10), p50:    %8.2f ms   pre-filter "
	       "alone: %8.2f ms   ratio %5.2f\n", r, p, r / p);
	r = pct(rank, n, 0.95);
	p = pct(pre, n, 0.95);
	printf("property match (top 10), p95:    %8.2f ms   pre-filter "
	       "alone: %8.2f ms   ratio %5.2f   (target p95 < 50 ms)\n",
	       r, p, r / p);
	for (size_t i = 0; i < n; i++)
		free(leads[i]);
	free(leads);
	free(rank);
	free(pre);
	free(tenant);
	st_db_close(db);
	return 0;
}
