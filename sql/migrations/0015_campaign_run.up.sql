-- 0015 campaign_run: what the batch engine (strato-etl campaigns run)
-- keeps beside the send ledger of 0003.
--
-- campaign.occurrence numbers the runs of a recurring campaign: the
-- ledger is unique per campaign, occurrence and lead, so a weekly
-- campaign reaches a lead once a week and never twice in one week.
-- campaign.stats holds the counts of the last occurrence, written when a
-- run ends (and so in the audit diff of that change).
--
-- campaign_send.voice_chars / voice_cached: what the voice cost for the
-- row (characters sent to ElevenLabs; a cache hit costs none).
-- campaign_send_pending: the engine's claim reads only PENDING rows.
--
-- voice_cache: one synthesised audio per tenant and hash of (voice,
-- model, settings, text); the file is on disk under the cache directory
-- by the same hash, so the same text is never paid for twice; uploaded
-- to WhatsApp once a month at most (wa_media_id).
SET LOCAL ROLE strato_owner;

ALTER TABLE strato.campaign
	ADD COLUMN occurrence integer NOT NULL DEFAULT 1 CHECK (occurrence >= 1),
	ADD COLUMN stats jsonb;

ALTER TABLE strato.campaign_send
	ADD COLUMN occurrence integer NOT NULL DEFAULT 1 CHECK (occurrence >= 1),
	ADD COLUMN voice_chars integer NOT NULL DEFAULT 0
		CHECK (voice_chars >= 0),
	ADD COLUMN voice_cached boolean NOT NULL DEFAULT false,
	DROP CONSTRAINT campaign_send_tenant_id_campaign_id_lead_id_key,
	ADD CONSTRAINT campaign_send_once
		UNIQUE (tenant_id, campaign_id, occurrence, lead_id);
CREATE INDEX campaign_send_pending ON strato.campaign_send
	(tenant_id, campaign_id, occurrence, next_attempt_at)
	WHERE estado = 'PENDING';

CREATE TABLE strato.voice_cache (
	tenant_id  uuid NOT NULL REFERENCES strato.tenant (id),
	hash       text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
	voice_id   text NOT NULL,
	model_id   text NOT NULL,
	settings   text NOT NULL DEFAULT '',
	chars      integer NOT NULL CHECK (chars >= 0),
	bytes      bigint NOT NULL CHECK (bytes >= 0),
	format     text NOT NULL,
	hits       bigint NOT NULL DEFAULT 0,
	wa_media_id text,        -- the audio uploaded to WhatsApp, and when:
	wa_media_at timestamptz, -- Meta keeps an upload 30 days
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, hash)
);
CALL strato.fence_tenant_table('strato.voice_cache');
GRANT SELECT ON strato.voice_cache TO strato_agent;
