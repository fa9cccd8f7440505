SET LOCAL ROLE strato_owner;
DROP INDEX strato.lead_by_name;
