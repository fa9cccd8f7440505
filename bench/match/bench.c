/*
 * bench.c - times st_match_rank against its own pre-filter.
 *
 *   bench_match CONNINFO SLUG < lead-ids
 *
 * For each lead id on stdin (after one untimed warm-up pass), times two
 * library calls, each a complete tenant transaction (BEGIN, set the
 * tenant, read the lead's preferences, its statements, COMMIT):
 *   rank:       st_match_rank, the top 10 (SET LOCAL jit = off, a bound
 *               from a few candidates, the candidates that can reach it
 *               scored: two round trips more)
 *   pre-filter: st_match_candidates, the same pre-filter, only counted
 * and prints p50 and p95 of each in milliseconds, and their ratio; then
 * the same for the leads whose pre-filter keeps at most 10,000
 * properties (those stating an operation and a budget), since a lead
 * stating neither makes every available property a candidate.
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

/* The p-th quantile of v[0..n) (sorts a copy). */
static double
pct(const double *v, size_t n, double p)
{
	double *c = malloc((n ? n : 1) * sizeof(*c));
	double q;

	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	q = n ? c[(size_t)(p * (double)(n - 1) + 0.5)] : 0;
	free(c);
	return q;
}

static void
report(const char *what, const double *rank, const double *pre, size_t n)
{
	for (int k = 0; k < 2; k++) {
		double q = k ? 0.95 : 0.5;
		double r = pct(rank, n, q), p = pct(pre, n, q);

		printf("%-22s p%-2d %8.2f ms   pre-filter alone: %8.2f ms   "
		       "ratio %5.2f%s\n", what, k ? 95 : 50, r, p, r / p,
		       k ? "   (target p95 < 50 ms)" : "");
	}
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
	double *rank, *pre, *srank, *spre, cand_sum = 0;
	size_t n = 0, ns = 0;
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
	srank = calloc(n + 1, sizeof(double));
	spre = calloc(n + 1, sizeof(double));
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			if (one(db, tenant, leads[i], &rank[i], &pre[i], &c,
				&err) < 0) {
				fprintf(stderr, "bench_match: %s\n", err.message);
				return 1;
			}
			if (!pass)
				continue;
			cand_sum += (double)c;
			if (c <= 10000) {
				srank[ns] = rank[i];
				spre[ns++] = pre[i];
			}
		}
	printf("leads ranked:          %zu (mean %.0f candidates after the "
	       "pre-filter)\n", n, cand_sum / (double)n);
	report("property match, all", rank, pre, n);
	printf("leads with <= 10,000 candidates: %zu\n", ns);
	report("property match, these", srank, spre, ns);
	free(srank);
	free(spre);
	for (size_t i = 0; i < n; i++)
		free(leads[i]);
	free(leads);
	free(rank);
	free(pre);
	free(tenant);
	st_db_close(db);
	return 0;
}
