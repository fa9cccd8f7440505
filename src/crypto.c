/*
 * crypto.c - the master key and AES-256-GCM sealing of secrets at rest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "strato/crypto.h"

/* Big enough for any key file worth reading: base64 of 32 bytes plus room. */
#define KEY_FILE_MAX 256

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Strict decoding: groups of four, '=' only as the final padding, and the
 * unused bits of the last group zero (so one text means one key).
 */
long
st_base64_decode(const char *src, size_t len, unsigned char *dst)
{
	size_t o = 0;

	if (len % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		int pad = 0;

		for (int k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)src[i + k];

			if (c == '=' && i + 4 == len && k >= 2) {
				pad++;
				v[k] = 0;
				continue;
			}
			if (pad)
				return -1; /* data after padding */
			v[k] = b64_value(c);
			if (v[k] < 0)
				return -1;
		}
		if ((pad == 2 && (v[1] & 0x0f)) || (pad == 1 && (v[2] & 0x03)))
			return -1;
		dst[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			dst[o++] = (unsigned char)((v[1] & 0x0f) << 4 |
						   v[2] >> 2);
		if (pad < 1)
			dst[o++] = (unsigned char)((v[2] & 0x03) << 6 | v[3]);
	}
	return (long)o;
}

/* A key from its 32 bytes: copy them and compute the id. */
static struct st_crypto_key *
key_new(const unsigned char *bytes)
{
	struct st_crypto_key *key = st_xcalloc(1, sizeof(*key));
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	memcpy(key->bytes, bytes, ST_CRYPTO_KEY_LEN);
	EVP_Digest(bytes, ST_CRYPTO_KEY_LEN, md, &mdlen, EVP_sha256(), NULL);
	for (int i = 0; i < ST_CRYPTO_KEY_ID_LEN / 2; i++)
		snprintf(key->id + 2 * i, 3, "%02x", md[i]);
	OPENSSL_cleanse(md, sizeof(md));
	return key;
}

/*
 * Decode into a stack buffer that is wiped on every path, so the key bytes
 * live only in the returned key.
 */
struct st_crypto_key *
st_crypto_key_parse(const char *text, size_t len, const char *what,
		    struct st_error *err)
{
	unsigned char raw[KEY_FILE_MAX];
	struct st_crypto_key *key = NULL;
	long n;

	while (len > 0 && strchr(" \t\r\n", text[0])) {
		text++;
		len--;
	}
	while (len > 0 && strchr(" \t\r\n", text[len - 1]))
		len--;
	if (len == 0) {
		st_error_set(err, ST_EINVAL, "%s is empty", what);
		return NULL;
	}
	if (len / 4 * 3 > sizeof(raw)) {
		st_error_set(err, ST_EINVAL, "%s is far longer than a key",
			     what);
		st_error_hint(err, "Make a key with \"openssl rand -base64 "
			      "32\".");
		return NULL;
	}
	n = st_base64_decode(text, len, raw);
	if (n < 0) {
		st_error_set(err, ST_EINVAL, "%s is not valid base64", what);
		st_error_hint(err, "Make a key with \"openssl rand -base64 "
			      "32\".");
	} else if (n != ST_CRYPTO_KEY_LEN) {
		st_error_set(err, ST_EINVAL, "%s holds %ld bytes, not %d", what,
			     n, ST_CRYPTO_KEY_LEN);
		st_error_hint(err, "Make a key with \"openssl rand -base64 "
			      "32\".");
	} else {
		key = key_new(raw);
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	return key;
}

/*
 * Exactly 32 bytes are taken raw; anything else must be base64 text. A
 * raw key that happens to be 32 printable bytes is still raw: base64 of 32
 * bytes is 44 characters, so the two cannot be confused.
 */
struct st_crypto_key *
st_crypto_key_read_file(const char *path, struct st_error *err)
{
	char buf[KEY_FILE_MAX + 1];
	struct st_crypto_key *key = NULL;
	char *what = NULL;
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		st_error_set(err, ST_EIO, "cannot open the key file \"%s\": %s",
			     path, strerror(errno));
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf), f);
	if (ferror(f)) {
		st_error_set(err, ST_EIO, "cannot read the key file \"%s\": %s",
			     path, strerror(errno));
	} else if (n > KEY_FILE_MAX) {
		st_error_set(err, ST_EINVAL, "the key file \"%s\" is too large "
			     "to be a key", path);
	} else if (n == ST_CRYPTO_KEY_LEN) {
		key = key_new((const unsigned char *)buf);
	} else {
		what = st_xasprintf("the key file \"%s\"", path);
		key = st_crypto_key_parse(buf, n, what, err);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	fclose(f);
	free(what);
	return key;
}

