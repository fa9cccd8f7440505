SET LOCAL ROLE strato_owner;
DROP INDEX strato.property_match_rooms;
DROP INDEX strato.property_match_zona;
