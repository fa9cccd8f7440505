-- 0008 property: what browsing and ranking the catalogue need.
--
-- property_browse: keyset pages of property list, newest first, the way
-- leads are browsed (created_at, id).
-- zona_norm: the zone folded for comparison (lower case, no accents, no
-- surrounding blanks), stored, so that property match compares it with
-- the lead's zones without calling unaccent for every candidate.
-- precio_centavos: the price as a bigint. Under Row-Level Security a
-- query's condition can only become an index condition when its operator
-- is leakproof, and numeric's comparisons are not (int8's are): on
-- precio, property_match (0002) can narrow by operation and type only.
-- property_match_moneda: operation, type, currency, then the price in
-- centavos, so the pre-filter's price window in each currency is one index
-- range (a lead's unstated operation or type is given as every value,
-- = ANY); it carries what the score reads, so that scoring the candidates
-- is an index-only scan and only the best few rows are read from the table.
SET LOCAL ROLE strato_owner;

CREATE INDEX property_browse ON strato.property
	(tenant_id, created_at DESC, id DESC);
ALTER TABLE strato.property ADD COLUMN zona_norm text
	GENERATED ALWAYS AS (strato.f_unaccent(lower(btrim(zona)))) STORED;
-- The ranking's pre-filter asks for a price window in each currency: with
-- moneda in the key each window is one range of the index.
ALTER TABLE strato.property ADD COLUMN precio_centavos bigint
	GENERATED ALWAYS AS (round(precio * 100)::bigint) STORED;
CREATE INDEX property_match_moneda ON strato.property
	(tenant_id, operacion, tipo, moneda, precio_centavos)
	INCLUDE (zona_norm, ambientes, publicado_at, id)
	WHERE estado = 'DISPONIBLE';
