-- 0001 base: roles, the strato schema, tenants, users and the login map,
-- the tenant function every policy calls, and the audit log.
--
-- Runs as the migrating login (a superuser, or a role with CREATEROLE and
-- CREATE on the database); objects are then created as strato_owner.

CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
CREATE EXTENSION IF NOT EXISTS btree_gin SCHEMA public;
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;

-- Roles are cluster-wide and may already exist for another database of the
-- same cluster: create what is missing, never drop them on the way down.
DO $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['strato_owner', 'strato_service', 'strato_agent',
				 'strato_tenant_admin', 'strato_rolemgr']
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
END
$$;
-- Nobody of these may bypass Row-Level Security.
ALTER ROLE strato_owner NOLOGIN NOBYPASSRLS;
ALTER ROLE strato_service NOLOGIN NOBYPASSRLS;
ALTER ROLE strato_agent NOLOGIN NOBYPASSRLS;
ALTER ROLE strato_tenant_admin NOLOGIN NOBYPASSRLS;
-- strato_rolemgr owns the two functions that create and switch logins; it
-- may hand out only the two STRATO groups.
ALTER ROLE strato_rolemgr NOLOGIN NOBYPASSRLS CREATEROLE;
GRANT strato_agent TO strato_tenant_admin;
GRANT strato_agent, strato_tenant_admin TO strato_rolemgr WITH ADMIN OPTION;

ALTER SCHEMA strato OWNER TO strato_owner;
GRANT USAGE ON SCHEMA strato TO strato_service, strato_agent, strato_rolemgr;
GRANT SELECT ON strato.schema_migrations TO strato_service;

SET LOCAL ROLE strato_owner;

-- updated_at follows every change, unless the statement sets it itself,
-- or the transaction says it carries timestamps from elsewhere (the legacy
-- copy sets strato.keep_updated_at, so a mirrored row keeps its original).
CREATE FUNCTION strato.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at
	   AND current_setting('strato.keep_updated_at', true)
	       IS DISTINCT FROM 'on' THEN
		NEW.updated_at := now();
	END IF;
	RETURN NEW;
END
$$;

CREATE TABLE strato.tenant (
	id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	nombre     text NOT NULL CHECK (length(btrim(nombre)) > 0),
	slug       text NOT NULL UNIQUE
	           CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
	config     jsonb NOT NULL DEFAULT '{}'
	           CHECK (jsonb_typeof(config) = 'object'),
	is_active  boolean NOT NULL DEFAULT true,
	plan       text NOT NULL DEFAULT 'BASIC'
	           CHECK (plan IN ('BASIC', 'PRO', 'ENTERPRISE')),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER tenant_touch BEFORE UPDATE ON strato.tenant
	FOR EACH ROW EXECUTE FUNCTION strato.touch_updated_at();

CREATE TABLE strato.app_user (
	tenant_id  uuid NOT NULL REFERENCES strato.tenant (id),
	id         text NOT NULL DEFAULT gen_random_uuid()::text,
	email      text NOT NULL CHECK (email = lower(btrim(email))
	                                AND email LIKE '_%@_%'),
	nombre     text NOT NULL,
	role       text NOT NULL DEFAULT 'AGENT' CHECK (role IN ('ADMIN', 'AGENT')),
	login      text,
	is_active  boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, email),
	UNIQUE (tenant_id, login)
);

-- The login-to-tenant map current_tenant_id() reads (with the user's
-- is_active copied in, since app_user itself is under a policy that calls
-- current_tenant_id()). Role names are
-- cluster-wide, so login alone is its key; it is kept by a trigger on
-- app_user, has no policy (a policy calling current_tenant_id() would
-- recurse) and no grants: only its owner, through the SECURITY DEFINER
-- functions below, reads it. Under Citus it is a reference table.
CREATE TABLE strato.login_map (
	login     text PRIMARY KEY,
	tenant_id uuid NOT NULL,
	user_id   text NOT NULL,
	is_active boolean NOT NULL,
	FOREIGN KEY (tenant_id, user_id) REFERENCES strato.app_user (tenant_id, id)
		ON DELETE CASCADE
);
ALTER TABLE strato.login_map ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON strato.login_map FROM PUBLIC;

CREATE FUNCTION strato.sync_login_map() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, strato, pg_temp AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.login IS NOT NULL THEN
		DELETE FROM strato.login_map WHERE login = OLD.login;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.login IS NOT NULL THEN
		INSERT INTO strato.login_map (login, tenant_id, user_id, is_active)
		VALUES (NEW.login, NEW.tenant_id, NEW.id, NEW.is_active);
	END IF;
	RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION strato.sync_login_map() FROM PUBLIC;
CREATE TRIGGER app_user_login_map
	AFTER INSERT OR DELETE OR UPDATE OF login, tenant_id, id, is_active
		ON strato.app_user
	FOR EACH ROW EXECUTE FUNCTION strato.sync_login_map();

