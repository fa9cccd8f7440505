-- 0012 lead search under row-level security: let the trigram index serve
-- LIKE for logins the policies apply to, and let the planner tell when to
-- use it.
--
-- Under RLS the planner keeps a query's own conditions above the policy
-- conditions unless their functions are LEAKPROOF, so it cannot use them as
-- index conditions. textlike (text LIKE text) is not marked LEAKPROOF, so
-- `search LIKE '%…%'` could not use lead_search (gin_trgm_ops) for any
-- STRATO login: a search walked the tenant's leads newest first until it
-- had a screen, every lead of the tenant when fewer match (1.1 s to count a
-- rare name's 1,009 leads among a million, 22 ms through the index; 88 ms
-- to list its first screen, 31 ms).
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
--
-- And a finer histogram of search, so the planner tells rare strings from
-- common ones: with the default 100 buckets any string in under 1% of a
-- tenant's leads looked equally rare (100 rows of a million), so a string
-- in 1% of them (10,000 leads) was fetched whole through the index and
-- sorted (66 ms) rather than found by walking lead_browse newest first
-- (2.5 ms). With 1,000, that limit is 0.1%, and a rare name is estimated
-- right (1,002 for 1,009). ANALYZE of lead reads 300,000 rows, not 30,000.
SET LOCAL ROLE strato_owner;
ALTER TABLE strato.lead ALTER COLUMN search SET STATISTICS 1000;
-- The catalog function, only the migrating login itself may change.
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
