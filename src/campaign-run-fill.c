/*
 * campaign-run-fill.c - the send ledger of an occurrence, written in
 * parts: the first with the start of the run, the rest by a thread on a
 * connection of its own while the send loop already sends.
 *
 * One part is one statement in one transaction: the next `limit` leads
 * of the audience in the order of their ids, after the last one the
 * ledger has, become PENDING rows (or SKIPPED with the reason they
 * cannot be reached), with the snapshot the message is made from. The
 * audience is the leads that existed when the occurrence started
 * (created_at <= started_at), so leads added while the ledger is written
 * are not swept in. campaign.filling_occurrence says the ledger is not
 * whole yet: a run that stops or dies half-way leaves it set, and the
 * next one goes on from the last lead in the ledger. Parts double in
 * size (up to PART_MAX): a few rows are ready to send at once, and few
 * parts make the whole.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "campaign-internal.h"
#include "campaign-run-internal.h"
#include "db-internal.h"
#include "strato/tenant.h"
#include "strato/util.h"

#define PART_MAX 32000

/*
 * $1 tenant, $2 audience (JSON), $3 campaign, $4 occurrence, $5
 * channel, $6 the channel's integration is active, $7 a text needs the
 * 24-hour window, $8 the most leads to add (NULL: all). Answers the rows
 * added, PENDING and SKIPPED, and whether the ledger is now whole.
 */
#define PART_SQL "WITH ins AS (INSERT INTO strato.campaign_send" \
	" (tenant_id, campaign_id, occurrence, lead_id, estado, reason," \
	" provider, snapshot)" \
	" SELECT l.tenant_id, $3, $4::int, l.id, CASE WHEN x.reason" \
	" IS NULL THEN 'PENDING' ELSE 'SKIPPED' END, x.reason, $5," \
	" jsonb_strip_nulls(jsonb_build_object('nombre', l.nombre," \
	" 'zona', coalesce(l.zona_interes, l.zonas[1]), 'telefono'," \
	" l.telefono_e164, 'email', l.email, 'operacion', l.operacion," \
	" 'tipo_propiedad', l.tipo_propiedad, 'agente', u.nombre," \
	" 'inmobiliaria', t.nombre, 'asistente', (SELECT a.nombre" \
	" FROM strato.assistant a WHERE a.tenant_id = $1" \
	" AND a.is_active ORDER BY a.updated_at DESC LIMIT 1)))" \
	" FROM (SELECT * FROM strato.lead l WHERE l.tenant_id = $1" \
	" AND " AUDIENCE_COND " AND l.created_at <= (SELECT" \
	" coalesce(started_at, now()) FROM strato.campaign" \
	" WHERE tenant_id = $1 AND id = $3) AND l.id > coalesce((SELECT" \
	" max(e.lead_id) FROM strato.campaign_send e WHERE e.tenant_id = $1" \
	" AND e.campaign_id = $3 AND e.occurrence = $4::int), '')" \
	" ORDER BY l.id LIMIT $8::bigint) l" \
	" JOIN strato.tenant t ON t.id = l.tenant_id" \
	" LEFT JOIN strato.app_user u ON u.tenant_id = l.tenant_id" \
	" AND u.id = l.assigned_to_id" \
	" CROSS JOIN LATERAL (SELECT CASE WHEN NOT $6::bool" \
	" THEN 'no_integration' WHEN " CHANNEL_ID " IS NULL" \
	" AND l.telefono_e164 IS NULL THEN CASE WHEN" \
	" btrim(coalesce(l.telefono, '')) = '' THEN 'no_phone'" \
	" ELSE 'invalid_phone' END WHEN $7::bool AND NOT " IN_24H \
	" THEN 'outside_24h' END AS reason) x" \
	" ON CONFLICT DO NOTHING RETURNING estado)," \
	" n AS (SELECT count(*) FILTER (WHERE estado = 'PENDING') AS p," \
	" count(*) FILTER (WHERE estado = 'SKIPPED') AS s," \
	" $8::bigint IS NULL OR count(*) < $8::bigint AS whole FROM ins)," \
	" f AS (UPDATE strato.campaign c SET filling_occurrence =" \
	" CASE WHEN n.whole THEN NULL ELSE $4::int END FROM n" \
	" WHERE c.tenant_id = $1 AND c.id = $3" \
	" AND c.filling_occurrence IS DISTINCT FROM" \
	" (CASE WHEN n.whole THEN NULL ELSE $4::int END) RETURNING 1)" \
	" SELECT p, s, whole FROM n"

