/*
 * ingest-store.c - one webhook event's effects: lead, conversation,
 * messages, status updates, preferences, and the queued reply.
 *
 * The event is one tenant transaction, every write audited. The reply
 * comes after it in a second one (the ranking opens its own): a failure
 * there leaves the event stored and unanswered, and since the message is
 * then a duplicate, a replay does not answer twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit-internal.h"
#include "db-internal.h"
#include "ingest-internal.h"
#include "strato/audit.h"
#include "strato/ficha.h"
#include "strato/match.h"
#include "strato/personalize.h"
#include "strato/phone.h"
#include "strato/property.h"
#include "strato/tenant.h"
#include "strato/util.h"

/* What a stored message leaves for the reply. */
struct ing_new {
	char *lead_id;
	char *conv_id;
	bool lead_new;
	bool asked; /* the text said something about what the lead wants */
};

/* The lead column of a source's channel id: a constant, never input. */
static const char *
id_column(enum st_ingest_source s)
{
	return s == ST_INGEST_MANYCHAT ? "manychat_id"
	     : s == ST_INGEST_UCHAT ? "uchat_id" : "wa_id";
}

/* The first lead with the channel id, else with the phone; *id NULL: none. */
static int
find_lead(struct st_db *db, const char *tenant_id, enum st_ingest_source s,
	  const char *user_id, const char *e164, char **id,
	  struct st_error *err)
{
	char *sql = st_xasprintf("SELECT id FROM strato.lead WHERE tenant_id ="
		" $1 AND deleted_at IS NULL AND %s = $2"
		" ORDER BY created_at, id LIMIT 1", id_column(s));
	PGresult *res = st_db_query(db, sql, 2, (const char *const[]){
		tenant_id, user_id }, err);

	free(sql);
	if (res && PQntuples(res) == 0 && e164) {
		PQclear(res);
		res = st_db_query(db, "SELECT id FROM strato.lead WHERE"
			" tenant_id = $1 AND deleted_at IS NULL AND"
			" telefono_e164 = $2 ORDER BY created_at, id LIMIT 1",
			2, (const char *const[]){ tenant_id, e164 }, err);
	}
	if (!res)
		return -1;
	*id = PQntuples(res) == 1 ? st_db_dup(res, 0, 0) : NULL;
	PQclear(res);
	return 0;
}

/* Upsert the lead of m: fill what it lacks, never overwrite. */
static int
upsert_lead(struct st_db *db, const struct ing_tenant *t,
	    enum st_ingest_source s, const struct st_ingest_msg *m,
	    struct ing_new *n, struct st_error *err)
{
	char e164[ST_PHONE_MAX] = "";
	const char *origen = m->from_ad ? "META_ADS" : st_ingest_source_name(s);
	const char *nombre = m->nombre;
	char *sql = NULL;
	int ret;

	if (m->telefono)
		st_phone_normalize(m->telefono, t->region, e164);
	if (find_lead(db, t->id, s, m->user_id, e164[0] ? e164 : NULL,
		      &n->lead_id, err) < 0)
		return -1;
	const char *p[] = { t->id, n->lead_id, m->user_id,
		e164[0] ? e164 : NULL, m->telefono, m->email, origen,
		nombre ? nombre : e164[0] ? e164 : "Sin nombre" };
	if (n->lead_id) {
		sql = st_xasprintf("WITH o AS (SELECT * FROM strato.lead"
			" WHERE tenant_id = $1 AND id = $2 FOR UPDATE),"
			" n AS (UPDATE strato.lead l SET %1$s ="
			" coalesce(l.%1$s, $3), telefono_e164 ="
			" coalesce(l.telefono_e164, $4), telefono ="
			" coalesce(l.telefono, $5), email = coalesce(l.email,"
			" $6), origen = coalesce(l.origen, $7),"
			" last_activity_at = now() FROM o WHERE l.tenant_id ="
			" $1 AND l.id = $2 AND $8::text IS NOT NULL"
			" RETURNING l.*)"
			" SELECT n.id, strato.jsonb_diff(to_jsonb(o) -"
			" 'last_activity_at', to_jsonb(n) - 'last_activity_at')"
			"::text FROM n, o", id_column(s));
		ret = st_audit_rows(db, t->id, "lead.update", "lead", sql, 8,
				    p, NULL, NULL, err);
	} else {
		sql = st_xasprintf("WITH n AS (INSERT INTO strato.lead"
			" (tenant_id, %s, telefono_e164, telefono, email,"
			" origen, nombre, last_activity_at) VALUES ($1, $3,"
			" $4, $5, $6,"
			" $7, $8, now()) RETURNING * ) SELECT n.id,"
			" strato.jsonb_diff(NULL, to_jsonb(n))::text FROM n,"
			" (SELECT $2::text) x", id_column(s));
		ret = st_audit_rows(db, t->id, "lead.create", "lead", sql, 8,
				    p, &n->lead_id, NULL, err);
		n->lead_new = true;
	}
	free(sql);
	return ret;
}

