-- 0016 lead sort: browsing by name, A to Z, keyset-paged like the
-- newest-first order (lead_browse).
SET LOCAL ROLE strato_owner;
CREATE INDEX lead_by_name ON strato.lead (tenant_id, nombre, id)
	WHERE deleted_at IS NULL;
