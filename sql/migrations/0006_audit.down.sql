SET LOCAL ROLE strato_owner;
DROP FUNCTION strato.jsonb_diff(jsonb, jsonb);
