-- 0014 outbox: an outbound message waits as QUEUED until a send through
-- the lead's channel answers. It is claimed (SENDING, claimed_at) in a
-- committed transaction before the provider is called, and only the
-- provider's answer moves it on: SENT, FAILED, back to QUEUED with its
-- next attempt (nothing went out), or UNKNOWN (it may have gone out; never
-- resent blindly). A SENDING row older than a run's patience is one a
-- crash left behind: UNKNOWN.
SET LOCAL ROLE strato_owner;
ALTER TABLE strato.message
	ADD COLUMN attempts        smallint NOT NULL DEFAULT 0
	                           CHECK (attempts >= 0),
	ADD COLUMN next_attempt_at timestamptz,
	ADD COLUMN claimed_at      timestamptz;
-- what `strato-etl outbox run` reads: the due and the in-flight rows
CREATE INDEX message_outbox ON strato.message
	(tenant_id, next_attempt_at NULLS FIRST, created_at)
	WHERE direccion = 'SALIENTE' AND estado IN ('QUEUED', 'SENDING');
