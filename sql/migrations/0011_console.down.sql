SET LOCAL ROLE strato_owner;
DROP POLICY lead_visibility ON strato.lead;
DROP FUNCTION strato.sees_all_leads();
REVOKE UPDATE (role) ON strato.app_user FROM strato_rolemgr;
RESET ROLE;
DROP FUNCTION strato.set_user_role(uuid, text, text);
SET LOCAL ROLE strato_owner;
