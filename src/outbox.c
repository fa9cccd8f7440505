/*
 * outbox.c - delivering QUEUED messages through the lead's channel:
 * claim (committed), pick the channel and contact, send, record the
 * provider's answer. See outbox.h for the states and the guarantee.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit-internal.h"
#include "db-internal.h"
#include "strato/audit.h"
#include "strato/outbox.h"
#include "strato/provider.h"
#include "strato/tenant.h"
#include "strato/util.h"

/* The channels, in the order a lead without a stored id is tried. */
static const char *const channels[] = { "WHATSAPP", "MANYCHAT", "UCHAT" };
#define NCHAN 3

struct st_outbox {
	struct st_db *db;
	char *tenant_id;
	const struct st_crypto_key *key;
	bool listed;
	bool active[NCHAN];
	bool opened[NCHAN];
	struct st_provider prov[NCHAN];
};

/* A claimed message and what its delivery needs. */
struct claimed {
	PGresult *res; /* the claim's row: the strings below point into it */
	const char *id, *tipo, *contenido, *media_url, *conv_id, *conv_provider,
		*conv_external, *lead_id, *nombre, *phone;
	const char *ids[NCHAN]; /* the lead's wa_id, manychat_id, uchat_id */
	int attempts;
	bool opt_out, in_window;
};

/* What the provider (or the lack of one) decided. */
struct verdict {
	const char *estado; /* SENT, QUEUED, FAILED, UNKNOWN */
	int chan;           /* -1: none */
	char *contact;      /* the contact id used, to store on the lead */
	char *external_id;
	char code[32];
	char error[600];
};

bool
st_outbox_may_send(const struct st_db *db)
{
	return st_db_is_service(db) || st_db_is_tenant_admin(db);
}

struct st_outbox *
st_outbox_open(struct st_db *db, const char *tenant_id,
	       const struct st_crypto_key *key)
{
	struct st_outbox *ob = st_xcalloc(1, sizeof(*ob));

	ob->db = db;
	ob->tenant_id = st_xstrdup(tenant_id);
	ob->key = key;
	return ob;
}

void
st_outbox_close(struct st_outbox *ob)
{
	if (!ob)
		return;
	for (int i = 0; i < NCHAN; i++)
		if (ob->opened[i])
			st_provider_close(&ob->prov[i]);
	free(ob->tenant_id);
	free(ob);
}

void
st_outbox_result_release(struct st_outbox_result *r)
{
	free(r->message_id);
	free(r->estado);
	free(r->provider);
	free(r->external_id);
	free(r->error);
	free(r->next_attempt_at);
	memset(r, 0, sizeof(*r));
}

static int
chan_index(const char *provider)
{
	for (int i = 0; provider && i < NCHAN; i++)
		if (strcmp(channels[i], provider) == 0)
			return i;
	return -1;
}

/* Which channel integrations the tenant has active (once a run). */
static int
list_active(struct st_outbox *ob, struct st_error *err)
{
	PGresult *res;

	if (ob->listed)
		return 0;
	if (st_tenant_begin(ob->db, ob->tenant_id, err) < 0)
		return -1;
	res = st_db_query(ob->db, "SELECT provider FROM strato.tenant_integration"
			  " WHERE tenant_id = $1 AND is_active", 1,
			  (const char *const[]){ ob->tenant_id }, err);
	if (!res) {
		st_tenant_rollback(ob->db);
		return -1;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		int c = chan_index(PQgetvalue(res, i, 0));

		if (c >= 0)
			ob->active[c] = true;
	}
	PQclear(res);
	ob->listed = true;
	return st_tenant_commit(ob->db, err);
}

/*
 * Claim message id (QUEUED and due → SENDING, attempts + 1) and read what
 * its delivery needs, committed. 0 with c->res NULL when there was nothing
 * to claim.
 */
static int
claim(struct st_outbox *ob, const char *id, struct claimed *c,
      struct st_error *err)
{
	PGresult *res;

