/*
 * fuzz_ingest.c - libFuzzer target for the webhook parsers.
 *
 * The input is split at newlines like an ingest batch; every line goes
 * through the envelope parser, then the body through all three sources'
 * parsers, the signature check and the Spanish extraction. A parsed event
 * must hold what the store relies on: every message an id, a channel id,
 * a tipo and a canal; every status an id and a known estado.
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -Iinclude \
 *     src/ingest-parse.c src/ingest-extract.c src/util.c src/error.c \
 *     tests/fuzz/fuzz_ingest.c $(pkg-config --cflags --libs jansson libcrypto)
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strato/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_event(const struct st_ingest_event *ev)
{
	struct st_ingest_prefs p;

	for (size_t i = 0; i < ev->nmsgs; i++) {
		const struct st_ingest_msg *m = &ev->msgs[i];

		if (!m->external_id || !m->user_id || !m->tipo || !m->canal)
			__builtin_trap();
		st_ingest_extract(m->texto, NULL, 0, &p);
		if (p.nzonas > 4)
			__builtin_trap();
		st_ingest_prefs_release(&p);
	}
	for (size_t i = 0; i < ev->nstatuses; i++)
		if (!ev->statuses[i].external_id || !ev->statuses[i].estado)
			__builtin_trap();
}

static void
one_line(const char *line, size_t len)
{
	struct st_ingest_envelope env;
	struct st_ingest_event ev;
	struct st_ingest_prefs p;
	struct st_error err;
	char *text;

	if (st_ingest_envelope_parse(line, len, &env, &err) < 0)
		return;
	if (env.body[env.body_len] != '\0')
		__builtin_trap();
	for (int s = ST_INGEST_MANYCHAT; s <= ST_INGEST_WHATSAPP; s++) {
		if (st_ingest_parse((enum st_ingest_source)s, env.body,
				    env.body_len, &ev, &err) == 0) {
			check_event(&ev);
			st_ingest_event_release(&ev);
		}
	}
	(void)st_ingest_signature_ok(env.signature, "fuzz-secret", env.body,
				     env.body_len);
	(void)st_ingest_token_eq(env.token, "fuzz-token");
	text = strndup(line, len); /* the extraction reads C strings */
	st_ingest_extract(text, (const char *const[]){ "Palermo Soho" }, 1,
			  &p);
	st_ingest_prefs_release(&p);
	free(text);
	st_ingest_envelope_release(&env);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);

		one_line(s, len);
		s += len + 1;
	}
	return 0;
}
