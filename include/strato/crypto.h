/*
 * crypto.h - secrets at rest: the master key and AES-256-GCM sealing.
 *
 * The operator provides one 32-byte master key, as base64 in
 * STRATO_MASTER_KEY or in the file named by STRATO_MASTER_KEY_FILE (base64
 * text, surrounding white space ignored, or exactly 32 raw bytes). The key
 * is known by an id, the first 8 hex digits of its SHA-256, which is stored
 * beside each ciphertext so a wrong key is named, never tried blindly.
 *
 * A sealed message is nonce (12 random bytes) || ciphertext || tag (16
 * bytes). The additional data (AAD) is authenticated but not stored: the
 * caller binds the ciphertext to where it lives (tenant and provider), so a
 * ciphertext copied to another row fails to open. Key bytes and plaintexts
 * handed out by this module are wiped with OPENSSL_cleanse when freed.
 */
#ifndef STRATO_CRYPTO_H
#define STRATO_CRYPTO_H

#include <stddef.h>

#include "strato/error.h"

#define ST_CRYPTO_KEY_LEN 32
#define ST_CRYPTO_NONCE_LEN 12
#define ST_CRYPTO_TAG_LEN 16
#define ST_CRYPTO_KEY_ID_LEN 8

struct st_crypto_key {
	unsigned char bytes[ST_CRYPTO_KEY_LEN];
	char id[ST_CRYPTO_KEY_ID_LEN + 1]; /* 8 lower-case hex digits */
};

/*
 * A key from text: base64 of exactly 32 bytes (white space around it is
 * ignored). what names the source in errors ("STRATO_MASTER_KEY"). Returns
 * a new key (st_crypto_key_free) or NULL with ST_EINVAL.
 */
struct st_crypto_key *st_crypto_key_parse(const char *text, size_t len,
					  const char *what,
					  struct st_error *err);
/*
 * A key from a file: exactly 32 raw bytes, or base64 of 32 bytes. NULL
 * with ST_EIO (cannot read) or ST_EINVAL (bad contents).
 */
struct st_crypto_key *st_crypto_key_read_file(const char *path,
					      struct st_error *err);
/*
 * The master key from the environment: STRATO_MASTER_KEY_FILE, else
 * STRATO_MASTER_KEY. Neither set is ST_ENOTFOUND (callers that can do
 * without a key check for it); a set but bad one is ST_EINVAL or ST_EIO.
 */
struct st_crypto_key *st_crypto_key_from_env(struct st_error *err);
/* Wipe and free; accepts NULL. */
void st_crypto_key_free(struct st_crypto_key *key);

/*
 * Seal plaintext pt (n bytes) under key with the additional data aad.
 * *out (a new buffer, plain free) gets nonce || ciphertext || tag and
 * *outlen its length.
 */
int st_crypto_seal(const struct st_crypto_key *key, const char *aad,
		   const unsigned char *pt, size_t n, unsigned char **out,
		   size_t *outlen, struct st_error *err);
/*
 * Open what st_crypto_seal made. *out is a new NUL-terminated buffer of
 * *outlen bytes, to be wiped by the caller (st_free_secret). A wrong key,
 * altered bytes or another aad are all ST_EINVAL "the ciphertext fails
 * authentication": GCM cannot tell them apart, and the caller, which
 * knows the key id stored beside the ciphertext, says which it was.
 */
int st_crypto_open(const struct st_crypto_key *key, const char *aad,
		   const unsigned char *ct, size_t n, char **out,
		   size_t *outlen, struct st_error *err);

/*
 * Strict base64 (RFC 4648, padded, no white space inside). Returns the
 * decoded length, or -1 on a bad character or length. dst must hold
 * len / 4 * 3 bytes.
 */
long st_base64_decode(const char *src, size_t len, unsigned char *dst);

#endif
