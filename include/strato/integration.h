/*
 * integration.h - a tenant's provider integrations and their secrets.
 *
 * One row of strato.tenant_integration per tenant and provider (MANYCHAT,
 * UCHAT, ELEVENLABS, WHATSAPP). Each provider has a fixed set of fields:
 * plain ones live in the config jsonb column, secret ones (API tokens, app
 * secrets) are kept together as one JSON object sealed with AES-256-GCM
 * under the master key (crypto.h) in secret_ciphertext, with the key's id in
 * secret_key_id. The additional data of the seal is the tenant id and the
 * provider, so a ciphertext copied to another row does not open.
 *
 * Secrets never leave this module unmasked: a read returns each secret as
 * "…" plus its last four characters, audit rows name the secret fields that
 * changed and never their values, and the ciphertext travels to the server
 * as a bound parameter, so a logged statement shows ciphertext at most.
 * Agents may read that an integration exists (provider, config, is_active);
 * only tenant admins and platform admins read or write secrets.
 */
#ifndef STRATO_INTEGRATION_H
#define STRATO_INTEGRATION_H

#include <stdbool.h>
#include <stddef.h>

#include "strato/crypto.h"
#include "strato/db.h"
#include "strato/error.h"

/* The providers, for messages and help. */
#define ST_INTEGRATION_PROVIDERS "MANYCHAT, UCHAT, ELEVENLABS, WHATSAPP"

/* What a plain field's value must be, beyond text. */
enum st_field_kind {
	ST_FIELD_TEXT = 0,
	ST_FIELD_RATE,     /* a number from 0 (0: no limit) */
	ST_FIELD_POSITIVE, /* a number above 0 */
};

struct st_integration_field {
	const char *name; /* snake_case, as stored; NULL ends a list */
	bool secret;      /* sealed, never shown */
	bool required;    /* needed before the integration can be enabled */
	const char *help;
	enum st_field_kind kind;
};

/* A field and its new value, as given by the user. */
struct st_integration_value {
	const char *name;
	const char *value; /* "" removes a plain field */
};

/* A secret as it may be shown: its name and "…" + its last 4 chars. */
struct st_integration_secret {
	const char *name; /* borrowed from the field table */
	char *masked;
};

struct st_integration {
	char *id;
	char *tenant_id;
	char *provider;
	char *config; /* JSON object text of the plain fields */
	bool is_active;
	bool secrets_visible; /* false for agents: secrets not read */
	char *key_id;         /* of the stored secrets; NULL when none */
	size_t nsecrets;
	struct st_integration_secret *secrets; /* in field-table order */
	char *last_test_at;
	char *last_test_ok; /* "t", "f" or NULL (never tested) */
	char *last_test_message;
	char *created_at;
	char *updated_at;
};

struct st_integration_list {
	size_t n;
	struct st_integration *items;
};

void st_integration_release(struct st_integration *in);
void st_integration_list_release(struct st_integration_list *l);

/* The canonical name (MANYCHAT, ...) of s in any case, or NULL. */
const char *st_integration_provider(const char *s);
/* The fields of a canonical provider name, ending with a NULL name. */
const struct st_integration_field *
st_integration_fields(const char *provider);
/* One field of a provider by exact name, or NULL. */
const struct st_integration_field *
st_integration_field(const char *provider, const char *name);
/* "api_token, base_url": a new string with the provider's field names. */
char *st_integration_field_names(const char *provider);
/* The shown form of a secret: "…" + its last 4 chars, "…" if short. */
char *st_integration_mask(const char *secret);

/* Every integration of the tenant, by provider; no secrets are read. */
int st_integration_list(struct st_db *db, const char *tenant_id,
			struct st_integration_list *out, struct st_error *err);
/*
 * One integration by provider (any case). Tenant and platform admins get
 * the secrets masked, which needs key (the one they were sealed with);
 * key may be NULL when no master key is configured, and reading secrets
 * then fails with a hint. Agents get no secrets (secrets_visible false).
 * A provider not configured yet is ST_ENOTFOUND.
 */
int st_integration_get(struct st_db *db, const char *tenant_id,
		       const char *provider,
		       const struct st_crypto_key *key,
		       struct st_integration *out, struct st_error *err);
/*
 * Set fields of an integration, creating its row if needed. Plain fields
 * go to config ("" removes one); secret fields are merged with the stored
 * ones and sealed again under key, which must be the key they were sealed
 * with. Writes one audit row naming the secret fields changed, never their
 * values. Unknown fields are ST_EINVAL naming the valid ones.
 */
int st_integration_set(struct st_db *db, const char *tenant_id,
		       const char *provider,
		       const struct st_integration_value *vals, size_t n,
		       const struct st_crypto_key *key, struct st_error *err);
/*
 * Enable or disable. Enabling checks that every required field is set,
 * which reads the secrets' names (key needed when secrets are stored).
 * *changed says whether anything changed (and an audit row was written).
 */
int st_integration_set_active(struct st_db *db, const char *tenant_id,
			      const char *provider, bool active,
			      const struct st_crypto_key *key, bool *changed,
			      struct st_error *err);
/*
 * Re-seal every tenant's secrets from old_key to new_key in one
 * transaction (platform admins). Rows already under new_key are skipped,
 * so a second run is harmless; a row under any third key aborts the whole
 * rotation and names it. Counts come back in *rotated and *skipped.
 */
int st_integration_rotate_key(struct st_db *db,
			      const struct st_crypto_key *old_key,
			      const struct st_crypto_key *new_key,
			      size_t *rotated, size_t *skipped,
			      struct st_error *err);

/*
 * Record the outcome of "integration test": last_test_at (now),
 * last_test_ok and last_test_message (cut to 500 characters, never a
 * secret), with an audit row.
 */
int st_integration_record_test(struct st_db *db, const char *tenant_id,
			       const char *provider, bool ok,
			       const char *message, struct st_error *err);

#endif
