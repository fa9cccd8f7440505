-- 0008 property: what browsing and ranking the catalogue need.
--
-- property_browse: keyset pages of property list, newest first, the way
-- leads are browsed (created_at, id).
-- zona_norm: the zone folded for comparison (lower case, no accents, no
-- surrounding blanks), stored, so that property match compares it with
-- the lead's zones without calling unaccent for every candidate.
-- The ranking's pre-filter needs no new index: property_match (tenant_id,
-- operacion, tipo, precio) WHERE estado = 'DISPONIBLE' serves it, a lead's
-- unstated operation or type being given as every value (= ANY).
SET LOCAL ROLE strato_owner;

CREATE INDEX property_browse ON strato.property
	(tenant_id, created_at DESC, id DESC);
ALTER TABLE strato.property ADD COLUMN zona_norm text
	GENERATED ALWAYS AS (strato.f_unaccent(lower(btrim(zona)))) STORED;
