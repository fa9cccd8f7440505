/*
 * campaign-internal.h - what campaign.c shares with campaign-audience.c and
 * the batch engine (campaign-run*.c).
 */
#ifndef STRATO_CAMPAIGN_INTERNAL_H
#define STRATO_CAMPAIGN_INTERNAL_H

#include "strato/campaign.h"

/*
 * The audience of a config as a condition on lead l: $2 is the config's
 * audience object. An absent or empty list filters nothing, nor does an
 * absent es_cliente, inactive_days (no activity for that many days) or
 * created_from / created_to (dates, the second included); opted-out and
 * deleted leads are never in it. Shared by preview and stats, and the
 * batch engine's fill of the ledger must say the same.
 */
#define AUD_LIST(k) "jsonb_array_length(coalesce($2::jsonb -> '" k "'," \
	" '[]')) = 0"
#define AUD_ELEMS(k) "SELECT jsonb_array_elements_text($2::jsonb -> '" k "')"
#define AUDIENCE_COND \
	"(l.deleted_at IS NULL AND NOT l.opt_out" \
	" AND (" AUD_LIST("estado") " OR l.estado IN (" \
	AUD_ELEMS("estado") "))" \
	" AND (" AUD_LIST("tipo") " OR l.tipo IN (" AUD_ELEMS("tipo") "))" \
	" AND (" AUD_LIST("tags") " OR l.tags && ARRAY(" \
	AUD_ELEMS("tags") "))" \
	" AND (" AUD_LIST("origen") " OR lower(l.origen) IN (SELECT lower(o)" \
	"   FROM jsonb_array_elements_text($2::jsonb -> 'origen') o))" \
	" AND (" AUD_LIST("zonas") " OR EXISTS (SELECT 1 FROM" \
	"   jsonb_array_elements_text($2::jsonb -> 'zonas') z" \
	"   WHERE lower(z) = lower(l.zona_interes)" \
	"   OR lower(z) IN (SELECT lower(x) FROM unnest(l.zonas) x)))" \
	" AND ($2::jsonb -> 'es_cliente' IS NULL" \
	"   OR l.es_cliente = ($2::jsonb ->> 'es_cliente')::boolean)" \
	" AND ($2::jsonb -> 'inactive_days' IS NULL" \
	"   OR coalesce(l.last_activity_at, l.created_at) < now() -" \
	"   make_interval(days => ($2::jsonb ->> 'inactive_days')::int))" \
	" AND ($2::jsonb ->> 'created_from' IS NULL" \
	"   OR l.created_at >= ($2::jsonb ->> 'created_from')::date)" \
	" AND ($2::jsonb ->> 'created_to' IS NULL" \
	"   OR l.created_at < ($2::jsonb ->> 'created_to')::date + 1)" \
	" AND (" AUD_LIST("leads") " OR l.id IN (" AUD_ELEMS("leads") ")))"

int st_campaign_read(struct st_db *db, const char *tenant_id,
		     const char *ref, struct st_campaign *out,
		     struct st_error *err);

#endif
