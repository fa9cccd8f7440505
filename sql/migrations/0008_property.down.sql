SET LOCAL ROLE strato_owner;
DROP INDEX strato.property_browse;