	memset(c, 0, sizeof(*c));
	if (st_tenant_begin(ob->db, ob->tenant_id, err) < 0)
		return -1;
	res = st_db_query(ob->db,
		"WITH m AS (UPDATE strato.message m SET estado = 'SENDING',"
		"  claimed_at = now(), attempts = m.attempts + 1,"
		"  updated_at = now()"
		" WHERE m.tenant_id = $1 AND m.id = $2"
		"  AND m.direccion = 'SALIENTE' AND m.estado = 'QUEUED'"
		"  AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= now())"
		" RETURNING m.id, m.tipo, m.contenido, m.attempts,"
		"  m.conversation_id, m.media_url)"
		" SELECT m.id, m.tipo, m.contenido, m.attempts, c.id, c.provider,"
		"  c.external_id, l.id, l.nombre, l.telefono_e164, l.wa_id,"
		"  l.manychat_id, l.uchat_id, l.opt_out,"
		"  EXISTS (SELECT 1 FROM strato.conversation xc"
		"   JOIN strato.message x ON x.tenant_id = xc.tenant_id"
		"    AND x.conversation_id = xc.id"
		"   WHERE xc.tenant_id = $1 AND xc.lead_id = l.id"
		"    AND xc.canal = 'WHATSAPP'"
		"    AND coalesce(xc.provider, 'WHATSAPP') = 'WHATSAPP'"
		"    AND x.direccion = 'ENTRANTE'"
		"    AND x.created_at > now() - interval '24 hours'),"
		"  m.media_url"
		" FROM m JOIN strato.conversation c ON c.tenant_id = $1"
		"  AND c.id = m.conversation_id"
		" JOIN strato.lead l ON l.tenant_id = $1 AND l.id = c.lead_id",
		2, (const char *const[]){ ob->tenant_id, id }, err);
	if (!res || st_tenant_commit(ob->db, err) < 0) {
		PQclear(res);
		st_tenant_rollback(ob->db);
		return -1;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 0;
	}
	c->res = res;
	c->id = PQgetvalue(res, 0, 0);
	c->tipo = PQgetvalue(res, 0, 1);
	c->contenido = PQgetvalue(res, 0, 2);
	c->attempts = atoi(PQgetvalue(res, 0, 3));
	c->conv_id = PQgetvalue(res, 0, 4);
	c->conv_provider = PQgetisnull(res, 0, 5) ? NULL : PQgetvalue(res, 0, 5);
	c->conv_external = PQgetisnull(res, 0, 6) ? NULL : PQgetvalue(res, 0, 6);
	c->lead_id = PQgetvalue(res, 0, 7);
	c->nombre = PQgetvalue(res, 0, 8);
	c->phone = PQgetisnull(res, 0, 9) ? NULL : PQgetvalue(res, 0, 9);
	for (int i = 0; i < NCHAN; i++)
		c->ids[i] = PQgetisnull(res, 0, 10 + i) ? NULL :
			    PQgetvalue(res, 0, 10 + i);
	c->opt_out = st_db_bool(res, 0, 13);
	c->in_window = st_db_bool(res, 0, 14);
	c->media_url = PQgetisnull(res, 0, 15) ? NULL : PQgetvalue(res, 0, 15);
	return 0;
}

/* The first active channel the lead can be reached on, or -1. */
static int
pick_channel(const struct st_outbox *ob, const struct claimed *c)
{
	int conv = chan_index(c->conv_provider);

	if (conv >= 0 && ob->active[conv])
		return conv;
	for (int i = 0; i < NCHAN; i++)
		if (c->ids[i] && ob->active[i])
			return i;
	for (int i = 0; c->phone && i < NCHAN; i++)
		if (ob->active[i])
			return i;
	return -1;
}