/* The open conversation of the lead on this provider and id, or a new one. */
static int
open_conversation(struct st_db *db, const char *tenant_id,
		  enum st_ingest_source s, const struct st_ingest_msg *m,
		  struct ing_new *n, struct st_error *err)
{
	const char *p[] = { tenant_id, n->lead_id, m->canal,
			    st_ingest_source_name(s), m->user_id };
	PGresult *res = st_db_query(db, "SELECT id FROM strato.conversation"
		" WHERE tenant_id = $1 AND lead_id = $2 AND canal = $3 AND"
		" provider = $4 AND external_id = $5"
		" ORDER BY abierta DESC, created_at DESC, id LIMIT 1", 5, p,
		err);

	if (!res)
		return -1;
	if (PQntuples(res) == 1) {
		n->conv_id = st_db_dup(res, 0, 0);
		PQclear(res);
		return st_db_run(db, "UPDATE strato.conversation SET"
			" abierta = true WHERE tenant_id = $1 AND id = $2"
			" AND NOT abierta",
			2, (const char *const[]){ tenant_id, n->conv_id }, err);
	}
	PQclear(res);
	return st_audit_rows(db, tenant_id, "conversation.create",
		"conversation", "WITH n AS (INSERT INTO strato.conversation"
		" (tenant_id, lead_id, canal, provider, external_id,"
		" assistant_id) VALUES ($1, $2, $3, $4, $5, (SELECT id FROM"
		" strato.assistant WHERE tenant_id = $1 AND is_active ORDER BY"
		" created_at, id LIMIT 1)) RETURNING *) SELECT n.id,"
		" strato.jsonb_diff(NULL, to_jsonb(n))::text FROM n",
		5, p, &n->conv_id, NULL, err);
}

