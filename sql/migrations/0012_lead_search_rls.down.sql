SET LOCAL ROLE strato_owner;
RESET ROLE;
DO $$
BEGIN
	IF (SELECT rolsuper FROM pg_catalog.pg_roles
	     WHERE rolname = current_user) THEN
		ALTER FUNCTION pg_catalog.textlike(text, text) NOT LEAKPROOF;
	END IF;
END
$$;
