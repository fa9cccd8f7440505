/*
 * csv.h - a streaming CSV reader that takes what spreadsheets and ad
 * platforms really write, and a writer for RFC 4180 fields.
 *
 * The reader decodes to UTF-8 as it goes (memory does not grow with the
 * input): UTF-8 with or without BOM, UTF-16 LE/BE with BOM, Windows-1252 and
 * Latin-1 through iconv. In auto mode a file without BOM is read as UTF-8
 * until the first byte sequence that is not UTF-8: if no multi-byte UTF-8
 * sequence was seen before it, the whole input is Windows-1252 (what Excel
 * writes in Spanish locales; everything before was ASCII, the same in
 * both), otherwise that record is rejected as invalid UTF-8. So "Núñez"
 * never becomes "NÃºÃ±ez", and an accent is never a reason to reject.
 *
 * Records follow RFC 4180: fields quoted with '"' may hold the delimiter,
 * doubled quotes and line breaks; lines end in CRLF, LF or a lone CR. The
 * delimiter is ',', ';', tab or '|', or detected from the first record
 * (the candidate that splits the header into the most fields, ',' on a
 * tie). Each record knows the physical line it starts on (1-based, counted
 * in the decoded text, every line break counting once), so rejects can
 * name it.
 *
 * A bad record does not stop the reader: it comes back with error set to
 * the reason and its fields decoded as well as possible (invalid bytes as
 * U+FFFD), and reading goes on with the next record. Only I/O errors are
 * fatal.
 */
#ifndef STRATO_CSV_H
#define STRATO_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "strato/error.h"

enum st_csv_encoding {
	ST_CSV_ENC_AUTO = 0,
	ST_CSV_ENC_UTF8,
	ST_CSV_ENC_UTF16LE,
	ST_CSV_ENC_UTF16BE,
	ST_CSV_ENC_WINDOWS1252,
	ST_CSV_ENC_LATIN1,
};

#define ST_CSV_MAX_FIELD_DEFAULT (64 * 1024)
/* Fields kept per record; more is an error ("more than 4096 fields"). */
#define ST_CSV_MAX_FIELDS 4096
#define ST_CSV_MAX_FIELDS_TEXT "4096"

struct st_csv_opts {
	int delimiter;                 /* 0: detect; else ',', ';', '\t', '|' */
	enum st_csv_encoding encoding; /* ST_CSV_ENC_AUTO: detect */
	size_t max_field;              /* bytes (UTF-8); 0: 64 KiB */
};

/*
 * One record. Everything is borrowed from the reader and valid until the
 * next st_csv_reader_next() or st_csv_reader_free().
 */
struct st_csv_record {
	size_t nfields;
	char **fields;      /* UTF-8, NUL-terminated */
	size_t *lens;       /* byte lengths of fields */
	long line;          /* physical line where the record starts */
	const char *error;  /* NULL, or why the record is bad (see below) */
};

/*
 * Reasons a record can carry in error (fixed strings, compare by content):
 *   "invalid byte sequence for <encoding>" (the encoding's name as
 *       st_csv_encoding_name() gives it)
 *   "field longer than <N> bytes"   (the field is cut to at most N
 *                                    bytes, at a character boundary)
 *   "more than 4096 fields"         (the first 4096 are kept)
 *   "NUL byte in the data"
 *   "unterminated quoted field"     (a quote still open at end of input)
 */

struct st_csv_reader;

/*
 * Start reading f (not closed by the reader). Reads nothing yet. opts may
 * be NULL (all automatic). Returns NULL and fills err only for bad options.
 */
struct st_csv_reader *st_csv_reader_new(FILE *f, const struct st_csv_opts *opts,
					struct st_error *err);
/*
 * The next record: 1 and *rec set, 0 at the end of the input, -1 on an I/O
 * error (err filled: "cannot read input: ..."). An empty input gives 0 at
 * once. Blank lines between records (nothing on the line at all) are
 * skipped and not returned; a line of only delimiters is a record.
 */
int st_csv_reader_next(struct st_csv_reader *r, struct st_csv_record **rec,
		       struct st_error *err);
/* The delimiter in use (after the first record when detecting), or 0. */
int st_csv_reader_delimiter(const struct st_csv_reader *r);
/* The encoding in use (after detection; may change from UTF-8 to
 * Windows-1252 once, as described above). */
enum st_csv_encoding st_csv_reader_encoding(const struct st_csv_reader *r);
void st_csv_reader_free(struct st_csv_reader *r);

/* "utf-8", "utf-16le", "utf-16be", "windows-1252", "latin1", "auto". */
const char *st_csv_encoding_name(enum st_csv_encoding e);
/* Parse those names (case-insensitive; also "utf8", "utf-16" = LE with
 * BOM detection, "cp1252", "iso-8859-1"); -1 when unknown. */
int st_csv_encoding_parse(const char *s, enum st_csv_encoding *out);
/* Parse ",", ";", "tab" (or "\t"), "|", "auto" (0); -1 when unknown. */
int st_csv_delimiter_parse(const char *s, int *out);

/*
 * Append one field to b in RFC 4180 form for delimiter delim: quoted when
 * it holds the delimiter, a quote, CR or LF, or starts or ends with a
 * space; quotes doubled. NULL appends nothing (an empty field).
 */
struct st_buf;
void st_csv_field(struct st_buf *b, const char *s, int delim);

#endif