/* "{"a","b"}": a text[] literal of the zones. */
static char *
zones_literal(const struct st_ingest_prefs *pr)
{
	struct st_buf b = ST_BUF_INIT;

	st_buf_addch(&b, '{');
	for (size_t i = 0; i < pr->nzonas; i++) {
		st_buf_addstr(&b, i ? ",\"" : "\"");
		for (const char *c = pr->zonas[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				st_buf_addch(&b, '\\');
			st_buf_addch(&b, *c);
		}
		st_buf_addch(&b, '"');
	}
	st_buf_addch(&b, '}');
	return st_buf_detach(&b);
}

/* The tenant's zones, for the extraction. */
static int
read_prefs(struct st_db *db, const char *tenant_id, const char *text,
	   struct st_ingest_prefs *pr, struct st_error *err)
{
	PGresult *res = st_db_query(db, "SELECT DISTINCT zona FROM"
		" strato.property WHERE tenant_id = $1 AND zona IS NOT NULL"
		" ORDER BY 1 LIMIT 500", 1, (const char *const[]){ tenant_id },
		err);
	const char **zones = NULL;
	int nz;

	if (!res)
		return -1;
	nz = PQntuples(res);
	zones = st_xcalloc((size_t)nz + 1, sizeof(*zones));
	for (int i = 0; i < nz; i++)
		zones[i] = PQgetvalue(res, i, 0);
	st_ingest_extract(text, zones, (size_t)nz, pr);
	free(zones);
	PQclear(res);
	return 0;
}

/* Merge what the message said into the lead's preferences. */
static int
save_prefs(struct st_db *db, const char *tenant_id, const char *lead_id,
	   const struct st_ingest_prefs *pr, struct st_error *err)
{
	char amb[8] = "";
	char *zl = zones_literal(pr);
	int ret;

	if (pr->ambientes)
		snprintf(amb, sizeof(amb), "%d", pr->ambientes);
	ret = st_audit_rows(db, tenant_id, "lead.update", "lead",
		"WITH o AS (SELECT * FROM strato.lead WHERE tenant_id = $1 AND"
		" id = $2 FOR UPDATE), n AS (UPDATE strato.lead l SET"
		" operacion = coalesce($3, l.operacion), tipo_propiedad ="
		" coalesce($4, l.tipo_propiedad), zonas = l.zonas || ARRAY("
		" SELECT z FROM unnest($5::text[]) z WHERE z <> ALL (l.zonas)),"
		" presupuesto_min = CASE WHEN $6::text IS NULL AND $7::text IS"
		" NULL THEN l.presupuesto_min ELSE $6::numeric END,"
		" presupuesto_max = CASE WHEN $6::text IS NULL AND $7::text IS"
		" NULL THEN l.presupuesto_max ELSE $7::numeric END,"
		" moneda = coalesce($8, l.moneda), ambientes ="
		" coalesce($9::smallint, l.ambientes) FROM o WHERE l.tenant_id"
		" = $1 AND l.id = $2 RETURNING l.*) SELECT n.id,"
		" strato.jsonb_diff(to_jsonb(o), to_jsonb(n))::text FROM n, o",
		9, (const char *const[]){ tenant_id, lead_id, pr->operacion,
		pr->tipo_propiedad, zl, pr->presupuesto_min,
		pr->presupuesto_max, pr->moneda, amb[0] ? amb : NULL },
		NULL, NULL, err);
	free(zl);
	return ret;
}

/*
 * Store m unless its id was seen: 1 stored, 0 duplicate, -1 error.
 */
static int
store_message(struct st_db *db, const struct ing_tenant *t,
	      enum st_ingest_source s, const struct st_ingest_msg *m,
	      struct ing_new *n, struct st_ingest_summary *sum,
	      struct st_error *err)
{
	struct st_ingest_prefs pr;
	PGresult *res = st_db_query(db, "SELECT 1 FROM strato.message WHERE"
		" tenant_id = $1 AND external_id = $2", 2,
		(const char *const[]){ t->id, m->external_id }, err);
	int ret = -1;

	memset(&pr, 0, sizeof(pr));
	if (!res)
		return -1;
	if (PQntuples(res) > 0) {
		PQclear(res);
		return 0;
	}
	PQclear(res);
	if (upsert_lead(db, t, s, m, n, err) < 0 ||
	    open_conversation(db, t->id, s, m, n, err) < 0 ||
	    st_audit_rows(db, t->id, "message.receive", "message",
		"WITH n AS (INSERT INTO strato.message (tenant_id,"
		" conversation_id, direccion, contenido, tipo, external_id,"
		" estado, created_at) VALUES ($1, $2, 'ENTRANTE', $3, $4, $5,"
		" 'RECEIVED', coalesce(to_timestamp($6::bigint), now()))"
		" RETURNING *) SELECT n.id, strato.jsonb_diff(NULL,"
		" to_jsonb(n))::text FROM n", 6, (const char *const[]){ t->id,
		n->conv_id, m->texto, m->tipo, m->external_id, m->timestamp },
		NULL, NULL, err) < 0 ||
	    st_db_run(db, "UPDATE strato.conversation c SET last_message_at ="
		" (SELECT max(created_at) FROM strato.message m WHERE"
		" m.tenant_id = $1 AND m.conversation_id = $2) WHERE"
		" c.tenant_id = $1 AND c.id = $2", 2,
		(const char *const[]){ t->id, n->conv_id }, err) < 0)
		goto cleanup;
	if (m->texto) {
		if (read_prefs(db, t->id, m->texto, &pr, err) < 0)
			goto cleanup;
		n->asked = st_ingest_prefs_any(&pr);
		if (n->asked && save_prefs(db, t->id, n->lead_id, &pr, err) < 0)
			goto cleanup;
	}
	sum->messages++;
	sum->leads_new += n->lead_new;
	ret = 1;
cleanup:
	st_ingest_prefs_release(&pr);
	return ret;
}

/* A status moves forward only; FAILED always lands. */
static int
apply_status(struct st_db *db, const char *tenant_id,
	     const struct st_ingest_status *st, struct st_ingest_summary *sum,
	     struct st_error *err)
{
	char *id = NULL;
	PGresult *res = NULL;
	int ret = st_audit_rows(db, tenant_id, "message.status", "message",
		"WITH o AS (SELECT * FROM strato.message WHERE tenant_id = $1"
		" AND external_id = $2 AND direccion = 'SALIENTE' FOR UPDATE),"
		" n AS (UPDATE strato.message m SET estado = $3, error_code ="
		" coalesce($4, m.error_code), error_message = coalesce($5,"
		" m.error_message) FROM o WHERE m.tenant_id = $1 AND"
		" m.id = o.id AND ($3 = 'FAILED' OR"
		" coalesce(array_position(ARRAY['QUEUED', 'SENDING', 'SENT',"
		" 'DELIVERED', 'READ'], m.estado), 0) < array_position("
		"ARRAY['QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'READ'], $3))"
		" RETURNING m.*) SELECT n.id,"
		" strato.jsonb_diff(to_jsonb(o), to_jsonb(n))::text FROM n, o",
		5, (const char *const[]){ tenant_id, st->external_id,
		st->estado, st->error_code, st->error_message }, &id, NULL, err);

	if (ret < 0)
		return -1;
	if (!id) {
		res = st_db_query(db, "SELECT 1 FROM strato.message WHERE"
			" tenant_id = $1 AND external_id = $2 AND direccion ="
			" 'SALIENTE'", 2, (const char *const[]){ tenant_id,
			st->external_id }, err);
		if (!res)
			return -1;
	}
	if (id || PQntuples(res) > 0)
		sum->statuses++;
	else
		sum->unmatched++;
	PQclear(res);
	free(id);
	return 0;
}

/* The ids of the replies queued for one message, to send after commit. */
struct reply_ids {
	char *v[16];
	size_t n;
};

static void
reply_ids_release(struct reply_ids *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i]);
	r->n = 0;
}

