-- 0006 audit: the JSON diff every mutation records, computed by the server
-- from the row before and after (to_jsonb of each), so every command writes
-- its audit row the same way. Bookkeeping columns are left out; columns
-- holding secrets must be removed by the caller before diffing.
SET LOCAL ROLE strato_owner;

-- {"field": {"old": …, "new": …}} for each field that differs. A NULL
-- before means a creation, a NULL after a deletion.
CREATE FUNCTION strato.jsonb_diff(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
	SELECT coalesce(jsonb_object_agg(k, jsonb_build_object(
			'old', a -> k, 'new', b -> k)), '{}'::jsonb)
	  FROM (SELECT jsonb_object_keys(coalesce(a, '{}'::jsonb)
					 || coalesce(b, '{}'::jsonb)) AS k) AS keys
	 WHERE k NOT IN ('tenant_id', 'created_at', 'updated_at', 'search')
	   AND (a -> k) IS DISTINCT FROM (b -> k)
$$;
REVOKE ALL ON FUNCTION strato.jsonb_diff(jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION strato.jsonb_diff(jsonb, jsonb)
	TO strato_service, strato_agent;
