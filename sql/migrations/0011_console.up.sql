-- 0011 console: changing a user's role, and the tenant setting
-- lead_visibility ("assigned": agents see only their leads and the
-- unassigned ones), enforced by the server rather than by the client.
SET LOCAL ROLE strato_owner;

-- Change a user's role and its login's group together. Owned by
-- strato_rolemgr, which holds both groups WITH ADMIN OPTION.
CREATE FUNCTION strato.set_user_role(p_tenant uuid, p_user text,
				     p_role text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, strato, pg_temp AS $$
DECLARE
	l text;
BEGIN
	IF NOT strato.may_admin_tenant(p_tenant) THEN
		RAISE EXCEPTION 'permission denied to manage users of this tenant'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF p_role IS NULL OR p_role NOT IN ('ADMIN', 'AGENT') THEN
		RAISE EXCEPTION 'invalid role "%"', p_role
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Use admin or agent.';
	END IF;
	SELECT u.login INTO l FROM strato.app_user u
	 WHERE u.tenant_id = p_tenant AND u.id = p_user;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'user % does not exist in this tenant', p_user
			USING ERRCODE = 'no_data_found';
	END IF;
	IF l = session_user THEN
		RAISE EXCEPTION 'a user cannot change its own role'
			USING ERRCODE = 'insufficient_privilege',
			      HINT = 'Ask another tenant admin or a platform admin.';
	END IF;
	UPDATE strato.app_user SET role = p_role
	 WHERE tenant_id = p_tenant AND id = p_user;
	IF l IS NOT NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles
				     WHERE rolname = l) THEN
		EXECUTE format('GRANT %I TO %I', CASE p_role WHEN 'ADMIN'
			       THEN 'strato_tenant_admin' ELSE 'strato_agent' END, l);
		EXECUTE format('REVOKE %I FROM %I', CASE p_role WHEN 'ADMIN'
			       THEN 'strato_agent' ELSE 'strato_tenant_admin' END, l);
	END IF;
END
$$;
REVOKE ALL ON FUNCTION strato.set_user_role(uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION strato.set_user_role(uuid, text, text)
	TO strato_service, strato_tenant_admin;
GRANT UPDATE (role) ON strato.app_user TO strato_rolemgr;

-- Does this session see every lead of its tenant? Everyone does but an
-- agent (not a tenant admin) of a tenant whose lead_visibility is
-- "assigned".
CREATE FUNCTION strato.sees_all_leads() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, strato, pg_temp AS $$
	SELECT NOT EXISTS (
		SELECT 1 FROM strato.login_map m
		  JOIN strato.tenant t ON t.id = m.tenant_id
		 WHERE m.login = session_user
		   AND t.config ->> 'lead_visibility' = 'assigned'
		   AND NOT pg_has_role(session_user, 'strato_tenant_admin',
				       'MEMBER'))
$$;
REVOKE ALL ON FUNCTION strato.sees_all_leads() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION strato.sees_all_leads()
	TO strato_service, strato_agent;

-- Restrictive: they can only narrow what tenant_isolation lets through.
-- The sub-selects run once per statement, not once per row. An agent may
-- hand a lead on to someone else (no check on the new row), but can
-- neither read, change nor delete a lead it does not see, nor anything
-- hanging from one.
CREATE POLICY lead_visibility ON strato.lead AS RESTRICTIVE FOR SELECT
	USING ((SELECT strato.sees_all_leads())
	       OR assigned_to_id IS NULL
	       OR assigned_to_id = (SELECT strato.current_app_user_id()));
CREATE POLICY lead_visibility_update ON strato.lead AS RESTRICTIVE FOR UPDATE
	USING ((SELECT strato.sees_all_leads())
	       OR assigned_to_id IS NULL
	       OR assigned_to_id = (SELECT strato.current_app_user_id()))
	WITH CHECK (true);
CREATE POLICY lead_visibility_delete ON strato.lead AS RESTRICTIVE FOR DELETE
	USING ((SELECT strato.sees_all_leads())
	       OR assigned_to_id IS NULL
	       OR assigned_to_id = (SELECT strato.current_app_user_id()));
-- Rows of a lead: visible when the lead is (its own policy applies inside).
CREATE POLICY lead_visibility ON strato.event AS RESTRICTIVE
	USING ((SELECT strato.sees_all_leads()) OR EXISTS (SELECT 1
		FROM strato.lead l WHERE l.tenant_id = event.tenant_id
		AND l.id = event.lead_id));
CREATE POLICY lead_visibility ON strato.conversation AS RESTRICTIVE
	USING ((SELECT strato.sees_all_leads()) OR EXISTS (SELECT 1
		FROM strato.lead l WHERE l.tenant_id = conversation.tenant_id
		AND l.id = conversation.lead_id));
CREATE POLICY lead_visibility ON strato.message AS RESTRICTIVE
	USING ((SELECT strato.sees_all_leads()) OR EXISTS (SELECT 1
		FROM strato.conversation c WHERE c.tenant_id = message.tenant_id
		AND c.id = message.conversation_id));
CREATE POLICY lead_visibility ON strato.campaign_send AS RESTRICTIVE
	USING ((SELECT strato.sees_all_leads()) OR EXISTS (SELECT 1
		FROM strato.lead l WHERE l.tenant_id = campaign_send.tenant_id
		AND l.id = campaign_send.lead_id));
CREATE POLICY lead_visibility ON strato.whatsapp_sync AS RESTRICTIVE
	USING ((SELECT strato.sees_all_leads()) OR EXISTS (SELECT 1
		FROM strato.lead l WHERE l.tenant_id = whatsapp_sync.tenant_id
		AND l.id = whatsapp_sync.lead_id));

RESET ROLE;
ALTER FUNCTION strato.set_user_role(uuid, text, text) OWNER TO strato_rolemgr;
SET LOCAL ROLE strato_owner;
