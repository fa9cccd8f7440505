SET LOCAL ROLE strato_owner;
ALTER TABLE strato.lead ALTER COLUMN search SET STATISTICS -1;
RESET ROLE;
DO $$
BEGIN
	IF (SELECT rolsuper FROM pg_catalog.pg_roles
	     WHERE rolname = current_user) THEN
		ALTER FUNCTION pg_catalog.textlike(text, text) NOT LEAKPROOF;
	END IF;
END
$$;
