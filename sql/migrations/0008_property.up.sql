-- 0008 property: what browsing and ranking the catalogue need.
--
-- property_browse: keyset pages of property list, newest first, the way
-- leads are browsed (created_at, id).
-- zona_norm: the zone folded for comparison (lower case, no accents, no
-- surrounding blanks), stored, so that property match compares it with
-- the lead's zones without calling unaccent for every candidate.
-- property_match_moneda: property_match (0002) with moneda before precio,
-- so the pre-filter's price window in each currency is one index range;
-- a lead's unstated operation or type is given as every value (= ANY).
SET LOCAL ROLE strato_owner;

CREATE INDEX property_browse ON strato.property
	(tenant_id, created_at DESC, id DESC);
ALTER TABLE strato.property ADD COLUMN zona_norm text
	GENERATED ALWAYS AS (strato.f_unaccent(lower(btrim(zona)))) STORED;
-- The ranking's pre-filter asks for a price window in each currency: with
-- moneda in the key each window is one range of the index.
CREATE INDEX property_match_moneda ON strato.property
	(tenant_id, operacion, tipo, moneda, precio) WHERE estado = 'DISPONIBLE';
