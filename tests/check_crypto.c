/*
 * check_crypto.c - the master key, AES-256-GCM sealing, and the sealed
 * secrets blob of the integrations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "integration-internal.h"
#include "strato/crypto.h"
#include "strato/integration.h"

/* base64 of 32 zero bytes, and of the bytes 0..31 */
#define KEY_ZERO "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define KEY_SEQ "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

static struct st_crypto_key *
key_of(const char *b64)
{
	struct st_error err;
	struct st_crypto_key *k = st_crypto_key_parse(b64, strlen(b64), "key",
						      &err);

	ck_assert_msg(k != NULL, "%s", err.message);
	return k;
}

START_TEST(test_key_parse)
{
	char big[400];
	struct st_crypto_key *k;
	struct st_error err;

	k = key_of(KEY_ZERO);
	/* the id is the first 8 hex digits of SHA-256 of the key */
	ck_assert_str_eq(k->id, "66687aad");
	for (int i = 0; i < ST_CRYPTO_KEY_LEN; i++)
		ck_assert_uint_eq(k->bytes[i], 0);
	st_crypto_key_free(k);
	k = key_of("  " KEY_SEQ "\n");
	ck_assert_uint_eq(k->bytes[31], 31);
	ck_assert_str_ne(k->id, "66687aad");
	st_crypto_key_free(k);

	st_error_init(&err);
	k = st_crypto_key_parse("AAECAwQFBgcICQoLDA0ODw==", 24, "KEY", &err);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(err.code, ST_EINVAL);
	ck_assert_str_eq(err.message, "KEY holds 16 bytes, not 32");
	k = st_crypto_key_parse("not base64 at all!", 18, "KEY", &err);
	ck_assert_ptr_null(k);
	ck_assert_str_eq(err.message, "KEY is not valid base64");
	ck_assert_ptr_nonnull(strstr(err.hint, "openssl rand -base64 32"));
	k = st_crypto_key_parse(KEY_ZERO "AAAA", strlen(KEY_ZERO) + 4, "KEY",
				&err);
	ck_assert_ptr_null(k); /* data after the padding */
	memset(big, 'A', sizeof(big));
	k = st_crypto_key_parse(big, sizeof(big), "KEY", &err);
	ck_assert_ptr_null(k);
	ck_assert_str_eq(err.message, "KEY is far longer than a key");
	k = st_crypto_key_parse(" \n", 2, "KEY", &err);
	ck_assert_ptr_null(k);
	ck_assert_str_eq(err.message, "KEY is empty");
}
END_TEST

START_TEST(test_base64_strict)
{
	unsigned char out[16];

	ck_assert_int_eq(st_base64_decode("QQ==", 4, out), 1);
	ck_assert_uint_eq(out[0], 'A');
	ck_assert_int_eq(st_base64_decode("QUI=", 4, out), 2);
	ck_assert_int_eq(st_base64_decode("QUJD", 4, out), 3);
	ck_assert_int_eq(st_base64_decode("", 0, out), 0);
	ck_assert_int_eq(st_base64_decode("QR==", 4, out), -1); /* stray bits */
	ck_assert_int_eq(st_base64_decode("Q===", 4, out), -1);
	ck_assert_int_eq(st_base64_decode("QQ=A", 4, out), -1);
	ck_assert_int_eq(st_base64_decode("QUJ", 3, out), -1);
	ck_assert_int_eq(st_base64_decode("QU J", 4, out), -1);
	ck_assert_int_eq(st_base64_decode("QQ==QQ==", 8, out), -1);
}
END_TEST

static char *
write_tmp(const void *data, size_t n)
{
	char *path = st_xstrdup("/tmp/check_crypto.XXXXXX");
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, n), (ssize_t)n);
	close(fd);
	return path;
}

START_TEST(test_key_file)
{
	unsigned char raw[32];
	struct st_crypto_key *k;
	struct st_error err;
	char *path;

	for (int i = 0; i < 32; i++)
		raw[i] = (unsigned char)i;
	path = write_tmp(raw, sizeof(raw)); /* 32 raw bytes */
	k = st_crypto_key_read_file(path, &err);
	ck_assert_ptr_nonnull(k);
	ck_assert_uint_eq(k->bytes[31], 31);
	st_crypto_key_free(k);
	unlink(path);
	free(path);

	path = write_tmp(KEY_SEQ "\n", strlen(KEY_SEQ) + 1); /* base64 text */
	k = st_crypto_key_read_file(path, &err);
	ck_assert_ptr_nonnull(k);
	ck_assert_uint_eq(k->bytes[31], 31);
	st_crypto_key_free(k);
	unlink(path);
	free(path);

	path = write_tmp(raw, 31); /* neither */
	k = st_crypto_key_read_file(path, &err);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(err.code, ST_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "the key file"));
	unlink(path);
	free(path);

	k = st_crypto_key_read_file("/nonexistent/strato.key", &err);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(err.code, ST_EIO);
	ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/strato.key"));
}
END_TEST

