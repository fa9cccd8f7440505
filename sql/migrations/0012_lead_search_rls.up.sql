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
-- textlike raises an error only because of its pattern (one ending in the
-- escape character) or its collation (a nondeterministic one), never
-- because of the text matched against it, so marking it LEAKPROOF lets it
-- run before the policies. What remains: a query that takes the *pattern*
-- from a column of rows it may not see (`'x' LIKE hidden.col`) can learn,
-- by the error, that one of them ends in a backslash. libstrato always binds
-- the pattern as a parameter. Only a superuser may mark a function
-- LEAKPROOF: a migrating login that is not one skips this with a warning,
-- and lead search then works as before, without the index.
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
