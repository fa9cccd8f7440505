-- 0010 lead: the writing verbs of the console. Hard deletion of a lead
-- becomes a platform admin's act (agents and tenant admins soft-delete, or
-- merge), and merging two leads is one audited function, so that the only
-- way an agent removes a lead row leaves its history on the survivor and a
-- line in the audit log.
SET LOCAL ROLE strato_owner;

-- Agents (and tenant admins, who are agents too) keep SELECT, INSERT and
-- UPDATE; nothing an agent does deletes a lead row except merge_lead().
REVOKE DELETE ON strato.lead FROM strato_agent;

-- Merge lead p_other into lead p_keep, in the caller's transaction and
-- tenant: events, conversations (their messages go with them), campaign
-- sends and the WhatsApp sync move to the survivor (where both have a send
-- of one campaign, or both a sync row, the survivor's stays and the other's
-- goes); the survivor's empty fields are filled from the other, tags and
-- zones united, custom merged (the survivor wins); the other lead is
-- deleted and the merge recorded in the audit log. Returns that record.
-- SECURITY DEFINER so an agent may move campaign sends and delete the
-- merged row; RLS still applies (the tables force it on their owner too),
-- and the tenant must be the session's.
CREATE FUNCTION strato.merge_lead(p_tenant uuid, p_keep text, p_other text)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, strato, pg_temp AS $$
DECLARE
	k strato.lead;
	o strato.lead;
	n strato.lead;
	nev bigint;
	ncv bigint;
	ncs bigint;
	dcs bigint;
	nws bigint;
	dws bigint;
	rec jsonb;
	no_phone boolean;
	no_budget boolean;
