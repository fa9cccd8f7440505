/*
 * integration-internal.h - shared by integration.c (the SQL) and
 * integration-secret.c (the field tables and the sealed secrets blob).
 */
#ifndef STRATO_INTEGRATION_INTERNAL_H
#define STRATO_INTEGRATION_INTERNAL_H

#include "strato/crypto.h"
#include "strato/integration.h"

#define ST_SECRETS_MAX 8

/*
 * The secret fields of one integration in memory. names are borrowed from
 * the field table; values are owned and wiped on release.
 */
struct st_secrets {
	size_t n;
	const char *names[ST_SECRETS_MAX];
	char *values[ST_SECRETS_MAX];
};

void st_secrets_release(struct st_secrets *s);
/* Set name (a field-table name) to a copy of value; true if it changed. */
bool st_secrets_put(struct st_secrets *s, const char *name,
		    const char *value);
/* The value of name, or NULL. */
const char *st_secrets_get(const struct st_secrets *s, const char *name);
/* Reject a secret value the blob cannot hold: empty, control, non-ASCII. */
int st_secrets_check_value(const char *provider, const char *name,
			   const char *value, struct st_error *err);

/*
 * Open the stored secrets: hex is the ciphertext as hex digits (what
 * encode(secret_ciphertext, 'hex') returns), key_id the id stored with it.
 * key NULL, a key id mismatch and a failed tag are ST_ESTATE / ST_EINVAL
 * errors naming the provider and both key ids; never garbage.
 */
int st_secrets_open(const char *tenant_id, const char *provider,
		    const char *hex, const char *key_id,
		    const struct st_crypto_key *key, struct st_secrets *out,
		    struct st_error *err);
/*
 * Seal s for (tenant_id, provider) under key. Returns a new string in
 * bytea's hex input form ("\\x…") to bind as a parameter, or NULL.
 */
char *st_secrets_seal(const char *tenant_id, const char *provider,
		      const struct st_secrets *s,
		      const struct st_crypto_key *key, struct st_error *err);

/*
 * The config (JSON text, a new string) and the opened secrets of one
 * integration; ST_ENOTFOUND when it is not configured. Tenant admins.
 */
int st_integration_open_secrets(struct st_db *db, const char *tenant_id,
				const char *provider,
				const struct st_crypto_key *key, char **config,
				struct st_secrets *s, struct st_error *err);

#endif
