SET LOCAL ROLE strato_owner;

DROP TABLE strato.voice_cache;
DROP INDEX strato.campaign_send_pending;
DELETE FROM strato.campaign_send WHERE occurrence > 1;
ALTER TABLE strato.campaign_send
	DROP CONSTRAINT campaign_send_once,
	ADD CONSTRAINT campaign_send_tenant_id_campaign_id_lead_id_key
		UNIQUE (tenant_id, campaign_id, lead_id),
	DROP COLUMN voice_cached,
	DROP COLUMN voice_chars,
	DROP COLUMN occurrence;
ALTER TABLE strato.campaign
	DROP COLUMN stats,
	DROP COLUMN occurrence;