static void
set_verdict(struct verdict *v, const char *estado, const char *code,
	    const char *error)
{
	v->estado = estado;
	snprintf(v->code, sizeof(v->code), "%s", code ? code : "");
	snprintf(v->error, sizeof(v->error), "%s", error ? error : "");
}

/* Nothing went out: try again later, or give up after the last attempt. */
static void
retry_later(struct verdict *v, const struct claimed *c, const char *why)
{
	char msg[600];

	if (c->attempts < ST_OUTBOX_MAX_ATTEMPTS) {
		set_verdict(v, "QUEUED", NULL, why);
		return;
	}
	snprintf(msg, sizeof(msg), "gave up after %d attempts: %.520s",
		 c->attempts, why);
	set_verdict(v, "FAILED", NULL, msg);
}

/* The contact on channel chan: stored, the number, or found/created. */
static int
contact_for(struct st_outbox *ob, const struct claimed *c, int chan,
	    struct verdict *v)
{
	struct st_provider *p = &ob->prov[chan];
	struct st_error err;
	bool created;

	if (chan_index(c->conv_provider) == chan && c->conv_external) {
		v->contact = st_xstrdup(c->conv_external);
	} else if (c->ids[chan]) {
		v->contact = st_xstrdup(c->ids[chan]);
	} else if (!c->phone) {
		set_verdict(v, "FAILED", NULL, "the lead has no phone and no "
			    "contact on the channel");
		return -1;
	} else if (chan == 0) {
		v->contact = st_xstrdup(c->phone + 1); /* digits, as wa_id */
	} else if (st_channel_contact(p, c->phone, c->nombre, NULL,
				      &v->contact, &created, &err) < 0) {
		/* a lookup is safe to repeat: a later attempt finds it */
		if (p->failure == ST_PFAIL_REFUSED ||
		    p->failure == ST_PFAIL_NOTFOUND)
			set_verdict(v, "FAILED", NULL, err.message);
		else
			retry_later(v, c, err.message);
		return -1;
	}
	return 0;
}

/* The media kind of a message with a link, or -1. */
static int
media_kind(const struct claimed *c)
{
	static const struct {
		const char *tipo;
		enum st_media_kind kind;
	} kinds[] = {
		{ "IMAGE", ST_MEDIA_IMAGE }, { "AUDIO", ST_MEDIA_AUDIO },
		{ "VIDEO", ST_MEDIA_VIDEO }, { "FILE", ST_MEDIA_FILE },
		{ "DOCUMENT", ST_MEDIA_FILE },
	};

	for (size_t i = 0; c->media_url && i < ST_ARRAY_SIZE(kinds); i++)
		if (strcmp(c->tipo, kinds[i].tipo) == 0)
			return (int)kinds[i].kind;
	return -1;
}

