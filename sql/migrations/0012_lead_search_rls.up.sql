-- 0012 lead search under row-level security: let the trigram index serve
-- LIKE for logins the policies apply to.
--
-- Under RLS the planner keeps a query's own conditions above the policy
-- conditions unless their functions are LEAKPROOF, so it cannot use them as
-- index conditions. textlike (text LIKE text) is not marked LEAKPROOF, so
-- `search LIKE '%…%'` could not use lead_search (gin_trgm_ops) for any
-- STRATO login: a search read every lead of the tenant (3 s for a rare name
-- in a tenant of a million leads, against milliseconds through the index).
--
-- textlike raises an error only for a malformed pattern (an escape at its
-- end) or a nondeterministic collation, never because of the text it is
-- matched against, so marking it LEAKPROOF lets it run before the policies
-- without leaking the rows they hide, for patterns given as literals or
-- parameters (as libstrato always does). Only a superuser may mark a
-- function LEAKPROOF: a migrating login that is not one skips this with a
-- warning, and lead search then works as before, without the index.
SET LOCAL ROLE strato_owner;
-- Nothing is created here: the one change is to a catalog function, which
-- only the migrating login itself may make.
RESET ROLE;
DO $$
BEGIN
	IF (SELECT rolsuper FROM pg_catalog.pg_roles
	     WHERE rolname = current_user) THEN
		ALTER FUNCTION pg_catalog.textlike(text, text) LEAKPROOF;
	ELSE
		RAISE WARNING 'not a superuser: textlike stays NOT LEAKPROOF, '
			'so lead search under RLS cannot use the trigram index';
	END IF;
END
$$;