/* Queue text on the conversation, audited; created_at keeps the order. */
static int
queue_text(struct st_db *db, const char *tenant_id, const char *conv_id,
	   const char *text, struct reply_ids *ids,
	   struct st_ingest_summary *sum, struct st_error *err)
{
	char *id = NULL;

	if (st_audit_rows(db, tenant_id, "message.queue", "message",
		"WITH n AS (INSERT INTO strato.message (tenant_id,"
		" conversation_id, direccion, contenido, tipo, estado,"
		" created_at) VALUES ($1, $2, 'SALIENTE', $3, 'TEXT', 'QUEUED',"
		" clock_timestamp()) RETURNING *) SELECT n.id,"
		" strato.jsonb_diff(NULL,"
		" to_jsonb(n))::text FROM n", 3,
		(const char *const[]){ tenant_id, conv_id, text }, &id,
		NULL, err) < 0)
		return -1;
	if (ids->n < sizeof(ids->v) / sizeof(ids->v[0]))
		ids->v[ids->n++] = id;
	else
		free(id); /* stays QUEUED: the outbox sends it */
	sum->replies++;
	return 0;
}

/*
 * The greeting of a new lead, rendered; NULL when the lead is not new,
 * has opted out, the WhatsApp window is closed or there is no greeting.
 * *may_reply says whether anything may be sent at all.
 */