/* Send the claimed message and decide; no database work here. */
static void
send_claimed(struct st_outbox *ob, const struct claimed *c, struct verdict *v)
{
	struct st_send_result sr = { 0 };
	struct st_error err;
	char code[32];
	int chan;

	v->chan = -1;
	if (c->opt_out) {
		set_verdict(v, "FAILED", NULL, "the lead opted out of messages");
		return;
	}
	if (strcmp(c->tipo, "TEXT") != 0 && media_kind(c) < 0) {
		set_verdict(v, "FAILED", NULL, "only text and media (an image, "
			    "audio, video or file with its link) go out "
			    "through the outbox");
		return;
	}
	chan = v->chan = pick_channel(ob, c);
	if (chan < 0) {
		set_verdict(v, "FAILED", NULL, c->phone || c->ids[0] ||
			    c->ids[1] || c->ids[2] ? "no active integration "
			    "for the lead's channel" : "the lead has no phone "
			    "and no channel id");
		return;
	}
	if (!ob->opened[chan]) {
		if (st_provider_open(ob->db, ob->tenant_id, channels[chan],
				     ob->key, &ob->prov[chan], &err) < 0) {
			retry_later(v, c, err.message);
			return;
		}
		ob->opened[chan] = true;
	}
	if (contact_for(ob, c, chan, v) < 0)
		return;
	if (chan == 0 && !c->in_window) {
		set_verdict(v, "FAILED", "131047", "outside the 24-hour window:"
			    " the lead has not written in 24 hours, so only "
			    "an approved template may go");
		return;
	}
	if ((strcmp(c->tipo, "TEXT") == 0 ?
	     st_channel_ops(channels[chan])->send_text(&ob->prov[chan],
		v->contact, c->contenido, &sr, &err) :
	     st_channel_send_media(&ob->prov[chan], v->contact,
		(enum st_media_kind)media_kind(c), c->media_url,
		*c->contenido ? c->contenido : NULL, &sr, &err)) == 0) {
		set_verdict(v, "SENT", NULL, NULL);
		v->external_id = sr.message_id ? st_xstrdup(sr.message_id) : NULL;
		st_send_result_release(&sr);
		return;
	}
	snprintf(code, sizeof(code), "%ld", sr.code);
	switch (sr.outcome) {
	case ST_SEND_RETRY_LATER:
		retry_later(v, c, err.message);
		break;
	case ST_SEND_UNKNOWN:
		set_verdict(v, "UNKNOWN", sr.code ? code : NULL, err.message);
		break;
	default: /* PERMANENT, NEEDS_TEMPLATE */
		set_verdict(v, "FAILED", sr.code ? code : NULL, err.message);
		break;
	}
	st_send_result_release(&sr);
}

/* The contact id found for a lead, kept on it for the next message. */
static const char *const lead_contact_sql[NCHAN] = {
#define LEAD_CONTACT(col) \
	"WITH o AS (SELECT to_jsonb(l) AS j FROM strato.lead l" \
	" WHERE l.tenant_id = $1 AND l.id = $2)," \
	" n AS (UPDATE strato.lead l SET " col " = $3, updated_at = now()" \
	" WHERE l.tenant_id = $1 AND l.id = $2 AND l." col " IS NULL" \
	" RETURNING l.*)" \
	" SELECT n.id, strato.jsonb_diff((SELECT j FROM o), to_jsonb(n))::text" \
	" FROM n"
	LEAD_CONTACT("wa_id"), LEAD_CONTACT("manychat_id"),
	LEAD_CONTACT("uchat_id"),
#undef LEAD_CONTACT
};

/* The verdict on the claimed message, in one transaction. */
static int
record(struct st_outbox *ob, const struct claimed *c, const struct verdict *v,
       struct st_outbox_result *res, struct st_error *err)
{
	const char *t = ob->tenant_id;
	const char *prov = v->chan >= 0 ? channels[v->chan] : NULL;
	PGresult *row = NULL;
	char backoff[16];
	int ret = -1;

