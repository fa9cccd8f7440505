/*
 * lead-estimate.c - the planner's estimate of how many leads a filter
 * matches, read from EXPLAIN (FORMAT JSON) of the browse statement's own
 * filters, so the estimate and the list always agree on what matches.
 *
 * The planner is poor at small counts (a rare name searched for: it may say
 * 7 where 1,009 match), and a small count is exactly what a user reads, so
 * when it expects fewer than FEW rows the matches are counted, up to FEW.
 * Such a count takes the plan the search itself takes for a screen when
 * it expects few rows (the trigram index, then every match): about what
 * the search costs.
 */
#include <math.h>
#include <stdlib.h>

#include <jansson.h>

#include "db-internal.h"
#include "lead-sql.h"
#include "strato/lead-estimate.h"
#include "strato/tenant.h"

#define FEW "2000"

#define ESTIMATE_FROM " FROM strato.lead l LEFT JOIN strato.app_user u" \
	" ON u.tenant_id = l.tenant_id AND u.id = l.assigned_to_id" \
	" WHERE " LEAD_FILTER_SQL

/* "Plan Rows" of the top plan node of EXPLAIN (FORMAT JSON) output. */
static int
plan_rows(const char *text, long *rows, struct st_error *err)
{
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je);
	json_t *n = json_object_get(json_object_get(json_array_get(doc, 0),
						    "Plan"), "Plan Rows");
	int ret = -1;

	if (!json_is_number(n)) {
		st_error_set(err, ST_EINTERNAL, "unexpected EXPLAIN output: "
			     "no \"Plan Rows\"");
		goto cleanup;
	}
	*rows = lround(json_number_value(n));
	ret = 0;
cleanup:
	json_decref(doc);
	return ret;
}

/*
 * Plans SELECT 1 over the filter inside the tenant's transaction, so the
 * policies the session is under narrow it as they narrow the list; counts
 * (up to FEW) when the plan expects fewer.
 */
int
st_lead_estimate(struct st_db *db, const char *tenant_id,
		 const struct st_lead_filter *f, long *rows,
		 struct st_error *err)
{
	const char *const params[] = { tenant_id, f->estado, f->tipo, f->tag,
				       f->origen, f->zona, f->assigned,
				       f->search, NULL, NULL };
	PGresult *res = NULL;
	int ret = -1;

	*rows = 0;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	/* JIT compiles a costly plan's expressions even for a bare EXPLAIN:
	 * ms a call, 70 ms the first time in a session, for nothing here */
	if (st_db_run(db, "SET LOCAL jit = off", 0, NULL, err) < 0)
		goto cleanup;
	res = st_db_query(db, "EXPLAIN (FORMAT JSON) SELECT 1" ESTIMATE_FROM,
			  10, params, err);
	if (!res || plan_rows(PQgetvalue(res, 0, 0), rows, err) < 0)
		goto cleanup;
	if (*rows < atol(FEW)) {
		PQclear(res);
		res = st_db_query(db, "SELECT count(*) FROM (SELECT 1"
				  ESTIMATE_FROM " LIMIT " FEW ") s", 10,
				  params, err);
		if (!res)
			goto cleanup;
		*rows = atol(PQgetvalue(res, 0, 0));
	}
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0)
		st_db_rollback(db);
	PQclear(res);
	return ret;
}
