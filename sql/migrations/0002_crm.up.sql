-- 0002 CRM: leads and what hangs off them (events, conversations, messages,
-- WhatsApp sync), properties, assistants and WhatsApp templates.
--
-- Every table: tenant_id first in the primary key, in every unique
-- constraint and every foreign key (Citus co-location), RLS forced with the
-- one tenant policy (set at the end of this file), updated_at by trigger.

SET LOCAL ROLE strato_owner;

-- An immutable unaccent, so search columns can be generated and indexed.
CREATE FUNCTION strato.f_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
SET search_path = pg_catalog, public AS $$
	SELECT public.unaccent('public.unaccent'::regdictionary, $1)
$$;

CREATE TABLE strato.lead (
	tenant_id        uuid NOT NULL REFERENCES strato.tenant (id),
	id               text NOT NULL DEFAULT gen_random_uuid()::text,
	nombre           text NOT NULL,
	telefono         text,              -- as given
	telefono_e164    text CHECK (telefono_e164 ~ '^\+[1-9][0-9]{6,14}$'),
	email            text,
	origen           text,
	estado           text NOT NULL DEFAULT 'NUEVO'
	                 CHECK (estado IN ('NUEVO', 'CONTACTADO', 'CALIFICADO',
	                                   'VISITA_AGENDADA', 'NEGOCIACION',
	                                   'GANADO', 'PERDIDO')),
	tipo             text CHECK (tipo IN ('COMPRADOR', 'VENDEDOR', 'INQUILINO',
	                                      'LOCADOR', 'INVERSOR')),
	presupuesto      bigint,            -- the legacy single figure
	zona_interes     text,              -- the legacy free-text zone
	notas            text,
	tags             text[] NOT NULL DEFAULT '{}',
	-- preferences, for matching properties
	operacion        text CHECK (operacion IN ('VENTA', 'ALQUILER')),
	tipo_propiedad   text CHECK (tipo_propiedad IN ('DEPARTAMENTO', 'CASA', 'PH',
	                   'LOCAL', 'OFICINA', 'TERRENO', 'COCHERA', 'OTRO')),
	zonas            text[] NOT NULL DEFAULT '{}',
	presupuesto_min  numeric(14, 2) CHECK (presupuesto_min >= 0),
	presupuesto_max  numeric(14, 2) CHECK (presupuesto_max >= 0),
	moneda           text CHECK (moneda IN ('ARS', 'USD')),
	ambientes        smallint CHECK (ambientes BETWEEN 1 AND 50),
	custom           jsonb NOT NULL DEFAULT '{}'
	                 CHECK (jsonb_typeof(custom) = 'object'),
	es_cliente       boolean NOT NULL DEFAULT false,
	opt_out          boolean NOT NULL DEFAULT false,
	manychat_id      text,
	uchat_id         text,
	wa_id            text,
	assigned_to_id   text,
	last_activity_at timestamptz,
	deleted_at       timestamptz,
	created_at       timestamptz NOT NULL DEFAULT now(),
	updated_at       timestamptz NOT NULL DEFAULT now(),
	-- what / and lead search match: accent- and case-insensitive
	search           text GENERATED ALWAYS AS (strato.f_unaccent(lower(
	                   nombre || ' ' || coalesce(telefono_e164, '') || ' ' ||
	                   coalesce(telefono, '') || ' ' || coalesce(email, ''))))
	                 STORED,
	PRIMARY KEY (tenant_id, id),
	CHECK (presupuesto_min IS NULL OR presupuesto_max IS NULL
	       OR presupuesto_min <= presupuesto_max),
	FOREIGN KEY (tenant_id, assigned_to_id)
		REFERENCES strato.app_user (tenant_id, id)
		ON DELETE SET NULL (assigned_to_id)
);
-- Keyset browsing, newest first: (created_at, id) pages without OFFSET.
CREATE INDEX lead_browse ON strato.lead (tenant_id, created_at DESC, id DESC)
	WHERE deleted_at IS NULL;
CREATE INDEX lead_estado ON strato.lead (tenant_id, estado, created_at DESC)
	WHERE deleted_at IS NULL;
CREATE INDEX lead_assigned ON strato.lead (tenant_id, assigned_to_id);
CREATE INDEX lead_phone ON strato.lead (tenant_id, telefono_e164);
CREATE INDEX lead_email ON strato.lead (tenant_id, email);
CREATE INDEX lead_tags ON strato.lead USING gin (tenant_id, tags);
CREATE INDEX lead_search ON strato.lead
	USING gin (tenant_id, search gin_trgm_ops);
CREATE INDEX lead_manychat ON strato.lead (tenant_id, manychat_id)
	WHERE manychat_id IS NOT NULL;
