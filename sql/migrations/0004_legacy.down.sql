SET LOCAL ROLE strato_owner;
DROP FUNCTION strato.purge_empty_tenant(uuid);
DROP TABLE strato.legacy_migration;
DROP INDEX strato.lead_phone_unique;
ALTER TABLE strato.lead DROP COLUMN telefono_ambiguo;
REVOKE SELECT ON strato.app_user FROM strato_agent;
GRANT SELECT ON strato.app_user TO strato_agent;
ALTER TABLE strato.app_user DROP COLUMN password_hash;
