-- 0004 legacy: what moving a single-tenant install in needs. The legacy
-- users' password hashes (for the web application, never readable by
-- agents), phone uniqueness that tolerates the ambiguous numbers an old
-- install may hold, and the bookkeeping of the default-tenant migration.

SET LOCAL ROLE strato_owner;

ALTER TABLE strato.app_user ADD COLUMN password_hash text;
REVOKE SELECT ON strato.app_user FROM strato_agent;
GRANT SELECT (tenant_id, id, email, nombre, role, login, is_active,
	      created_at, updated_at) ON strato.app_user TO strato_agent;

-- A normalised phone identifies one lead per tenant, except where an old
-- install already had several leads whose numbers normalise alike: those
-- are kept, marked ambiguous, and listed for a person to merge.
ALTER TABLE strato.lead
	ADD COLUMN telefono_ambiguo boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX lead_phone_unique ON strato.lead (tenant_id, telefono_e164)
	WHERE telefono_e164 IS NOT NULL AND NOT telefono_ambiguo
	AND deleted_at IS NULL;

-- One row per tenant and legacy schema moved into it.
CREATE TABLE strato.legacy_migration (
	tenant_id      uuid NOT NULL REFERENCES strato.tenant (id),
	id             text NOT NULL,        -- the legacy schema's name
	tenant_created boolean NOT NULL,
	copied_at      timestamptz,
	copy_counts    jsonb,
	verified_at    timestamptz,
	verify_ok      boolean,
	verify_result  jsonb,
	cutover_at     timestamptz,
	cutover_acl    jsonb,
	created_at     timestamptz NOT NULL DEFAULT now(),
	updated_at     timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id)
);
CALL strato.fence_tenant_table('strato.legacy_migration');
GRANT SELECT ON strato.legacy_migration TO strato_agent;

-- Remove a tenant that holds nothing but its audit trail and legacy
-- bookkeeping (the undo of a copy that created it). Runs as the owner,
-- which alone may delete audit rows; still under the tenant's RLS scope,
-- so the caller must have selected that tenant.
CREATE FUNCTION strato.purge_empty_tenant(p_tenant uuid) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, strato, pg_temp AS $$
DECLARE
	t text;
	n bigint;
	total bigint := 0;
BEGIN
	IF current_tenant_id() IS DISTINCT FROM p_tenant THEN
		RAISE EXCEPTION 'select the tenant before purging it'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	FOR t IN SELECT c.relname FROM pg_class c
		  JOIN pg_attribute a ON a.attrelid = c.oid
		 WHERE c.relnamespace = 'strato'::regnamespace
		   AND c.relkind = 'r' AND a.attname = 'tenant_id'
		   AND c.relname NOT IN ('audit_log', 'legacy_migration', 'login_map')
	LOOP
		EXECUTE format('SELECT count(*) FROM strato.%I WHERE tenant_id = $1', t)
			INTO n USING p_tenant;
		total := total + n;
	END LOOP;
	IF total > 0 THEN
		RETURN total;
	END IF;
	DELETE FROM strato.audit_log WHERE tenant_id = p_tenant;
	DELETE FROM strato.legacy_migration WHERE tenant_id = p_tenant;
	DELETE FROM strato.tenant WHERE id = p_tenant;
	RETURN 0;
END
$$;
REVOKE ALL ON FUNCTION strato.purge_empty_tenant(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION strato.purge_empty_tenant(uuid) TO strato_service;