static char *
greeting(struct st_db *db, const struct ing_tenant *t,
	 const struct ing_new *n, bool *may_reply, struct st_error *err)
{
	struct st_personalize_vars v;
	char *text = NULL;
	PGresult *res = NULL;

	st_error_init(err);
	res = st_db_query(db, "SELECT l.opt_out OR (c.canal ="
		" 'WHATSAPP' AND coalesce((SELECT max(created_at) FROM"
		" strato.message m WHERE m.tenant_id = $1 AND m.conversation_id"
		" = c.id AND m.direccion = 'ENTRANTE') < now() - interval"
		" '24 hours', true)), l.nombre, l.zona_interes,"
		" l.telefono_e164, l.email, l.operacion, l.tipo_propiedad,"
		" a.config->>'greeting', a.nombre FROM strato.lead l JOIN"
		" strato.conversation c ON c.tenant_id = l.tenant_id AND"
		" c.id = $3 LEFT JOIN strato.assistant a ON"
		" a.tenant_id = l.tenant_id AND a.is_active"
		" WHERE l.tenant_id = $1 AND l.id = $2 ORDER BY a.created_at,"
		" a.id LIMIT 1", 3, (const char *const[]){ t->id, n->lead_id,
		n->conv_id }, err);

	*may_reply = false;
	if (!res)
		return NULL;
	*may_reply = PQntuples(res) == 1 && !st_db_bool(res, 0, 0);
	if (*may_reply && n->lead_new && !PQgetisnull(res, 0, 7)) {
		v = (struct st_personalize_vars){
			.nombre = PQgetvalue(res, 0, 1),
			.zona = PQgetvalue(res, 0, 2),
			.telefono = PQgetvalue(res, 0, 3),
			.email = PQgetvalue(res, 0, 4),
			.operacion = PQgetvalue(res, 0, 5),
			.tipo_propiedad = PQgetvalue(res, 0, 6),
			.inmobiliaria = t->nombre,
			.asistente = PQgetvalue(res, 0, 8),
		};
		text = st_personalize_render(PQgetvalue(res, 0, 7), &v, err);
		if (!text) /* a bad greeting is the tenant's; send it raw */
			text = st_xstrdup(PQgetvalue(res, 0, 7));
	}
	PQclear(res);
	return text;
}

/* The fichas of the best matches, or a line saying there are none. */
static int
queue_matches(struct st_db *db, const char *tenant_id,
	      const struct ing_new *n, const struct st_match_list *ml,
	      struct reply_ids *ids, struct st_ingest_summary *sum,
	      struct st_error *err)
{
	if (ml->n == 0)
		return queue_text(db, tenant_id, n->conv_id, "Por ahora no "
			"tengo propiedades que coincidan con lo que buscás; "
			"un asesor te va a escribir.", ids, sum, err);
	if (queue_text(db, tenant_id, n->conv_id, "Estas propiedades pueden "
		       "interesarte:", ids, sum, err) < 0)
		return -1;
	for (size_t i = 0; i < ml->n; i++) {
		struct st_property p;
		char *text;
		int r;

		if (st_property_fetch(db, tenant_id, ml->items[i].id, &p,
				      err) < 0)
			return -1;
		text = st_ficha_render(&p);
		r = queue_text(db, tenant_id, n->conv_id, text, ids, sum, err);
		free(text);
		st_property_release(&p);
		if (r < 0)
			return -1;
	}
	return 0;
}

/*
 * Send the queued replies through the lead's channel, in order; one that
 * does not go now stays in the outbox, and so do the ones after it (their
 * order matters).
 */
