-- 0003 campaigns, their send ledger, provider integrations and import runs.

SET LOCAL ROLE strato_owner;

CREATE TABLE strato.campaign (
	tenant_id    uuid NOT NULL REFERENCES strato.tenant (id),
	id           text NOT NULL DEFAULT gen_random_uuid()::text,
	nombre       text NOT NULL,
	tipo         text NOT NULL CHECK (tipo IN ('OPORTUNIDADES', 'FIDELIZACION',
	                                          'REACTIVACION', 'PERSONALIZADA')),
	estado       text NOT NULL DEFAULT 'DRAFT'
	             CHECK (estado IN ('DRAFT', 'SCHEDULED', 'RUNNING', 'PAUSED',
	                               'COMPLETED', 'FAILED', 'CANCELLED')),
	config       jsonb NOT NULL DEFAULT '{}'
	             CHECK (jsonb_typeof(config) = 'object'),
	scheduled_at timestamptz,
	recurrence   interval CHECK (recurrence > interval '0'),
	started_at   timestamptz,
	finished_at  timestamptz,
	last_run_at  timestamptz,
	last_error   text,
	created_by   text,
	created_at   timestamptz NOT NULL DEFAULT now(),
	updated_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, nombre),
	CHECK (estado <> 'SCHEDULED' OR scheduled_at IS NOT NULL),
	FOREIGN KEY (tenant_id, created_by) REFERENCES strato.app_user (tenant_id, id)
		ON DELETE SET NULL (created_by)
);
CREATE INDEX campaign_due ON strato.campaign (tenant_id, estado, scheduled_at);

-- The send ledger: one row per campaign and lead, claimed (SENDING) and
-- committed before the provider is called.
CREATE TABLE strato.campaign_send (
	tenant_id           uuid NOT NULL REFERENCES strato.tenant (id),
	id                  text NOT NULL DEFAULT gen_random_uuid()::text,
	campaign_id         text NOT NULL,
	lead_id             text NOT NULL,
	estado              text NOT NULL DEFAULT 'PENDING'
	                    CHECK (estado IN ('PENDING', 'SENDING', 'SENT', 'FAILED',
	                                      'SKIPPED', 'UNKNOWN')),
	reason              text,
	attempts            integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at     timestamptz,
	provider            text CHECK (provider IN ('MANYCHAT', 'UCHAT',
	                                             'WHATSAPP')),
	provider_message_id text,
	error_code          text,
	error_message       text,
	snapshot            jsonb,
	sent_at             timestamptz,
	created_at          timestamptz NOT NULL DEFAULT now(),
	updated_at          timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, campaign_id, lead_id),
	FOREIGN KEY (tenant_id, campaign_id) REFERENCES strato.campaign (tenant_id, id)
		ON DELETE CASCADE,
	FOREIGN KEY (tenant_id, lead_id) REFERENCES strato.lead (tenant_id, id)
		ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX campaign_send_work ON strato.campaign_send
	(tenant_id, campaign_id, estado, next_attempt_at);
CREATE INDEX campaign_send_lead ON strato.campaign_send (tenant_id, lead_id);

-- One row per tenant and provider. The secret is AES-256-GCM ciphertext
-- under the operator's master key, identified by secret_key_id.
CREATE TABLE strato.tenant_integration (
	tenant_id         uuid NOT NULL REFERENCES strato.tenant (id),
	id                text NOT NULL DEFAULT gen_random_uuid()::text,
	provider          text NOT NULL CHECK (provider IN ('MANYCHAT', 'UCHAT',
	                                                    'ELEVENLABS', 'WHATSAPP')),
	config            jsonb NOT NULL DEFAULT '{}'
	                  CHECK (jsonb_typeof(config) = 'object'),
	secret_ciphertext bytea,
	secret_key_id     text,
	is_active         boolean NOT NULL DEFAULT false,
	last_test_at      timestamptz,
	last_test_ok      boolean,
	last_test_message text,
	created_at        timestamptz NOT NULL DEFAULT now(),
	updated_at        timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, provider),
	CHECK ((secret_ciphertext IS NULL) = (secret_key_id IS NULL))
);

CREATE TABLE strato.import_run (
	tenant_id   uuid NOT NULL REFERENCES strato.tenant (id),
	id          text NOT NULL DEFAULT gen_random_uuid()::text,
	kind        text NOT NULL CHECK (kind IN ('LEADS_CSV', 'LEGACY', 'INGEST')),
	source      text,
	started_by  text NOT NULL DEFAULT session_user,
	started_at  timestamptz NOT NULL DEFAULT now(),
	finished_at timestamptz,
	estado      text NOT NULL DEFAULT 'RUNNING'
	            CHECK (estado IN ('RUNNING', 'COMPLETED', 'PARTIAL', 'FAILED')),
	options     jsonb NOT NULL DEFAULT '{}',
	counts      jsonb NOT NULL DEFAULT '{}',
	last_line   bigint NOT NULL DEFAULT 0,
	error       text,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id)
);
CREATE INDEX import_run_started ON strato.import_run (tenant_id, started_at DESC);

CREATE FUNCTION strato.stamp_import_run() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.started_by := session_user;
	RETURN NEW;
END
$$;
CREATE TRIGGER import_run_stamp BEFORE INSERT ON strato.import_run
	FOR EACH ROW EXECUTE FUNCTION strato.stamp_import_run();

CALL strato.fence_tenant_table('strato.campaign');
CALL strato.fence_tenant_table('strato.campaign_send');
CALL strato.fence_tenant_table('strato.tenant_integration');
CALL strato.fence_tenant_table('strato.import_run');

GRANT SELECT ON strato.campaign, strato.campaign_send, strato.import_run
	TO strato_agent;
-- Agents see that an integration exists, not its secret.
GRANT SELECT (tenant_id, id, provider, config, is_active, last_test_at,
	      last_test_ok, last_test_message, created_at, updated_at)
	ON strato.tenant_integration TO strato_agent;
GRANT INSERT, UPDATE, DELETE ON strato.campaign, strato.tenant_integration
	TO strato_tenant_admin;
GRANT SELECT ON strato.tenant_integration TO strato_tenant_admin;
GRANT INSERT, UPDATE ON strato.import_run TO strato_tenant_admin;
