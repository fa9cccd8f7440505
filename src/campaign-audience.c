/*
 * campaign-audience.c - who a campaign reaches and what they read: the
 * preview of a recipient's message and the counts of the send ledger.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "campaign-internal.h"
#include "db-internal.h"
#include "strato/campaign.h"
#include "strato/personalize.h"
#include "strato/tenant.h"

/*
 * Free a preview's strings and zero it; NULL is fine.
 */
void
st_campaign_preview_release(struct st_campaign_preview *p)
{
	if (!p)
		return;
	free(p->campaign);
	free(p->lead_id);
	free(p->lead);
	free(p->channel);
	free(p->text);
	free(p->template_nombre);
	free(p->variables);
	memset(p, 0, sizeof(*p));
}

/*
 * Free a stats record's strings and zero it; NULL is fine.
 */
void
st_campaign_stats_release(struct st_campaign_stats *s)
{
	if (!s)
		return;
	free(s->campaign);
	free(s->estado);
	free(s->reasons);
	memset(s, 0, sizeof(*s));
}

/* The audience object of config text, as JSON text ("{}" without). */
static char *
audience_of(const char *config)
{
	json_t *j = json_loads(config ? config : "{}", 0, NULL);
	json_t *a = json_object_get(j, "audience");
	char *s = json_is_object(a) ? json_dumps(a, JSON_COMPACT) : NULL;

	json_decref(j);
	return s ? s : st_xstrdup("{}");
}

/* Render text and the template's variables for the row's lead. */
static int
render(struct st_campaign_preview *p, json_t *cfg,
       const struct st_personalize_vars *v, struct st_error *err)
{
	json_t *msg = json_object_get(cfg, "message");
	json_t *tpl = json_object_get(msg, "template");
	const char *text = json_string_value(json_object_get(msg, "text"));
	json_t *vars, *item, *out = NULL;
	size_t i;

	p->channel = json_string_value(json_object_get(cfg, "channel")) ?
		st_xstrdup(json_string_value(json_object_get(cfg, "channel")))
		: NULL;
	p->voice = json_is_true(json_object_get(json_object_get(cfg, "voice"),
						"enabled"));
	if (text && !(p->text = st_personalize_render(text, v, err)))
		return -1;
	if (!tpl)
		return 0;
	p->template_nombre = st_xstrdup(json_string_value(
		json_object_get(tpl, "nombre")));
	vars = json_object_get(tpl, "variables");
	out = json_array();
	json_array_foreach(vars, i, item) {
		char *r = st_personalize_render(json_string_value(item), v,
						err);

		if (!r) {
			json_decref(out);
			return -1;
		}
		json_array_append_new(out, json_string(r));
		free(r);
	}
	p->variables = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	return 0;
}

/* The recipient's row: lead fields, agent, tenant, assistant, audience. */
static PGresult *
preview_row(struct st_db *db, const char *tenant_id, const char *audience,
	    const char *lead_id, struct st_error *err)
{
	return st_db_query(db, "SELECT l.id, l.nombre,"
		" coalesce(l.zona_interes, l.zonas[1]), l.telefono_e164,"
		" l.email, l.operacion, l.tipo_propiedad, u.nombre, t.nombre,"
		" (SELECT a.nombre FROM strato.assistant a"
		"  WHERE a.tenant_id = l.tenant_id AND a.is_active"
		"  ORDER BY a.updated_at DESC LIMIT 1), " AUDIENCE_COND
		" FROM strato.lead l JOIN strato.tenant t ON t.id = l.tenant_id"
		" LEFT JOIN strato.app_user u ON u.tenant_id = l.tenant_id"
		" AND u.id = l.assigned_to_id"
		" WHERE l.tenant_id = $1 AND CASE WHEN $3::text IS NULL THEN "
		AUDIENCE_COND " ELSE l.id = $3 AND l.deleted_at IS NULL END"
		" ORDER BY l.created_at, l.id LIMIT 1", 3,
		(const char *const[]){ tenant_id, audience, lead_id }, err);
}

/*
 * Render one recipient's message: the lead row brings every placeholder's
 * value and whether the lead is in the audience. Reads only.
 */
