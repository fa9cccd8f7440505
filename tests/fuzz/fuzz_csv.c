/*
 * fuzz_csv.c - libFuzzer target for the CSV reader.
 *
 * Automatic options, unless the first byte is 0x80..0xBB (a byte no UTF-8
 * text or BOM starts with): then it picks an encoding, a delimiter and
 * maybe a 16-byte max_field, and the input is what follows. Every record is
 * walked: each field must be valid UTF-8 with no NUL inside and its length
 * as stated, no longer than max_field, and line numbers must go up.
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -Iinclude src/csv.c \
 *     src/util.c src/error.c tests/fuzz/fuzz_csv.c \
 *     $(pkg-config --cflags --libs libcrypto)
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "strato/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k, need;
	unsigned char lo, hi;

	while (i < n) {
		unsigned char c = s[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0;
			if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90;
			if (c == 0xF4)
				hi = 0x8F;
		} else {
			__builtin_trap();
		}
		if (need >= n - i)
			__builtin_trap();
		for (k = 1; k <= need; k++) {
			if (s[i + k] < lo || s[i + k] > hi)
				__builtin_trap();
			lo = 0x80;
			hi = 0xBF;
		}
		i += need + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int delims[] = { 0, ',', ';', '\t', '|' };
	struct st_csv_opts opts = { 0, ST_CSV_ENC_AUTO, 0 };
	struct st_csv_record *rec;
	struct st_csv_reader *r;
	struct st_error err;
	long last_line = 0;
	size_t i, max;
	uint8_t sel = 0;
	FILE *f;
	int rc;

	if (size > 0 && data[0] >= 0x80 && data[0] < 0xBC) {
		/* a continuation byte cannot start UTF-8 text nor a BOM:
		 * 0x80..0xBB choose the options, the input follows */
		sel = (uint8_t)(data[0] - 0x80);
		data++;
		size--;
		opts.encoding = (enum st_csv_encoding)(sel % 6);
		opts.delimiter = delims[sel / 6 % 5];
		opts.max_field = sel / 30 ? 16 : 0;
	}
	max = opts.max_field ? opts.max_field : ST_CSV_MAX_FIELD_DEFAULT;
	/* fmemopen refuses a zero size on some libcs */
	f = size > 0 ? fmemopen((void *)data, size, "rb") : tmpfile();
	if (f == NULL)
		return 0;
	r = st_csv_reader_new(f, &opts, &err);
	if (r == NULL)
		__builtin_trap();
	while ((rc = st_csv_reader_next(r, &rec, &err)) == 1) {
		if (rec->line < 1 || rec->line <= last_line ||
		    rec->nfields == 0)
			__builtin_trap();
		last_line = rec->line;
		for (i = 0; i < rec->nfields; i++) {
			if (strlen(rec->fields[i]) != rec->lens[i] ||
			    rec->lens[i] > max)
				__builtin_trap();
			check_utf8((const unsigned char *)rec->fields[i],
				   rec->lens[i]);
		}
		if (rec->error && strlen(rec->error) == 0)
			__builtin_trap();
	}
	if (rc != 0 || st_csv_reader_next(r, &rec, &err) != 0)
		__builtin_trap();
	st_csv_reader_free(r);
	fclose(f);
	return 0;
}
