/*
 * campaign-internal.h - what campaign.c shares with campaign-audience.c.
 */
#ifndef STRATO_CAMPAIGN_INTERNAL_H
#define STRATO_CAMPAIGN_INTERNAL_H

#include "strato/campaign.h"

int st_campaign_read(struct st_db *db, const char *tenant_id,
		     const char *ref, struct st_campaign *out,
		     struct st_error *err);

#endif