int
st_campaign_preview(struct st_db *db, const char *tenant_id, const char *ref,
		    const char *lead_id, struct st_campaign_preview *out,
		    struct st_error *err)
{
	struct st_personalize_vars v;
	struct st_campaign c;
	PGresult *res = NULL;
	char *audience = NULL;
	json_t *cfg = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (st_campaign_read(db, tenant_id, ref, &c, err) < 0)
		goto cleanup;
	audience = audience_of(c.config);
	if (!(res = preview_row(db, tenant_id, audience, lead_id, err)))
		goto cleanup;
	if (PQntuples(res) == 0) {
		if (lead_id)
			st_error_set(err, ST_ENOTFOUND, "lead \"%s\" does not "
				     "exist", lead_id);
		else
			st_error_set(err, ST_ENOTFOUND, "the audience of "
				     "campaign \"%s\" is empty", c.nombre);
		goto cleanup;
	}
	v = (struct st_personalize_vars){
		.nombre = PQgetvalue(res, 0, 1),
		.zona = PQgetvalue(res, 0, 2),
		.telefono = PQgetvalue(res, 0, 3),
		.email = PQgetvalue(res, 0, 4),
		.operacion = PQgetvalue(res, 0, 5),
		.tipo_propiedad = PQgetvalue(res, 0, 6),
		.agente = PQgetvalue(res, 0, 7),
		.inmobiliaria = PQgetvalue(res, 0, 8),
		.asistente = PQgetvalue(res, 0, 9),
	};
	out->campaign = st_xstrdup(c.nombre);
	out->lead_id = st_db_dup(res, 0, 0);
	out->lead = st_db_dup(res, 0, 1);
	out->in_audience = st_db_bool(res, 0, 10);
	cfg = json_loads(c.config, 0, NULL);
	if (render(out, cfg, &v, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_campaign_preview_release(out);
	}
	json_decref(cfg);
	PQclear(res);
	free(audience);
	st_campaign_release(&c);
	return ret;
}

/*
 * Count the ledger rows by estado and the audience as it is now, in one
 * statement (one snapshot).
 */
int
st_campaign_stats(struct st_db *db, const char *tenant_id, const char *ref,
		  struct st_campaign_stats *out, struct st_error *err)
{
	long long *n[] = { &out->audience, &out->total, &out->pending,
			   &out->sending, &out->sent, &out->failed,
			   &out->skipped, &out->unknown, &out->retries,
			   &out->voice_chars, &out->voice_hits };
	struct st_campaign c;
	PGresult *res = NULL;
	char *audience = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (st_campaign_read(db, tenant_id, ref, &c, err) < 0)
		goto cleanup;
	audience = audience_of(c.config);
	res = st_db_query(db, "SELECT (SELECT count(*) FROM strato.lead l"
		" WHERE l.tenant_id = $1 AND " AUDIENCE_COND "), count(*),"
		" count(*) FILTER (WHERE estado = 'PENDING'),"
		" count(*) FILTER (WHERE estado = 'SENDING'),"
		" count(*) FILTER (WHERE estado = 'SENT'),"
		" count(*) FILTER (WHERE estado = 'FAILED'),"
		" count(*) FILTER (WHERE estado = 'SKIPPED'),"
		" count(*) FILTER (WHERE estado = 'UNKNOWN'),"
		" coalesce(sum(greatest(attempts - 1, 0)), 0),"
		" coalesce(sum(voice_chars), 0),"
		" count(*) FILTER (WHERE voice_cached),"
		" coalesce((SELECT jsonb_object_agg(r.reason, r.n) FROM"
		"  (SELECT reason, count(*) AS n FROM strato.campaign_send"
		"  WHERE tenant_id = $1 AND campaign_id = $3"
		"  AND reason IS NOT NULL GROUP BY reason) r), '{}')::text"
		" FROM strato.campaign_send"
		" WHERE tenant_id = $1 AND campaign_id = $3", 3,
		(const char *const[]){ tenant_id, audience, c.id }, err);
	if (!res)
		goto cleanup;
	for (size_t i = 0; i < ST_ARRAY_SIZE(n); i++)
		*n[i] = strtoll(PQgetvalue(res, 0, (int)i), NULL, 10);
	out->reasons = st_db_dup(res, 0, (int)ST_ARRAY_SIZE(n));
	out->campaign = st_xstrdup(c.nombre);
	out->estado = st_xstrdup(c.estado);
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_campaign_stats_release(out);
	}
	PQclear(res);
	free(audience);
	st_campaign_release(&c);
	return ret;
}
