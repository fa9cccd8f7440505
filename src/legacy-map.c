/*
 * legacy-map.c - how each legacy column becomes a strato column, and the
 * SQL that follows from it.
 *
 * One table of mappings drives the copy (INSERT ... SELECT with ON CONFLICT
 * DO UPDATE ... WHERE changed) and the verification (the same expressions,
 * as text, hashed on both sides), so the two cannot disagree. Derived
 * columns (the E.164 phone, preferences read from free text, updated_at of
 * tables that had none) are copied but not verified: they are not in the
 * legacy install to compare with.
 *
 * Timestamps: the ORM stored UTC in "timestamp without time zone"; they
 * become timestamptz AT TIME ZONE 'UTC', to the microsecond (the legacy
 * columns hold milliseconds).
 */
#include <stdlib.h>
#include <string.h>

#include "legacy-internal.h"

#define UTC(c) "(l.\"" c "\" AT TIME ZONE 'UTC')"

static const struct legacy_col user_cols[] = {
	{ "id", "l.id", false },
	{ "email", "lower(btrim(l.email))", false },
	{ "nombre", "l.nombre", false },
	{ "password_hash", "l.\"passwordHash\"", false },
	{ "role", "l.role::text", false },
	{ "is_active", "l.\"isActive\"", false },
	{ "created_at", UTC("createdAt"), false },
	{ "updated_at", UTC("updatedAt"), false },
	{ NULL, NULL, false },
};

static const struct legacy_col assistant_cols[] = {
	{ "id", "l.id", false },
	{ "nombre", "l.nombre", false },
	{ "prompt", "l.prompt", false },
	{ "config", "l.config::jsonb", false },
	{ "voice_id", "l.\"voiceId\"", false },
	{ "is_active", "l.\"isActive\"", false },
	{ "created_at", UTC("createdAt"), false },
	{ "updated_at", UTC("updatedAt"), false },
	{ NULL, NULL, false },
};

/* Preferences are read from the legacy free text where it is unambiguous:
 * the lead type gives the operation, the zone list the zones. */
static const struct legacy_col lead_cols[] = {
	{ "id", "l.id", false },
	{ "nombre", "l.nombre", false },
	{ "telefono", "l.telefono", false },
	{ "email", "l.email", false },
	{ "origen", "l.origen", false },
	{ "estado", "l.estado::text", false },
	{ "tipo", "l.tipo::text", false },
	{ "presupuesto", "l.presupuesto", false },
	{ "zona_interes", "l.\"zonaInteres\"", false },
	{ "notas", "l.notas", false },
	{ "tags", "coalesce(l.tags, '{}')", false },
	{ "es_cliente", "l.\"esCliente\"", false },
	{ "opt_out", "l.\"optOut\"", false },
	{ "manychat_id", "l.\"manychatId\"", false },
	{ "uchat_id", "l.\"uchatId\"", false },
	{ "wa_id", "l.\"waId\"", false },
	{ "assigned_to_id", "l.\"assignedToId\"", false },
	{ "created_at", UTC("createdAt"), false },
	{ "updated_at", UTC("updatedAt"), false },
	{ "telefono_e164", "p.e164", true },
	{ "telefono_ambiguo", "coalesce(p.ambiguo, false)", true },
	{ "operacion", "CASE l.tipo::text WHEN 'COMPRADOR' THEN 'VENTA'"
		       " WHEN 'INVERSOR' THEN 'VENTA'"
		       " WHEN 'INQUILINO' THEN 'ALQUILER' END", true },
	{ "zonas", "coalesce(array_remove(array(SELECT btrim(z) FROM"
		   " unnest(string_to_array(l.\"zonaInteres\", ',')) z),"
		   " ''), '{}')", true },
	{ "presupuesto_max", "l.presupuesto", true },
	{ NULL, NULL, false },
};

static const struct legacy_col event_cols[] = {
	{ "id", "l.id", false },
	{ "lead_id", "l.\"leadId\"", false },
	{ "user_id", "l.\"userId\"", false },
	{ "tipo", "l.tipo::text", false },
	{ "titulo", "l.titulo", false },
	{ "fecha", UTC("fecha"), false },
	{ "completado", "l.completado", false },
	{ "notas", "l.notas", false },
	{ "created_at", UTC("createdAt"), false },
	{ "updated_at", UTC("createdAt"), true },
	{ NULL, NULL, false },
};

static const struct legacy_col conversation_cols[] = {
	{ "id", "l.id", false },
	{ "lead_id", "l.\"leadId\"", false },
	{ "assistant_id", "l.\"assistantId\"", false },
	{ "canal", "l.canal::text", false },
	{ "external_id", "l.\"externalId\"", false },
	{ "abierta", "l.abierta", false },
	{ "created_at", UTC("createdAt"), false },
	{ "updated_at", UTC("updatedAt"), false },
	{ NULL, NULL, false },
};

static const struct legacy_col message_cols[] = {
	{ "id", "l.id", false },
	{ "conversation_id", "l.\"conversationId\"", false },
	{ "direccion", "l.direccion::text", false },
	{ "contenido", "l.contenido", false },
	{ "tipo", "l.tipo", false },
	{ "media_url", "l.\"mediaUrl\"", false },
	{ "external_id", "l.\"externalId\"", false },
	{ "estado", "l.estado", false },
	{ "created_at", UTC("createdAt"), false },
	{ "updated_at", UTC("createdAt"), true },
	{ NULL, NULL, false },
};