	/* 30 s, doubling, at most an hour */
	snprintf(backoff, sizeof(backoff), "%d", c->attempts >= 8 ? 3600 :
		 (30 << (c->attempts - 1)) < 3600 ? 30 << (c->attempts - 1) :
		 3600);
	if (st_tenant_begin(ob->db, t, err) < 0)
		return -1;
	if (st_audit_rows(ob->db, t, "message.send", "message",
		"WITH o AS (SELECT to_jsonb(m) AS j FROM strato.message m"
		"  WHERE m.tenant_id = $1 AND m.id = $2),"
		" n AS (UPDATE strato.message m SET estado = $3,"
		"  external_id = coalesce($4, m.external_id),"
		"  error_code = nullif($5, ''), error_message = nullif($6, ''),"
		"  next_attempt_at = CASE WHEN $3 = 'QUEUED'"
		"   THEN now() + make_interval(secs => $7::int) END,"
		"  claimed_at = NULL, updated_at = now()"
		"  WHERE m.tenant_id = $1 AND m.id = $2 AND m.estado = 'SENDING'"
		"  RETURNING m.*)"
		" SELECT n.id, " ST_SQL_TS("n.next_attempt_at") ","
		"  strato.jsonb_diff((SELECT j FROM o), to_jsonb(n))::text FROM n",
		7, (const char *const[]){ t, c->id, v->estado, v->external_id,
		v->code, v->error, backoff }, NULL, &row, err) < 0)
		goto cleanup;
	if (prov && strcmp(v->estado, "SENT") == 0 &&
	    st_db_run(ob->db, "UPDATE strato.conversation SET"
		      " provider = coalesce(provider, $3),"
		      " external_id = coalesce(external_id, $4),"
		      " last_message_at = now(), updated_at = now()"
		      " WHERE tenant_id = $1 AND id = $2", 4,
		      (const char *const[]){ t, c->conv_id, prov, v->contact },
		      err) < 0)
		goto cleanup;
	if (prov && v->contact && !c->ids[v->chan] &&
	    strcmp(v->estado, "SENT") == 0 &&
	    st_audit_rows(ob->db, t, "lead.contact", "lead",
		    lead_contact_sql[v->chan], 3, (const char *const[]){ t, c->lead_id, v->contact },
		    NULL, NULL, err) < 0)
		goto cleanup;
	if (st_tenant_commit(ob->db, err) < 0)
		goto cleanup;
	res->estado = st_xstrdup(v->estado);
	res->provider = prov ? st_xstrdup(prov) : NULL;
	res->external_id = v->external_id ? st_xstrdup(v->external_id) : NULL;
	res->error = v->error[0] ? st_xstrdup(v->error) : NULL;
	if (PQntuples(row) == 1)
		res->next_attempt_at = st_db_dup(row, 0, 1);
	ret = 0;
cleanup:
	if (ret < 0)
		st_tenant_rollback(ob->db);
	PQclear(row);
	return ret;
}

int
st_outbox_deliver(struct st_outbox *ob, const char *message_id,
		  struct st_outbox_result *res, struct st_error *err)
{
	struct claimed c;
	struct verdict v;
	int ret;

	memset(res, 0, sizeof(*res));
	memset(&v, 0, sizeof(v));
	res->message_id = st_xstrdup(message_id);
	if (list_active(ob, err) < 0 || claim(ob, message_id, &c, err) < 0)
		return -1;
	if (!c.res)
		return 0; /* not due, or another run has it */
	send_claimed(ob, &c, &v);
	/* a failure here leaves it SENDING: a later run calls it UNKNOWN */
	ret = record(ob, &c, &v, res, err);
	free(v.contact);
	free(v.external_id);
	PQclear(c.res);
	return ret;
}

/* Messages a crash left SENDING: UNKNOWN, audited, counted. */
static int
recover(struct st_outbox *ob, struct st_outbox_summary *sum,
	struct st_error *err)
{
	char stale[16];
	PGresult *res;
	int ret = -1;

	snprintf(stale, sizeof(stale), "%d", ST_OUTBOX_STALE_SECONDS);
	if (st_tenant_begin(ob->db, ob->tenant_id, err) < 0)
		return -1;
	res = st_db_query(ob->db,
		"WITH n AS (UPDATE strato.message m SET estado = 'UNKNOWN',"
		"  error_message = 'interrupted while sending: it may have gone"
		" out, so it is not resent', claimed_at = NULL, updated_at = now()"
		" WHERE m.tenant_id = $1 AND m.direccion = 'SALIENTE'"
		"  AND m.estado = 'SENDING'"
		"  AND m.claimed_at < now() - make_interval(secs => $2::int)"
		" RETURNING m.id)"
		" INSERT INTO strato.audit_log (tenant_id, action, entity,"
		"  entity_id, diff) SELECT $1, 'message.unknown', 'message', n.id,"
		"  '{\"estado\": {\"old\": \"SENDING\", \"new\": \"UNKNOWN\"}}'"
		" FROM n", 2, (const char *const[]){ ob->tenant_id, stale }, err);
	if (!res)
		goto cleanup;
	sum->recovered += atol(PQcmdTuples(res));
	ret = st_tenant_commit(ob->db, err);
cleanup:
	if (ret < 0)
		st_tenant_rollback(ob->db);
	PQclear(res);
	return ret;
}

