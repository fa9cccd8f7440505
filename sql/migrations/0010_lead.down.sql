SET LOCAL ROLE strato_owner;
DROP FUNCTION strato.merge_lead(uuid, text, text);
GRANT DELETE ON strato.lead TO strato_agent;
