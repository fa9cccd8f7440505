/*
 * lead-estimate.h - about how many leads a filter matches, for a status
 * line ("~12,400 leads"), without counting them.
 *
 * The figure is the planner's row estimate for the filter, from the table's
 * statistics (as of its last ANALYZE), under the session's row-level
 * security: it costs a plan, not a scan, whatever the table's size. When
 * the planner expects fewer than 2,000 matches they are counted instead (up
 * to 2,000), since the planner is worst at small counts and a small count
 * is the one a user reads: below 2,000 the figure is exact. Above, it is
 * an estimate (within a factor of two; the lead visibility policy, which
 * the planner cannot evaluate, makes it about 0.7 of the truth for a login
 * that sees every lead): show it as one.
 */
#ifndef STRATO_LEAD_ESTIMATE_H
#define STRATO_LEAD_ESTIMATE_H

#include "strato/db.h"
#include "strato/error.h"
#include "strato/lead.h"

/*
 * Estimate the leads of tenant_id matching f (its limit and cursor are
 * ignored) into *rows. 0, or -1 with err.
 */
int st_lead_estimate(struct st_db *db, const char *tenant_id,
		     const struct st_lead_filter *f, long *rows,
		     struct st_error *err);

#endif