static const struct legacy_col template_cols[] = {
	{ "id", "l.id", false },
	{ "nombre", "l.nombre", false },
	{ "idioma", "l.idioma", false },
	{ "categoria", "l.categoria", false },
	{ "contenido", "l.contenido", false },
	{ "variables", "l.variables::jsonb", false },
	{ "estado", "l.estado", false },
	{ "created_at", UTC("createdAt"), false },
	{ "updated_at", UTC("updatedAt"), false },
	{ NULL, NULL, false },
};

static const struct legacy_col sync_cols[] = {
	{ "id", "l.id", false },
	{ "lead_id", "l.\"leadId\"", false },
	{ "wa_id", "l.\"waId\"", false },
	{ "last_sync_at", UTC("lastSyncAt"), false },
	{ "estado", "l.estado", false },
	{ "error", "l.error", false },
	{ "created_at", UTC("createdAt"), false },
	{ "updated_at", UTC("createdAt"), true },
	{ NULL, NULL, false },
};

const struct legacy_map legacy_maps[ST_LEGACY_NTABLES] = {
	{ "User", "app_user", user_cols, NULL },
	{ "Assistant", "assistant", assistant_cols, NULL },
	{ "Lead", "lead", lead_cols,
	  "LEFT JOIN pg_temp.legacy_phone p ON p.id = l.id" },
	{ "Event", "event", event_cols, NULL },
	{ "Conversation", "conversation", conversation_cols, NULL },
	{ "Message", "message", message_cols, NULL },
	{ "WhatsAppTemplate", "whatsapp_template", template_cols, NULL },
	{ "WhatsAppSync", "whatsapp_sync", sync_cols, NULL },
};

const char *
st_legacy_table_name(size_t i)
{
	return i < ST_LEGACY_NTABLES ? legacy_maps[i].legacy : NULL;
}

/*
 * The chunked copy of one table: $1 the tenant, $2 the last legacy id of
 * the previous chunk (when after is true). Answers one row: rows read,
 * their last id, rows inserted, rows updated. With upsert, rows whose
 * mapped values did not change are left alone, so a second run with
 * nothing new writes nothing; without it (the tenant has no row in the
 * table yet) a plain INSERT skips the speculative-insertion work.
 */
char *
legacy_sql_upsert(const struct legacy_map *m, const char *schema_ident,
		  bool after, long chunk, bool upsert)
{
	struct st_buf b = ST_BUF_INIT;
	const struct legacy_col *c;

	st_buf_addf(&b, "WITH src AS (SELECT * FROM %s.\"%s\" l%s"
		    " ORDER BY l.id LIMIT %ld),", schema_ident, m->legacy,
		    after ? " WHERE l.id > $2" : "", chunk);
	st_buf_addf(&b, " ins AS (INSERT INTO strato.%s AS t (tenant_id",
		    m->target);
	for (c = m->cols; c->col; c++)
		st_buf_addf(&b, ", %s", c->col);
	st_buf_addstr(&b, ") SELECT $1::uuid");
	for (c = m->cols; c->col; c++)
		st_buf_addf(&b, ", %s", c->expr);
	st_buf_addf(&b, " FROM src l %s", m->join ? m->join : "");
	if (!upsert)
		goto returning;
	st_buf_addstr(&b, " ON CONFLICT (tenant_id, id) DO UPDATE SET ");
	for (c = m->cols + 1; c->col; c++)
		st_buf_addf(&b, "%s%s = EXCLUDED.%s", c == m->cols + 1 ? "" : ", ",
			    c->col, c->col);
	st_buf_addstr(&b, " WHERE (");
	for (c = m->cols + 1; c->col; c++)
		st_buf_addf(&b, "%st.%s", c == m->cols + 1 ? "" : ", ", c->col);
	st_buf_addstr(&b, ") IS DISTINCT FROM (");
	for (c = m->cols + 1; c->col; c++)
		st_buf_addf(&b, "%sEXCLUDED.%s", c == m->cols + 1 ? "" : ", ",
			    c->col);
	st_buf_addch(&b, ')');
returning:
	st_buf_addstr(&b, " RETURNING (t.xmax = 0) AS inserted)"
		      " SELECT (SELECT count(*) FROM src),"
		      " (SELECT max(id) FROM src),"
		      " count(*) FILTER (WHERE inserted),"
		      " count(*) FILTER (WHERE NOT inserted) FROM ins");
	return st_buf_detach(&b);
}

/*
 * count(*) and an order-independent checksum of one side: the sum of the
 * first 64 bits of md5(ROW(col::text, ...)::text) over all rows. ROW's
 * text form tells NULL from "" and quotes separators, so different rows
 * cannot be made to print alike. legacy_side picks the expressions.
 */
char *
legacy_sql_checksum(const struct legacy_map *m, const char *schema_ident,
		    bool legacy_side)
{
	struct st_buf b = ST_BUF_INIT;
	bool first = true;

	st_buf_addstr(&b, "SELECT count(*), coalesce(sum(('x' || left(md5(ROW(");
	for (const struct legacy_col *c = m->cols; c->col; c++) {
		if (c->derived)
			continue;
		if (legacy_side)
			st_buf_addf(&b, "%s(%s)::text", first ? "" : ", ", c->expr);
		else
			st_buf_addf(&b, "%st.%s::text", first ? "" : ", ", c->col);
		first = false;
	}
	st_buf_addstr(&b, ")::text), 16))::bit(64)::bigint::numeric), 0)::text");
	if (legacy_side)
		st_buf_addf(&b, " FROM %s.\"%s\" l", schema_ident, m->legacy);
	else
		st_buf_addf(&b, " FROM strato.%s t WHERE t.tenant_id = $1",
			    m->target);
	return st_buf_detach(&b);
}
