-- 0008 property: keyset browsing of the property catalogue, newest first,
-- the way leads are browsed (property list pages on (created_at, id)).
-- The ranking needs nothing new: its pre-filter uses property_match
-- (tenant_id, operacion, tipo, precio) WHERE estado = 'DISPONIBLE', with
-- the lead's unstated operation or type given as every value (= ANY), so
-- the price range still bounds the index scan.
SET LOCAL ROLE strato_owner;

CREATE INDEX property_browse ON strato.property
	(tenant_id, created_at DESC, id DESC);