START_TEST(test_key_env)
{
	struct st_crypto_key *k;
	struct st_error err;
	char *path = write_tmp(KEY_SEQ, strlen(KEY_SEQ));

	unsetenv("STRATO_MASTER_KEY_FILE");
	unsetenv("STRATO_MASTER_KEY");
	k = st_crypto_key_from_env(&err);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(err.code, ST_ENOTFOUND);
	ck_assert_str_eq(err.message, "no master key is configured");

	setenv("STRATO_MASTER_KEY", KEY_ZERO, 1);
	k = st_crypto_key_from_env(&err);
	ck_assert_str_eq(k->id, "66687aad");
	st_crypto_key_free(k);

	setenv("STRATO_MASTER_KEY_FILE", path, 1); /* the file wins */
	k = st_crypto_key_from_env(&err);
	ck_assert_uint_eq(k->bytes[31], 31);
	st_crypto_key_free(k);

	setenv("STRATO_MASTER_KEY", "c2hvcnQ=", 1);
	unsetenv("STRATO_MASTER_KEY_FILE");
	k = st_crypto_key_from_env(&err);
	ck_assert_ptr_null(k);
	ck_assert_str_eq(err.message,
			 "STRATO_MASTER_KEY holds 5 bytes, not 32");
	unsetenv("STRATO_MASTER_KEY");
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_seal_round_trip)
{
	struct st_crypto_key *k = key_of(KEY_SEQ);
	const char *msg = "{\"api_token\":\"s3cr3t\"}";
	unsigned char *c1 = NULL, *c2 = NULL;
	size_t n1, n2, n;
	struct st_error err;
	char *pt = NULL;

	ck_assert_int_eq(st_crypto_seal(k, "aad", (const unsigned char *)msg,
					strlen(msg), &c1, &n1, &err), 0);
	ck_assert_uint_eq(n1, ST_CRYPTO_NONCE_LEN + strlen(msg) +
				      ST_CRYPTO_TAG_LEN);
	ck_assert_ptr_null(memmem(c1, n1, "s3cr3t", 6));
	ck_assert_int_eq(st_crypto_open(k, "aad", c1, n1, &pt, &n, &err), 0);
	ck_assert_uint_eq(n, strlen(msg));
	ck_assert_str_eq(pt, msg);
	st_free_secret(pt);
	/* a fresh nonce each time: the same plaintext seals differently */
	st_crypto_seal(k, "aad", (const unsigned char *)msg, strlen(msg), &c2,
		       &n2, &err);
	ck_assert_uint_eq(n1, n2);
	ck_assert_int_ne(memcmp(c1, c2, n1), 0);
	/* empty plaintext is fine too */
	free(c2);
	st_crypto_seal(k, NULL, (const unsigned char *)"", 0, &c2, &n2, &err);
	ck_assert_int_eq(st_crypto_open(k, NULL, c2, n2, &pt, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	st_free_secret(pt);
	free(c1);
	free(c2);
	st_crypto_key_free(k);
}
END_TEST

/* Open must fail, leave *out NULL, and say why. */
static void
assert_refused(const struct st_crypto_key *k, const char *aad,
	       const unsigned char *c, size_t n)
{
	struct st_error err;
	char *pt = (char *)"x";
	size_t len = 7;

	st_error_init(&err);
	ck_assert_int_eq(st_crypto_open(k, aad, c, n, &pt, &len, &err), -1);
	ck_assert_ptr_null(pt);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(err.code, ST_EINVAL);
}

START_TEST(test_open_refuses)
{
	struct st_crypto_key *k = key_of(KEY_SEQ), *other = key_of(KEY_ZERO);
	const char *msg = "tenant secret";
	unsigned char *c = NULL;
	struct st_error err;
	size_t n;

	st_crypto_seal(k, "t1:MANYCHAT", (const unsigned char *)msg,
		       strlen(msg), &c, &n, &err);
	assert_refused(other, "t1:MANYCHAT", c, n);  /* wrong key */
	assert_refused(k, "t2:MANYCHAT", c, n);      /* another row */
	assert_refused(k, "t1:UCHAT", c, n);
	assert_refused(k, NULL, c, n);               /* no aad at all */
	c[ST_CRYPTO_NONCE_LEN] ^= 0x01;              /* ciphertext */
	assert_refused(k, "t1:MANYCHAT", c, n);
	c[ST_CRYPTO_NONCE_LEN] ^= 0x01;
	c[n - 1] ^= 0x80;                            /* tag */
	assert_refused(k, "t1:MANYCHAT", c, n);
	c[n - 1] ^= 0x80;
	c[0] ^= 0x01;                                /* nonce */
	assert_refused(k, "t1:MANYCHAT", c, n);
	c[0] ^= 0x01;
	assert_refused(k, "t1:MANYCHAT", c, n - 1);  /* truncated */
	assert_refused(k, "t1:MANYCHAT", c, 20);     /* shorter than a tag */
	free(c);
	st_crypto_key_free(k);
	st_crypto_key_free(other);
}
END_TEST

START_TEST(test_providers)
{
	char *names;
	char *m;

	ck_assert_str_eq(st_integration_provider("manychat"), "MANYCHAT");
	ck_assert_str_eq(st_integration_provider("WhatsApp"), "WHATSAPP");
	ck_assert_ptr_null(st_integration_provider("twilio"));
	ck_assert_ptr_null(st_integration_provider(NULL));
	ck_assert(st_integration_field("WHATSAPP", "app_secret")->secret);
	ck_assert(!st_integration_field("WHATSAPP", "phone_number_id")->secret);
	ck_assert(st_integration_field("ELEVENLABS", "api_key")->secret);
	ck_assert_ptr_null(st_integration_field("MANYCHAT", "voice_id"));
	names = st_integration_field_names("UCHAT");
	ck_assert_str_eq(names, "api_token, webhook_token, base_url, "
			 "add_tag_path, remove_tag_path, max_per_second");
	ck_assert(!st_integration_field("WHATSAPP", "pair_burst")->secret);
	ck_assert_ptr_null(st_integration_field("UCHAT", "pair_burst"));
	free(names);
	m = st_integration_mask("mc-Tok3n-7d1c0ffee5ecret-a9F2");
	ck_assert_str_eq(m, "…a9F2");
	free(m);
	m = st_integration_mask("short-0123");
	ck_assert_str_eq(m, "…"); /* four of ten would say too much */
	free(m);
}
END_TEST

START_TEST(test_secrets_blob)
{
	struct st_crypto_key *k = key_of(KEY_SEQ), *other = key_of(KEY_ZERO);
	struct st_secrets s = { 0 }, back = { 0 };
	struct st_error err;
	char *hex;

	ck_assert(st_secrets_put(&s, "access_token", "tok\"with\\quotes"));
	ck_assert(st_secrets_put(&s, "app_secret", "app-secret-value"));
	ck_assert(!st_secrets_put(&s, "app_secret", "app-secret-value"));
	hex = st_secrets_seal("t1", "WHATSAPP", &s, k, &err);
	ck_assert_ptr_nonnull(hex);
	ck_assert(strncmp(hex, "\\x", 2) == 0);
	ck_assert_int_eq(st_secrets_open("t1", "WHATSAPP", hex + 2, k->id, k,
					 &back, &err), 0);
	ck_assert_uint_eq(back.n, 2);
	ck_assert_str_eq(st_secrets_get(&back, "access_token"),
			 "tok\"with\\quotes");
	ck_assert_str_eq(st_secrets_get(&back, "app_secret"),
			 "app-secret-value");
	st_secrets_release(&back);

	/* another key: named, not tried */
	ck_assert_int_eq(st_secrets_open("t1", "WHATSAPP", hex + 2, k->id,
					 other, &back, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, "cannot decrypt the WHATSAPP "
				     "secrets: they were encrypted under key"));
	ck_assert_ptr_nonnull(strstr(err.message, other->id));
	/* no key */
	ck_assert_int_eq(st_secrets_open("t1", "WHATSAPP", hex + 2, k->id, NULL,
					 &back, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, "no master key"));
	/* moved to another tenant: the tag fails */
	ck_assert_int_eq(st_secrets_open("t2", "WHATSAPP", hex + 2, k->id, k,
					 &back, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, "fails authentication"));
	ck_assert_uint_eq(back.n, 0);
	/* a value the blob refuses */
	ck_assert_int_eq(st_secrets_check_value("MANYCHAT", "api_token",
						"tab\there", &err), -1);
	ck_assert_int_eq(st_secrets_check_value("MANYCHAT", "api_token", "",
						&err), -1);
	ck_assert_int_eq(st_secrets_check_value("MANYCHAT", "api_token",
						"ok-token", &err), 0);
	free(hex);
	st_secrets_release(&s);
	st_crypto_key_free(k);
	st_crypto_key_free(other);
}
END_TEST

Suite *
crypto_suite(void)
{
	Suite *s = suite_create("crypto");
	TCase *tc = tcase_create("key");

	tcase_add_test(tc, test_key_parse);
	tcase_add_test(tc, test_base64_strict);
	tcase_add_test(tc, test_key_file);
	tcase_add_test(tc, test_key_env);
	suite_add_tcase(s, tc);
	tc = tcase_create("seal");
	tcase_add_test(tc, test_seal_round_trip);
	tcase_add_test(tc, test_open_refuses);
	suite_add_tcase(s, tc);
	tc = tcase_create("secrets");
	tcase_add_test(tc, test_providers);
	tcase_add_test(tc, test_secrets_blob);
	suite_add_tcase(s, tc);
	return s;
}
