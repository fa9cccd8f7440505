-- 0013 match_recent: property match reads its candidates newest first,
-- per zone and number of rooms, instead of scoring every property that
-- passes the pre-filter.
--
-- property_match_zona: the available properties of one folded zone and
-- one number of rooms, newest first; property_match_rooms: the same for
-- every zone. Both carry what the pre-filter and the score read
-- (index-only scans). src/match.c takes the newest few of each such
-- group, scores them, and from the score of the N-th best derives, per
-- group, how old a property can be and still reach the top N; only the
-- properties newer than that are then scored.
SET LOCAL ROLE strato_owner;

CREATE INDEX property_match_zona ON strato.property
	(tenant_id, zona_norm, ambientes, publicado_at DESC)
	INCLUDE (id, operacion, tipo, moneda, precio_centavos)
	WHERE estado = 'DISPONIBLE';
CREATE INDEX property_match_rooms ON strato.property
	(tenant_id, ambientes, publicado_at DESC)
	INCLUDE (id, operacion, tipo, moneda, precio_centavos, zona_norm)
	WHERE estado = 'DISPONIBLE';