-- The tenant of this session. A login mapped in login_map is pinned to its
-- tenant (while user and tenant are active), whatever app.tenant_id says;
-- a strato_service member picks one per transaction with
-- set_config('app.tenant_id', ..., true); anyone else gets NULL and so sees
-- no row. session_user, not current_user: SET ROLE cannot change it.
CREATE FUNCTION strato.current_tenant_id() RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, strato, pg_temp AS $$
DECLARE
	t uuid;
	mapped boolean;
	g text;
BEGIN
	SELECT true, CASE WHEN m.is_active AND tn.is_active THEN m.tenant_id END
	  INTO mapped, t
	  FROM strato.login_map m
	  JOIN strato.tenant tn ON tn.id = m.tenant_id
	 WHERE m.login = session_user;
	IF mapped THEN
		RETURN t;
	END IF;
	IF pg_has_role(session_user, 'strato_service', 'MEMBER') THEN
		g := current_setting('app.tenant_id', true);
		IF g IS NULL OR g = '' THEN
			RETURN NULL;
		END IF;
		BEGIN
			RETURN g::uuid;
		EXCEPTION WHEN invalid_text_representation THEN
			RETURN NULL;
		END;
	END IF;
	RETURN NULL;
END
$$;

-- The app_user id behind this session's login, for the audit log.
CREATE FUNCTION strato.current_app_user_id() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, strato, pg_temp AS $$
	SELECT user_id FROM strato.login_map WHERE login = session_user
$$;

-- May this session manage the users of tenant p_tenant?
CREATE FUNCTION strato.may_admin_tenant(p_tenant uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, strato, pg_temp AS $$
	SELECT CASE
		WHEN EXISTS (SELECT 1 FROM strato.login_map
			      WHERE login = session_user)
		THEN pg_has_role(session_user, 'strato_tenant_admin', 'MEMBER')
		     AND strato.current_tenant_id() = p_tenant
		ELSE pg_has_role(session_user, 'strato_service', 'MEMBER')
		     AND strato.current_tenant_id() = p_tenant
	END
$$;

CREATE TABLE strato.audit_log (
	tenant_id     uuid NOT NULL REFERENCES strato.tenant (id),
	id            text NOT NULL DEFAULT gen_random_uuid()::text,
	at            timestamptz NOT NULL DEFAULT clock_timestamp(),
	actor_login   text NOT NULL DEFAULT session_user,
	actor_user_id text DEFAULT strato.current_app_user_id(),
	action        text NOT NULL,
	entity        text NOT NULL,
	entity_id     text,
	diff          jsonb,
	PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_at ON strato.audit_log (tenant_id, at DESC);

-- Who and when come from the server, whatever the client sends: an agent
-- cannot write an audit row in someone else's name.
CREATE FUNCTION strato.stamp_audit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.actor_login := session_user;
	NEW.actor_user_id := strato.current_app_user_id();
	NEW.at := clock_timestamp();
	RETURN NEW;
END
$$;
CREATE TRIGGER audit_log_stamp BEFORE INSERT ON strato.audit_log
	FOR EACH ROW EXECUTE FUNCTION strato.stamp_audit();
CREATE INDEX audit_log_entity ON strato.audit_log (tenant_id, entity, entity_id);

-- Row-Level Security. Every table with tenant_id: enabled, forced, one
-- policy. The tenant table itself: platform admins (strato_service) see all,
-- agents their own; not forced, so current_tenant_id() (owned by the table
-- owner) can read it without recursion.
ALTER TABLE strato.tenant ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_service ON strato.tenant TO strato_service
	USING (true) WITH CHECK (true);
CREATE POLICY tenant_own ON strato.tenant FOR SELECT TO strato_agent
	USING (id = (SELECT strato.current_tenant_id()));

-- What every tenant table gets, in one place so no migration forgets a
-- part: RLS enabled and forced, the one tenant policy, updated_at kept by
-- trigger (when the table has it), and DML for the service group. Later
-- migrations call it for each table they add.
CREATE PROCEDURE strato.fence_tenant_table(t regclass)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
	EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
	EXECUTE format('CREATE POLICY tenant_isolation ON %s '
		'USING (tenant_id = (SELECT strato.current_tenant_id())) '
		'WITH CHECK (tenant_id = (SELECT strato.current_tenant_id()))', t);
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
		    WHERE attrelid = t AND attname = 'updated_at'
		    AND NOT attisdropped) THEN
		EXECUTE format('CREATE TRIGGER touch_updated_at BEFORE UPDATE ON %s '
			'FOR EACH ROW EXECUTE FUNCTION strato.touch_updated_at()', t);
	END IF;
	EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s '
		'TO strato_service', t);
END
$$;
REVOKE ALL ON PROCEDURE strato.fence_tenant_table(regclass) FROM PUBLIC;

CALL strato.fence_tenant_table('strato.app_user');
CALL strato.fence_tenant_table('strato.audit_log');