BEGIN
	IF current_tenant_id() IS DISTINCT FROM p_tenant THEN
		RAISE EXCEPTION 'select the tenant before merging its leads'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF p_keep = p_other THEN
		RAISE EXCEPTION 'cannot merge lead "%" into itself', p_keep
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT * INTO k FROM lead WHERE tenant_id = p_tenant AND id = p_keep
		AND deleted_at IS NULL FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'lead "%" does not exist', p_keep
			USING ERRCODE = 'no_data_found';
	END IF;
	SELECT * INTO o FROM lead WHERE tenant_id = p_tenant AND id = p_other
		AND deleted_at IS NULL FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'lead "%" does not exist', p_other
			USING ERRCODE = 'no_data_found';
	END IF;

	UPDATE event SET lead_id = p_keep
	 WHERE tenant_id = p_tenant AND lead_id = p_other;
	GET DIAGNOSTICS nev = ROW_COUNT;
	UPDATE conversation SET lead_id = p_keep
	 WHERE tenant_id = p_tenant AND lead_id = p_other;
	GET DIAGNOSTICS ncv = ROW_COUNT;
	UPDATE campaign_send s SET lead_id = p_keep
	 WHERE s.tenant_id = p_tenant AND s.lead_id = p_other
	   AND NOT EXISTS (SELECT 1 FROM campaign_send x
			    WHERE x.tenant_id = p_tenant
			      AND x.campaign_id = s.campaign_id
			      AND x.lead_id = p_keep);
	GET DIAGNOSTICS ncs = ROW_COUNT;
	DELETE FROM campaign_send WHERE tenant_id = p_tenant AND lead_id = p_other;
	GET DIAGNOSTICS dcs = ROW_COUNT;
	UPDATE whatsapp_sync SET lead_id = p_keep
	 WHERE tenant_id = p_tenant AND lead_id = p_other
	   AND NOT EXISTS (SELECT 1 FROM whatsapp_sync x
			    WHERE x.tenant_id = p_tenant AND x.lead_id = p_keep);
	GET DIAGNOSTICS nws = ROW_COUNT;
	DELETE FROM whatsapp_sync WHERE tenant_id = p_tenant AND lead_id = p_other;
	GET DIAGNOSTICS dws = ROW_COUNT;

	-- Gone before the survivor takes its phone: the phone is unique.
	DELETE FROM lead WHERE tenant_id = p_tenant AND id = p_other;

	-- A phone (as written, E.164, ambiguity) and a budget (range and
	-- currency) are filled as wholes, never half from each lead.
	no_phone := k.telefono IS NULL AND k.telefono_e164 IS NULL;
	no_budget := k.presupuesto_min IS NULL AND k.presupuesto_max IS NULL;
	UPDATE lead l SET
		telefono = CASE WHEN no_phone THEN o.telefono ELSE l.telefono END,
		telefono_e164 = CASE WHEN no_phone THEN o.telefono_e164
				ELSE l.telefono_e164 END,
		telefono_ambiguo = CASE WHEN no_phone THEN o.telefono_ambiguo
				   ELSE l.telefono_ambiguo END,
		presupuesto_min = CASE WHEN no_budget THEN o.presupuesto_min
				  ELSE l.presupuesto_min END,
		presupuesto_max = CASE WHEN no_budget THEN o.presupuesto_max
				  ELSE l.presupuesto_max END,
		moneda = CASE WHEN no_budget AND l.moneda IS NULL THEN o.moneda
			 ELSE l.moneda END,
		nombre = coalesce(nullif(btrim(l.nombre), ''), o.nombre),
		email = coalesce(nullif(btrim(l.email), ''), o.email),
		origen = coalesce(l.origen, o.origen),
		tipo = coalesce(l.tipo, o.tipo),
		presupuesto = coalesce(l.presupuesto, o.presupuesto),
		zona_interes = coalesce(l.zona_interes, o.zona_interes),
		notas = coalesce(nullif(l.notas, ''), o.notas),
		operacion = coalesce(l.operacion, o.operacion),
		tipo_propiedad = coalesce(l.tipo_propiedad, o.tipo_propiedad),
		ambientes = coalesce(l.ambientes, o.ambientes),
		manychat_id = coalesce(l.manychat_id, o.manychat_id),
		uchat_id = coalesce(l.uchat_id, o.uchat_id),
		wa_id = coalesce(l.wa_id, o.wa_id),
		assigned_to_id = coalesce(l.assigned_to_id, o.assigned_to_id),
		last_activity_at = greatest(l.last_activity_at, o.last_activity_at),
		tags = ARRAY(SELECT (array_agg(x ORDER BY i))[1]
			       FROM unnest(l.tags || o.tags) WITH ORDINALITY AS u (x, i)
			      GROUP BY lower(x) ORDER BY min(i)),
		zonas = ARRAY(SELECT (array_agg(x ORDER BY i))[1]
				FROM unnest(l.zonas || o.zonas) WITH ORDINALITY AS u (x, i)
			       GROUP BY lower(x) ORDER BY min(i)),
		custom = o.custom || l.custom,
		es_cliente = l.es_cliente OR o.es_cliente,
		opt_out = l.opt_out OR o.opt_out
	 WHERE l.tenant_id = p_tenant AND l.id = p_keep
	RETURNING * INTO n;

	rec := jsonb_build_object(
		'kept', p_keep,
		'merged', p_other,
		'filled', jsonb_diff(to_jsonb(k), to_jsonb(n)),
		'moved', jsonb_build_object('events', nev, 'conversations', ncv,
					    'campaign_sends', ncs,
					    'whatsapp_sync', nws),
		'dropped', jsonb_build_object('campaign_sends', dcs,
					      'whatsapp_sync', dws),
		'other', to_jsonb(o) - 'search' - 'tenant_id');
	INSERT INTO audit_log (tenant_id, action, entity, entity_id, diff)
	VALUES (p_tenant, 'lead.merge', 'lead', p_keep, rec);
	RETURN rec;
END
$$;
REVOKE ALL ON FUNCTION strato.merge_lead(uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION strato.merge_lead(uuid, text, text)
	TO strato_service, strato_agent;
