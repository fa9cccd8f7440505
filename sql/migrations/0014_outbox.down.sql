SET LOCAL ROLE strato_owner;
DROP INDEX strato.message_outbox;
ALTER TABLE strato.message
	DROP COLUMN claimed_at,
	DROP COLUMN next_attempt_at,
	DROP COLUMN attempts;