void
cr_fill_args_release(struct cr_fill_args *a)
{
	if (!a)
		return;
	free(a->tenant_id);
	free(a->id);
	free(a->channel);
	free(a->audience);
	memset(a, 0, sizeof(*a));
}

/* What a part needs of the campaign, copied (another thread reads it). */
void
cr_fill_args_init(struct cr_fill_args *a, const struct cr_campaign *c)
{
	json_t *aud = json_object_get(c->config, "audience");

	memset(a, 0, sizeof(*a));
	a->tenant_id = st_xstrdup(c->tenant_id);
	a->id = st_xstrdup(c->id);
	a->channel = st_xstrdup(c->channel);
	a->audience = aud ? json_dumps(aud, JSON_COMPACT) : st_xstrdup("{}");
	a->occurrence = c->occurrence;
	a->integration = c->integration;
	a->window = !c->tpl;
}

/*
 * One part, in the caller's transaction: up to limit leads (0: all)
 * added; *pending and *skipped how many became which, *whole whether
 * the ledger now holds the whole audience.
 */
int
cr_fill_part(struct st_db *db, const struct cr_fill_args *a, long limit,
	     long long *pending, long long *skipped, bool *whole,
	     struct st_error *err)
{
	char occ[16], lim[24];
	PGresult *res;

	snprintf(occ, sizeof(occ), "%d", a->occurrence);
	snprintf(lim, sizeof(lim), "%ld", limit);
	res = st_db_query(db, PART_SQL, 8, (const char *const[]){
		a->tenant_id, a->audience, a->id, occ, a->channel,
		a->integration ? "t" : "f", a->window ? "t" : "f",
		limit > 0 ? lim : NULL }, err);
	if (!res)
		return -1;
	*pending = atoll(PQgetvalue(res, 0, 0));
	*skipped = atoll(PQgetvalue(res, 0, 1));
	*whole = st_db_bool(res, 0, 2);
	PQclear(res);
	return 0;
}

/* The thread: parts until the ledger is whole, a stop, or an error. */
static void *
fill_main(void *arg)
{
	struct cr_filler *f = arg;
	long limit = 2 * CR_FILL_FIRST;
	sigset_t block;

	/* signals are the send loop's to see */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	while (!atomic_load(&f->stop)) {
		long long p = 0, s = 0;
		bool whole = false;

		if (st_tenant_begin(f->db, f->args.tenant_id, &f->err) < 0 ||
		    cr_fill_part(f->db, &f->args, limit, &p, &s, &whole,
				 &f->err) < 0 ||
		    st_tenant_commit(f->db, &f->err) < 0) {
			st_tenant_rollback(f->db);
			/* a part cancelled to stop is no failure */
			f->failed = !atomic_load(&f->stop);
			break;
		}
		atomic_fetch_add(&f->pending, p);
		atomic_fetch_add(&f->skipped, s);
		if (whole) {
			f->whole = true;
			break;
		}
		if (limit < PART_MAX)
			limit = 2 * limit < PART_MAX ? 2 * limit : PART_MAX;
	}
	atomic_store(&f->done, true);
	return NULL;
}

/* Start the thread on a connection of its own. */
int
cr_filler_start(struct st_db *db, const struct cr_campaign *c,
		struct cr_filler *f, struct st_error *err)
{
	memset(f, 0, sizeof(*f));
	st_error_init(&f->err);
	if (!(f->db = st_db_clone(db, err)))
		return -1;
	cr_fill_args_init(&f->args, c);
	if (pthread_create(&f->thread, NULL, fill_main, f) != 0) {
		st_error_set(err, ST_EINTERNAL, "cannot start a thread to "
			     "write the send ledger");
		cr_fill_args_release(&f->args);
		st_db_close(f->db);
		f->db = NULL;
		return -1;
	}
	f->running = true;
	return 0;
}

/* Ask the thread to stop now: its part under way is cancelled. */
void
cr_filler_stop(struct cr_filler *f)
{
	if (!f->running || atomic_load(&f->stop))
		return;
	atomic_store(&f->stop, true);
	st_db_cancel(f->db);
}

/*
 * Wait for the thread and close its connection; -1 with its error when
 * a part failed. Nothing to do when it was never started.
 */
int
cr_filler_join(struct cr_filler *f, struct st_error *err)
{
	int ret = 0;

	if (!f->running)
		return 0;
	pthread_join(f->thread, NULL);
	f->running = false;
	if (f->failed) {
		if (err)
			*err = f->err;
		ret = -1;
	}
	st_db_close(f->db);
	f->db = NULL;
	cr_fill_args_release(&f->args);
	return ret;
}