/* The ids of up to 100 due messages, oldest first. */
static PGresult *
due(struct st_outbox *ob, struct st_error *err)
{
	PGresult *res;

	if (st_tenant_begin(ob->db, ob->tenant_id, err) < 0)
		return NULL;
	res = st_db_query(ob->db, "SELECT id FROM strato.message"
		" WHERE tenant_id = $1 AND direccion = 'SALIENTE'"
		"  AND estado = 'QUEUED'"
		"  AND (next_attempt_at IS NULL OR next_attempt_at <= now())"
		" ORDER BY next_attempt_at NULLS FIRST, created_at LIMIT 100", 1,
		(const char *const[]){ ob->tenant_id }, err);
	if (!res || st_tenant_commit(ob->db, err) < 0) {
		PQclear(res);
		st_tenant_rollback(ob->db);
		return NULL;
	}
	return res;
}

static void
count(struct st_outbox_summary *sum, const struct st_outbox_result *r)
{
	if (!r->estado)
		sum->skipped++;
	else if (strcmp(r->estado, "SENT") == 0)
		sum->sent++;
	else if (strcmp(r->estado, "QUEUED") == 0)
		sum->queued++;
	else if (strcmp(r->estado, "UNKNOWN") == 0)
		sum->unknown++;
	else
		sum->failed++;
}

int
st_outbox_run(struct st_outbox *ob, long limit, struct st_outbox_summary *sum,
	      struct st_error *err)
{
	long done = 0;

	if (recover(ob, sum, err) < 0)
		return -1;
	for (;;) {
		PGresult *ids = due(ob, err);
		int n;

		if (!ids)
			return -1;
		n = PQntuples(ids);
		/* every one listed leaves the due set: sent, requeued for
		 * later, or taken by another run */
		for (int i = 0; i < n && (limit <= 0 || done < limit); i++) {
			struct st_outbox_result r;

			if (st_outbox_deliver(ob, PQgetvalue(ids, i, 0), &r,
					      err) < 0) {
				st_outbox_result_release(&r);
				PQclear(ids);
				return -1;
			}
			count(sum, &r);
			st_outbox_result_release(&r);
			done++;
		}
		PQclear(ids);
		if (n < 100 || (limit > 0 && done >= limit))
			return 0;
	}
}

int
st_outbox_requeue(struct st_db *db, const char *tenant_id,
		  const char *message_id, struct st_error *err)
{
	PGresult *res = NULL;
	int ret = -1;

	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (st_audit_rows(db, tenant_id, "message.requeue", "message",
		"WITH o AS (SELECT to_jsonb(m) AS j FROM strato.message m"
		"  WHERE m.tenant_id = $1 AND m.id = $2),"
		" n AS (UPDATE strato.message m SET estado = 'QUEUED',"
		"  next_attempt_at = NULL, error_code = NULL,"
		"  error_message = NULL, updated_at = now()"
		"  WHERE m.tenant_id = $1 AND m.id = $2"
		"  AND m.direccion = 'SALIENTE' AND m.estado IN ('UNKNOWN',"
		"  'FAILED') RETURNING m.*)"
		" SELECT n.id, strato.jsonb_diff((SELECT j FROM o),"
		"  to_jsonb(n))::text FROM n", 2,
		(const char *const[]){ tenant_id, message_id }, NULL, &res, err) < 0)
		goto cleanup;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ESTATE, "message \"%s\" is not an outbound "
			     "UNKNOWN or FAILED message", message_id);
		goto cleanup;
	}
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0)
		st_tenant_rollback(db);
	PQclear(res);
	return ret;
}