CREATE INDEX lead_uchat ON strato.lead (tenant_id, uchat_id)
	WHERE uchat_id IS NOT NULL;
CREATE INDEX lead_wa ON strato.lead (tenant_id, wa_id) WHERE wa_id IS NOT NULL;

CREATE TABLE strato.property (
	tenant_id     uuid NOT NULL REFERENCES strato.tenant (id),
	id            text NOT NULL DEFAULT gen_random_uuid()::text,
	codigo        text,                 -- the agency's own reference
	titulo        text NOT NULL,
	descripcion   text,
	precio        numeric(14, 2) CHECK (precio >= 0),
	moneda        text NOT NULL DEFAULT 'USD' CHECK (moneda IN ('ARS', 'USD')),
	operacion     text NOT NULL CHECK (operacion IN ('VENTA', 'ALQUILER')),
	tipo          text NOT NULL CHECK (tipo IN ('DEPARTAMENTO', 'CASA', 'PH',
	                'LOCAL', 'OFICINA', 'TERRENO', 'COCHERA', 'OTRO')),
	zona          text,
	direccion     text,
	ambientes     smallint CHECK (ambientes BETWEEN 1 AND 50),
	dormitorios   smallint CHECK (dormitorios BETWEEN 0 AND 50),
	banos         smallint CHECK (banos BETWEEN 0 AND 50),
	superficie_m2 numeric(10, 2) CHECK (superficie_m2 > 0),
	estado        text NOT NULL DEFAULT 'DISPONIBLE'
	              CHECK (estado IN ('DISPONIBLE', 'RESERVADA', 'VENDIDA',
	                                'ALQUILADA', 'RETIRADA')),
	url           text,
	fotos         text[] NOT NULL DEFAULT '{}',
	publicado_at  timestamptz NOT NULL DEFAULT now(),
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, codigo)
);
-- The ranking's pre-filter: operation and type must match, price in range.
CREATE INDEX property_match ON strato.property
	(tenant_id, operacion, tipo, precio) WHERE estado = 'DISPONIBLE';
CREATE INDEX property_zona ON strato.property (tenant_id, zona);
CREATE INDEX property_published ON strato.property (tenant_id, publicado_at DESC);

CREATE TABLE strato.event (
	tenant_id   uuid NOT NULL REFERENCES strato.tenant (id),
	id          text NOT NULL DEFAULT gen_random_uuid()::text,
	lead_id     text NOT NULL,
	user_id     text,
	property_id text,
	tipo        text NOT NULL CHECK (tipo IN ('LLAMADA', 'VISITA', 'REUNION',
	                                         'NOTA', 'TAREA')),
	titulo      text NOT NULL,
	fecha       timestamptz NOT NULL,
	completado  boolean NOT NULL DEFAULT false,
	cancelado   boolean NOT NULL DEFAULT false,
	notas       text,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, lead_id) REFERENCES strato.lead (tenant_id, id)
		ON DELETE CASCADE ON UPDATE CASCADE,
	FOREIGN KEY (tenant_id, user_id) REFERENCES strato.app_user (tenant_id, id)
		ON DELETE SET NULL (user_id),
	FOREIGN KEY (tenant_id, property_id)
		REFERENCES strato.property (tenant_id, id)
		ON DELETE SET NULL (property_id)
);
CREATE INDEX event_lead ON strato.event (tenant_id, lead_id, fecha DESC);
CREATE INDEX event_agenda ON strato.event (tenant_id, user_id, fecha)
	WHERE tipo = 'VISITA' AND NOT cancelado;

CREATE TABLE strato.assistant (
	tenant_id  uuid NOT NULL REFERENCES strato.tenant (id),
	id         text NOT NULL DEFAULT gen_random_uuid()::text,
	nombre     text NOT NULL,
	prompt     text,
	config     jsonb,
	voice_id   text,
	is_active  boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id)
);

CREATE TABLE strato.conversation (
	tenant_id       uuid NOT NULL REFERENCES strato.tenant (id),
	id              text NOT NULL DEFAULT gen_random_uuid()::text,
	lead_id         text NOT NULL,
	assistant_id    text,
	canal           text NOT NULL CHECK (canal IN ('WHATSAPP', 'MESSENGER',
	                                               'INSTAGRAM', 'WEB')),
	provider        text CHECK (provider IN ('MANYCHAT', 'UCHAT', 'WHATSAPP')),
	external_id     text,
	abierta         boolean NOT NULL DEFAULT true,
	last_message_at timestamptz,
	created_at      timestamptz NOT NULL DEFAULT now(),
	updated_at      timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, lead_id) REFERENCES strato.lead (tenant_id, id)
		ON DELETE CASCADE ON UPDATE CASCADE,
	FOREIGN KEY (tenant_id, assistant_id)
		REFERENCES strato.assistant (tenant_id, id)
		ON DELETE SET NULL (assistant_id)
);
CREATE INDEX conversation_lead ON strato.conversation (tenant_id, lead_id);
CREATE INDEX conversation_external ON strato.conversation
	(tenant_id, canal, external_id) WHERE external_id IS NOT NULL;

