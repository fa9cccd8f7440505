/*
 * campaign-config.h - the shape of a campaign's config, checked.
 *
 * A campaign's config (strato.campaign.config, jsonb) says who receives
 * it, through which channel, what they read or hear, and how fast and
 * when it may be sent. strato-campaign(5) documents the shape; in short:
 *
 *   audience  {estado[], tipo[], tags[], zonas[], origen[], es_cliente,
 *             inactive_days, created_from, created_to, leads[]} (opt-out
 *             leads are always left out; an empty or absent list is no
 *             filter)
 *   channel   MANYCHAT | UCHAT | WHATSAPP
 *   message   {text, template {nombre, idioma, variables[]}}
 *   voice     {enabled, voice_id, fallback}
 *   throttle  {per_minute}
 *   window    {start "HH:MM", end "HH:MM", timezone, days[]}
 *
 * Checking is pure (no database) so the batch engine, the console and the
 * tests agree on it. Every error message starts with the path of the
 * field at fault, e.g. `config.audience.estado[1]: "NUEVOO" is not a lead
 * estado (...)`. Enumerations are accepted in any case and stored upper
 * case. A draft may be incomplete; a campaign about to be scheduled must
 * be complete (a channel and something to send).
 */
#ifndef STRATO_CAMPAIGN_CONFIG_H
#define STRATO_CAMPAIGN_CONFIG_H

#include <stdbool.h>

#include <jansson.h>

#include "strato/error.h"

/*
 * Check config (a JSON object) and normalise it in place. With complete,
 * also require what sending needs. 0, or -1 with ST_EINVAL.
 */
int st_campaign_config_check(json_t *config, bool complete,
			     struct st_error *err);

/*
 * Parse a config document (the text of --config-file); source names it in
 * errors. A new reference to an object, or NULL with ST_EINVAL.
 */
json_t *st_campaign_config_parse(const char *text, const char *source,
				 struct st_error *err);

/*
 * Apply one "key=value" assignment to config, the key a dotted path
 * ("audience.estado", "message.text"). Lists take comma-separated values,
 * voice.enabled true or false, throttle.per_minute a number; an empty
 * value removes the key. An unknown key is ST_EINVAL with the keys in the
 * hint. The result is not checked: call st_campaign_config_check().
 */
int st_campaign_config_set(json_t *config, const char *assignment,
			   struct st_error *err);

/* The keys --set knows, comma-separated. */
const char *st_campaign_config_keys(void);

#endif
