SET LOCAL ROLE strato_owner;

ALTER TABLE strato.campaign DROP COLUMN filling_occurrence;