/* The file wins over the variable, as the safer of the two. */
struct st_crypto_key *
st_crypto_key_from_env(struct st_error *err)
{
	const char *file = getenv("STRATO_MASTER_KEY_FILE");
	const char *text = getenv("STRATO_MASTER_KEY");

	if (file && *file)
		return st_crypto_key_read_file(file, err);
	if (text && *text)
		return st_crypto_key_parse(text, strlen(text),
					   "STRATO_MASTER_KEY", err);
	st_error_set(err, ST_ENOTFOUND, "no master key is configured");
	st_error_hint(err, "Set STRATO_MASTER_KEY_FILE to a file holding the "
		      "key (base64 of 32 bytes), or STRATO_MASTER_KEY.");
	return NULL;
}

void
st_crypto_key_free(struct st_crypto_key *key)
{
	if (!key)
		return;
	OPENSSL_cleanse(key, sizeof(*key));
	free(key);
}

/* Set up ctx for AES-256-GCM with key, nonce and aad, either way. */
static int
gcm_init(EVP_CIPHER_CTX *ctx, int enc, const struct st_crypto_key *key,
	 const unsigned char *nonce, const char *aad)
{
	int len = 0;

	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL,
			      enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN,
				ST_CRYPTO_NONCE_LEN, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key->bytes, nonce, enc) != 1)
		return -1;
	if (aad && EVP_CipherUpdate(ctx, NULL, &len,
				    (const unsigned char *)aad,
				    (int)strlen(aad)) != 1)
		return -1;
	return 0;
}

/*
 * A fresh random nonce per message: with 96-bit random nonces a key stays
 * safe for far more messages than a tenant table will ever hold.
 */
int
st_crypto_seal(const struct st_crypto_key *key, const char *aad,
	       const unsigned char *pt, size_t n, unsigned char **out,
	       size_t *outlen, struct st_error *err)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	size_t total = ST_CRYPTO_NONCE_LEN + n + ST_CRYPTO_TAG_LEN;
	unsigned char *buf = st_xmalloc(total);
	int len = 0, fin = 0;
	int ret = -1;

	*out = NULL;
	*outlen = 0;
	if (!ctx || n > (size_t)1 << 30 ||
	    RAND_bytes(buf, ST_CRYPTO_NONCE_LEN) != 1 ||
	    gcm_init(ctx, 1, key, buf, aad) < 0 ||
	    EVP_EncryptUpdate(ctx, buf + ST_CRYPTO_NONCE_LEN, &len, pt,
			      (int)n) != 1 ||
	    EVP_EncryptFinal_ex(ctx, buf + ST_CRYPTO_NONCE_LEN + len,
				&fin) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, ST_CRYPTO_TAG_LEN,
				buf + ST_CRYPTO_NONCE_LEN + n) != 1) {
		st_error_set(err, ST_EINTERNAL, "cannot encrypt the secrets");
		goto cleanup;
	}
	*out = buf;
	*outlen = total;
	buf = NULL;
	ret = 0;
cleanup:
	free(buf);
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

/*
 * The plaintext buffer is only handed out once the tag has verified;
 * on failure whatever was decrypted into it is wiped first.
 */
int
st_crypto_open(const struct st_crypto_key *key, const char *aad,
	       const unsigned char *ct, size_t n, char **out, size_t *outlen,
	       struct st_error *err)
{
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char *buf = NULL;
	size_t body;
	int len = 0, fin = 0;
	int ret = -1;

	*out = NULL;
	*outlen = 0;
	if (n < ST_CRYPTO_NONCE_LEN + ST_CRYPTO_TAG_LEN ||
	    n > (size_t)1 << 30) {
		st_error_set(err, ST_EINVAL, "the ciphertext has an impossible "
			     "length");
		return -1;
	}
	body = n - ST_CRYPTO_NONCE_LEN - ST_CRYPTO_TAG_LEN;
	buf = st_xmalloc(body + 1);
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || gcm_init(ctx, 0, key, ct, aad) < 0 ||
	    EVP_DecryptUpdate(ctx, buf, &len, ct + ST_CRYPTO_NONCE_LEN,
			      (int)body) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, ST_CRYPTO_TAG_LEN,
				(void *)(ct + n - ST_CRYPTO_TAG_LEN)) != 1 ||
	    EVP_DecryptFinal_ex(ctx, buf + len, &fin) != 1) {
		st_error_set(err, ST_EINVAL, "the ciphertext fails "
			     "authentication");
		goto cleanup;
	}
	buf[body] = '\0';
	*out = (char *)buf;
	*outlen = body;
	buf = NULL;
	ret = 0;
cleanup:
	if (buf) {
		OPENSSL_cleanse(buf, body + 1);
		free(buf);
	}
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}