-- Creating and switching logins. Owned by strato_rolemgr (CREATEROLE), so
-- tenant admins need no role privileges of their own. The app_user lookups
-- run under RLS as the caller's tenant: a tenant admin cannot reach a user
-- of another tenant even by naming it. Passwords arrive as SCRAM verifiers
-- made by the client; plain text is refused so it never reaches a log.
CREATE FUNCTION strato.create_login(p_tenant uuid, p_user text, p_login text,
				    p_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, strato, pg_temp AS $$
DECLARE
	r text;
	l text;
BEGIN
	IF NOT strato.may_admin_tenant(p_tenant) THEN
		RAISE EXCEPTION 'permission denied to create logins in this tenant'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF p_login IS NULL OR p_login !~ '^[a-z_][a-z0-9_]{0,62}$'
	   OR p_login LIKE 'pg\_%' OR p_login LIKE 'strato\_%' THEN
		RAISE EXCEPTION 'invalid login name "%"', p_login
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Use 1 to 63 of a-z, 0-9 and _, not starting with pg_ or strato_.';
	END IF;
	IF p_verifier IS NOT NULL AND p_verifier !~ '^SCRAM-SHA-256\$' THEN
		RAISE EXCEPTION 'password must be a SCRAM-SHA-256 verifier'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT u.role, u.login INTO r, l FROM strato.app_user u
	 WHERE u.tenant_id = p_tenant AND u.id = p_user;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'user % does not exist in this tenant', p_user
			USING ERRCODE = 'no_data_found';
	END IF;
	IF l IS NOT NULL THEN
		RAISE EXCEPTION 'user % already has login "%"', p_user, l
			USING ERRCODE = 'duplicate_object';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = p_login) THEN
		RAISE EXCEPTION 'role "%" already exists', p_login
			USING ERRCODE = 'duplicate_object';
	END IF;
	EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE '
		       'NOBYPASSRLS IN ROLE %I', p_login,
		       CASE r WHEN 'ADMIN' THEN 'strato_tenant_admin'
			      ELSE 'strato_agent' END);
	IF p_verifier IS NOT NULL THEN
		EXECUTE format('ALTER ROLE %I PASSWORD %L', p_login, p_verifier);
	END IF;
	UPDATE strato.app_user SET login = p_login
	 WHERE tenant_id = p_tenant AND id = p_user;
END
$$;

CREATE FUNCTION strato.set_user_active(p_tenant uuid, p_user text,
				       p_active boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, strato, pg_temp AS $$
DECLARE
	l text;
BEGIN
	IF NOT strato.may_admin_tenant(p_tenant) THEN
		RAISE EXCEPTION 'permission denied to manage users of this tenant'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	UPDATE strato.app_user SET is_active = p_active
	 WHERE tenant_id = p_tenant AND id = p_user
	RETURNING login INTO l;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'user % does not exist in this tenant', p_user
			USING ERRCODE = 'no_data_found';
	END IF;
	IF l IS NOT NULL AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = l) THEN
		EXECUTE format('ALTER ROLE %I %s', l,
			       CASE WHEN p_active THEN 'LOGIN' ELSE 'NOLOGIN' END);
	END IF;
END
$$;

REVOKE ALL ON FUNCTION strato.create_login(uuid, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION strato.set_user_active(uuid, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION strato.create_login(uuid, text, text, text),
		 strato.set_user_active(uuid, text, boolean)
	TO strato_service, strato_tenant_admin;

RESET ROLE;
ALTER FUNCTION strato.create_login(uuid, text, text, text) OWNER TO strato_rolemgr;
ALTER FUNCTION strato.set_user_active(uuid, text, boolean) OWNER TO strato_rolemgr;
SET LOCAL ROLE strato_owner;

REVOKE ALL ON FUNCTION strato.current_tenant_id() FROM PUBLIC;
REVOKE ALL ON FUNCTION strato.current_app_user_id() FROM PUBLIC;
REVOKE ALL ON FUNCTION strato.may_admin_tenant(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION strato.current_tenant_id(),
		 strato.current_app_user_id(), strato.may_admin_tenant(uuid)
	TO strato_service, strato_agent, strato_rolemgr;

-- The role manager reads and updates app_user under RLS, as the caller's
-- tenant.
GRANT SELECT, UPDATE (login, is_active) ON strato.app_user TO strato_rolemgr;

GRANT SELECT, INSERT, UPDATE, DELETE ON strato.tenant TO strato_service;
GRANT SELECT ON strato.tenant TO strato_agent;
GRANT SELECT ON strato.app_user TO strato_agent;
GRANT INSERT (tenant_id, id, email, nombre, role), UPDATE (email, nombre)
	ON strato.app_user TO strato_tenant_admin;
-- The audit log is append-only for everyone but its owner.
REVOKE UPDATE, DELETE ON strato.audit_log FROM strato_service;
GRANT SELECT, INSERT ON strato.audit_log TO strato_service, strato_agent;
