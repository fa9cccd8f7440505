/*
 * campaign-run.c - st_campaign_run(): every due campaign of every tenant
 * (or of one), each under its advisory lock, started, sent and ended in
 * that order. The SQL is in campaign-run-ledger.c, the sending in
 * campaign-run-send.c.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "campaign-run-internal.h"
#include "strato/tenant.h"
#include "db-internal.h"
#include "strato/util.h"

/*
 * Free every report of a summary and its array; a zeroed one is fine.
 */
void
st_campaign_run_summary_release(struct st_campaign_run_summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		struct st_campaign_report *r = &s->items[i];

		free(r->tenant_id);
		free(r->campaign_id);
		free(r->nombre);
		free(r->estado);
		free(r->note);
	}
	free(s->items);
	memset(s, 0, sizeof(*s));
}

static struct st_campaign_report *
add_report(struct st_campaign_run_summary *s, const char *tenant_id,
	   json_t *item)
{
	struct st_campaign_report *r;

	s->items = st_xrealloc(s->items, (s->n + 1) * sizeof(*s->items));
	r = &s->items[s->n++];
	memset(r, 0, sizeof(*r));
	r->tenant_id = st_xstrdup(tenant_id);
	r->campaign_id = st_xstrdup(json_string_value(json_object_get(item,
								      "id")));
	r->nombre = st_xstrdup(json_string_value(json_object_get(item,
								 "nombre")));
	r->estado = st_xstrdup(json_string_value(json_object_get(item,
								 "estado")));
	r->eta_seconds = -1;
	return r;
}

/* What a stop means, for the report's note. */
static char *
stop_note(const char *stop, const char *last_error)
{
	if (!stop)
		return NULL;
	if (strcmp(stop, "failed") == 0)
		return st_xasprintf("failed: %s", last_error ? last_error
				    : "too many provider errors");
	if (strcmp(stop, "waiting") == 0)
		return st_xstrdup("retries due later");
	if (strcmp(stop, "max-sends") == 0)
		return st_xstrdup("--max-sends reached");
	if (strcmp(stop, "signal") == 0)
		return st_xstrdup("stopped by a signal");
	if (strcmp(stop, "deadline") == 0)
		return st_xstrdup("stopped at the deadline");
	return st_xstrdup(stop);
}

/* Started: send (unless nothing is to go), then end the run. */
static int
work(struct st_db *db, const struct st_campaign_run_opts *o,
     struct cr_campaign *c, double t0, long long *budget,
     struct cr_shared *sh, struct st_campaign_report *r, bool *early,
     struct st_error *err)
{
	const char *stop = NULL;
	char *last_error = NULL;
	int ret = -1;

	if (c->integration && (r->pending > 0 || c->filling) &&
	    cr_send_all(db, o, c, t0, budget, sh, r, &stop, &last_error,
			err) < 0)
		goto cleanup;
	if (cr_finish(db, c, stop, last_error, r, err) < 0)
		goto cleanup;
	free(r->note);
	r->note = stop_note(stop, last_error);
	*early = stop && (strcmp(stop, "signal") == 0 ||
			  strcmp(stop, "deadline") == 0 ||
			  strcmp(stop, "max-sends") == 0);
	ret = 0;
cleanup:
	free(last_error);
	return ret;
}

/* One campaign: its window, its lock, its run. */
static int
run_one(struct st_db *db, const struct st_campaign_run_opts *o,
	const char *tenant_id, json_t *item, double t0, long long *budget,
	struct cr_shared *sh, struct st_campaign_run_summary *out,
	struct st_error *err)
{
	struct st_campaign_report *r = add_report(out, tenant_id, item);
	struct cr_campaign c;
	double start = cr_now();
	bool got = false, early = false;
	int ret = -1, rc;

	memset(&c, 0, sizeof(c));
	if (!json_is_true(json_object_get(item, "in_window"))) {
		r->note = st_xstrdup("outside its send window");
		return 0;
	}
	if (cr_lock(db, tenant_id, r->campaign_id, &got, err) < 0)
		return -1;
	if (!got) {
		r->locked = true;
		r->note = st_xstrdup("another runner has it");
		return 0;
	}
	free(r->estado);
	r->estado = NULL;
	free(r->nombre);
	r->nombre = NULL;
	rc = cr_start(db, o, tenant_id, r->campaign_id, &c, r, err);
	if (rc == 0 && work(db, o, &c, t0, budget, sh, r, &early,
			    err) < 0)
		rc = -1;
	if (rc >= 0) {
		r->seconds = cr_now() - start;
		r->eta_seconds = 0;
		if (o->progress)
			o->progress(r, true, o->arg);
		ret = 0;
	}
	out->stopped = out->stopped || early;
	cr_unlock(db, tenant_id, r->campaign_id);
	cr_campaign_release(&c);
	return ret;
}

/* The tenants to look at: the one given, else every active one. */
static int
tenants(struct st_db *db, const struct st_campaign_run_opts *o,
	struct st_tenant_list *l, struct st_error *err)
{
	memset(l, 0, sizeof(*l));
	if (o->tenant_id) {
		l->items = st_xcalloc(1, sizeof(*l->items));
		l->items[0].id = st_xstrdup(o->tenant_id);
		l->items[0].is_active = true;
		l->n = 1;
		return 0;
	}
	return st_tenant_list(db, l, err);
}

/* Whether to take no more campaigns: a signal, the deadline, the budget. */
static bool
stopping(const struct st_campaign_run_opts *o, double t0, long long budget)
{
	return (o->stop && *o->stop) || budget == 0 ||
	       (o->deadline > 0 && cr_now() - t0 >= o->deadline);
}

/*
 * Every tenant in turn, every due campaign of each in scheduled order;
 * the deadline, a signal and --max-sends stop the taking of more.
 */
int
st_campaign_run(struct st_db *db, const struct st_campaign_run_opts *o,
		struct st_campaign_run_summary *out, struct st_error *err)
{
	struct st_tenant_list tl;
	struct cr_shared sh = { NULL, NULL };
	long long budget = o->max_sends > 0 ? o->max_sends : -1;
	double t0 = cr_now();
	json_t *due = NULL, *item;
	int ret = -1;
	size_t k;

	memset(out, 0, sizeof(*out));
	if (tenants(db, o, &tl, err) < 0)
		return -1;
	for (size_t i = 0; i < tl.n; i++) {
		if (!tl.items[i].is_active)
			continue;
		if (cr_due(db, tl.items[i].id, o->campaign, &due, err) < 0)
			goto cleanup;
		json_array_foreach(due, k, item) {
			if (stopping(o, t0, budget)) {
				out->stopped = true;
				break;
			}
			if (run_one(db, o, tl.items[i].id, item, t0, &budget,
				    &sh, out, err) < 0)
				goto cleanup;
		}
		json_decref(due);
		due = NULL;
		cr_pairs_free(sh.pairs); /* buckets are per tenant */
		sh.pairs = NULL;
	}
	ret = 0;
cleanup:
	json_decref(due);
	cr_pairs_free(sh.pairs);
	st_db_close(sh.rec_db);
	st_tenant_list_release(&tl);
	return ret;
}
