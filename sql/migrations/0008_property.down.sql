SET LOCAL ROLE strato_owner;
DROP INDEX strato.property_match_moneda;
ALTER TABLE strato.property DROP COLUMN precio_centavos;
ALTER TABLE strato.property DROP COLUMN zona_norm;
DROP INDEX strato.property_browse;