-- tenant_id is denormalised from the conversation so that RLS and
-- distribution never need a join; the composite foreign key keeps it true.
CREATE TABLE strato.message (
	tenant_id       uuid NOT NULL REFERENCES strato.tenant (id),
	id              text NOT NULL DEFAULT gen_random_uuid()::text,
	conversation_id text NOT NULL,
	direccion       text NOT NULL CHECK (direccion IN ('ENTRANTE', 'SALIENTE')),
	contenido       text,
	tipo            text NOT NULL DEFAULT 'TEXT',
	media_url       text,
	external_id     text,
	estado          text,
	error_code      text,
	error_message   text,
	created_at      timestamptz NOT NULL DEFAULT now(),
	updated_at      timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, external_id),
	FOREIGN KEY (tenant_id, conversation_id)
		REFERENCES strato.conversation (tenant_id, id)
		ON DELETE CASCADE ON UPDATE CASCADE,
	CHECK (tipo IN ('TEXT', 'AUDIO', 'IMAGE', 'VIDEO', 'FILE', 'DOCUMENT',
	                'TEMPLATE', 'LOCATION', 'STICKER', 'CONTACTS',
	                'INTERACTIVE', 'REACTION', 'UNKNOWN')),
	CHECK (estado IN ('QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'READ',
	                  'FAILED', 'RECEIVED', 'UNKNOWN'))
);
CREATE INDEX message_conversation ON strato.message
	(tenant_id, conversation_id, created_at);

CREATE TABLE strato.whatsapp_template (
	tenant_id  uuid NOT NULL REFERENCES strato.tenant (id),
	id         text NOT NULL DEFAULT gen_random_uuid()::text,
	nombre     text NOT NULL CHECK (nombre ~ '^[a-z0-9_]+$'
	                                AND length(nombre) <= 512),
	idioma     text NOT NULL DEFAULT 'es_AR',
	categoria  text NOT NULL
	           CHECK (categoria IN ('MARKETING', 'UTILITY', 'AUTHENTICATION')),
	contenido  text NOT NULL,
	variables  jsonb,
	estado     text NOT NULL DEFAULT 'PENDING'
	           CHECK (estado IN ('PENDING', 'APPROVED', 'REJECTED', 'PAUSED',
	                             'DISABLED')),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, nombre, idioma)
);

CREATE TABLE strato.whatsapp_sync (
	tenant_id    uuid NOT NULL REFERENCES strato.tenant (id),
	id           text NOT NULL DEFAULT gen_random_uuid()::text,
	lead_id      text NOT NULL,
	wa_id        text NOT NULL,
	last_sync_at timestamptz,
	estado       text NOT NULL DEFAULT 'PENDING'
	             CHECK (estado IN ('PENDING', 'SYNCED', 'ERROR')),
	error        text,
	created_at   timestamptz NOT NULL DEFAULT now(),
	updated_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, lead_id),
	FOREIGN KEY (tenant_id, lead_id) REFERENCES strato.lead (tenant_id, id)
		ON DELETE CASCADE ON UPDATE CASCADE
);

CALL strato.fence_tenant_table('strato.lead');
CALL strato.fence_tenant_table('strato.property');
CALL strato.fence_tenant_table('strato.event');
CALL strato.fence_tenant_table('strato.assistant');
CALL strato.fence_tenant_table('strato.conversation');
CALL strato.fence_tenant_table('strato.message');
CALL strato.fence_tenant_table('strato.whatsapp_template');
CALL strato.fence_tenant_table('strato.whatsapp_sync');

-- Agents work leads and their conversations; tenant admins also curate the
-- catalogue and the assistant.
GRANT SELECT, INSERT, UPDATE, DELETE ON strato.lead, strato.event,
	strato.conversation, strato.message, strato.whatsapp_sync TO strato_agent;
GRANT SELECT ON strato.property, strato.assistant, strato.whatsapp_template
	TO strato_agent;
GRANT INSERT, UPDATE, DELETE ON strato.property, strato.assistant,
	strato.whatsapp_template TO strato_tenant_admin;
GRANT EXECUTE ON FUNCTION strato.f_unaccent(text)
	TO strato_service, strato_agent;
