SET LOCAL ROLE strato_owner;
ALTER TABLE strato.property DROP COLUMN zona_norm;
DROP INDEX strato.property_browse;
