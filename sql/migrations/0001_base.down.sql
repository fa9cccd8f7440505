-- Reverts 0001. Roles and extensions are cluster- or database-wide and may
-- serve others: they stay (see strato-etl(1)).
SET LOCAL ROLE strato_owner;
DROP TABLE strato.audit_log;
DROP TABLE strato.login_map;
DROP TABLE strato.app_user;
DROP TABLE strato.tenant;
DROP PROCEDURE strato.fence_tenant_table(regclass);
DROP FUNCTION strato.stamp_audit();
DROP FUNCTION strato.may_admin_tenant(uuid);
DROP FUNCTION strato.current_app_user_id();
DROP FUNCTION strato.current_tenant_id();
DROP FUNCTION strato.sync_login_map();
DROP FUNCTION strato.touch_updated_at();
RESET ROLE;
DROP FUNCTION strato.create_login(uuid, text, text, text);
DROP FUNCTION strato.set_user_active(uuid, text, boolean);
REVOKE USAGE ON SCHEMA strato FROM strato_service, strato_agent, strato_rolemgr;
REVOKE SELECT ON strato.schema_migrations FROM strato_service;
ALTER SCHEMA strato OWNER TO CURRENT_USER;