static int
send_replies(const struct ing_tenant *t, struct reply_ids *ids,
	     struct st_ingest_summary *sum, struct st_error *err)
{
	for (size_t i = 0; t->outbox && i < ids->n; i++) {
		struct st_outbox_result r;
		bool sent;

		if (st_outbox_deliver(t->outbox, ids->v[i], &r, err) < 0) {
			st_outbox_result_release(&r);
			return -1;
		}
		sent = r.estado && strcmp(r.estado, "SENT") == 0;
		st_outbox_result_release(&r);
		if (!sent)
			break;
		sum->replies_sent++;
	}
	return 0;
}

/* The reply to a stored message: greeting, then matches when asked. */
static int
reply(struct st_db *db, const struct ing_tenant *t, const struct ing_new *n,
      struct st_ingest_summary *sum, struct st_error *err)
{
	struct st_match_list ml = { 0 };
	struct reply_ids ids = { .n = 0 };
	char *hello = NULL;
	bool may = false;
	int ret = -1;

	if (n->asked && st_match_rank(db, t->id, n->lead_id, 3, &ml, err) < 0)
		return -1;
	if (st_tenant_begin(db, t->id, err) < 0)
		goto cleanup;
	hello = greeting(db, t, n, &may, err);
	if (!may) {
		ret = err->code ? -1 : st_tenant_commit(db, err);
		goto cleanup;
	}
	if ((hello && queue_text(db, t->id, n->conv_id, hello, &ids, sum,
				 err) < 0) ||
	    (n->asked && queue_matches(db, t->id, n, &ml, &ids, sum,
				       err) < 0))
		goto cleanup;
	ret = st_tenant_commit(db, err);
	if (ret == 0)
		ret = send_replies(t, &ids, sum, err);
cleanup:
	if (ret < 0)
		st_tenant_rollback(db);
	reply_ids_release(&ids);
	free(hello);
	st_match_list_release(&ml);
	return ret;
}

static void
news_release(struct ing_new *news, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(news[i].lead_id);
		free(news[i].conv_id);
	}
	free(news);
}

/* The event in one transaction, then a reply per new message. */
int
ing_store_event(struct st_db *db, const struct st_ingest_opts *o,
		const struct ing_tenant *t, const struct st_ingest_event *ev,
		struct st_ingest_summary *sum, struct st_error *err)
{
	struct st_ingest_summary s = *sum;
	struct ing_new *news = st_xcalloc(ev->nmsgs + 1, sizeof(*news));
	size_t nn = 0;
	int ret = -1, r;

	st_error_init(err);
	if (st_tenant_begin(db, t->id, err) < 0)
		goto cleanup;
	for (size_t i = 0; i < ev->nmsgs; i++) {
		r = store_message(db, t, ev->source, &ev->msgs[i], &news[nn],
				  &s, err);
		if (r < 0)
			goto cleanup;
		if (r == 0)
			s.duplicates++;
		else
			nn++;
	}
	for (size_t i = 0; i < ev->nstatuses; i++)
		if (apply_status(db, t->id, &ev->statuses[i], &s, err) < 0)
			goto cleanup;
	if (st_tenant_commit(db, err) < 0)
		goto cleanup;
	s.errors += (long long)ev->nerrors;
	*sum = s;
	ret = 0;
	/* the event is stored: a failed reply is counted, not a reject */
	for (size_t i = 0; !o->no_reply && i < nn; i++) {
		if (reply(db, t, &news[i], sum, err) == 0)
			continue;
		if (err->code == ST_ECONN) {
			ret = -1;
			break;
		}
		sum->reply_errors++;
		snprintf(sum->reply_error, sizeof(sum->reply_error), "%s",
			 err->message);
		st_error_init(err);
	}
cleanup:
	if (ret < 0)
		st_tenant_rollback(db);
	news_release(news, ev->nmsgs + 1);
	return ret;
}
