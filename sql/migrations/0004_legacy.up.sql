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
