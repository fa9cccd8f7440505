/*
 * check_csv.c - tests for the streaming CSV reader and the field writer.
 *
 * Each input is fed as exact bytes through a temporary file; read_all()
 * renders every record as "<line>[field][field]... !error" lines, so a test
 * states the whole expected result, line numbers included.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "strato/csv.h"
#include "strato/error.h"
#include "strato/util.h"

Suite *csv_suite(void);

static FILE *
open_bytes(const void *data, size_t n)
{
	FILE *f = tmpfile();

	ck_assert_ptr_nonnull(f);
	if (n > 0)
		ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	rewind(f);
	return f;
}

/* Append one field, with CR, LF, tab and '[' ']' made visible. */
static void
render_field(struct st_buf *b, const char *s, size_t len)
{
	size_t i;

	ck_assert_uint_eq(strlen(s), len);
	st_buf_addch(b, '[');
	for (i = 0; i < len; i++) {
		if (s[i] == '\r')
			st_buf_addstr(b, "\\r");
		else if (s[i] == '\n')
			st_buf_addstr(b, "\\n");
		else if (s[i] == '\t')
			st_buf_addstr(b, "\\t");
		else if (s[i] == '[' || s[i] == ']' || s[i] == '\\')
			st_buf_addf(b, "\\%c", s[i]);
		else
			st_buf_addch(b, s[i]);
	}
	st_buf_addch(b, ']');
}

/*
 * Read every record of the n bytes with opts (NULL: automatic) and return
 * them rendered, caller-owned. The delimiter and encoding in use at the
 * end go to *delim and *enc when not NULL.
 */
static char *
read_all_ex(const void *data, size_t n, const struct st_csv_opts *opts,
	    int *delim, enum st_csv_encoding *enc)
{
	struct st_buf out = ST_BUF_INIT;
	struct st_csv_record *rec;
	struct st_csv_reader *r;
	struct st_error err;
	FILE *f = open_bytes(data, n);
	size_t i;
	int rc;

	st_error_init(&err);
	r = st_csv_reader_new(f, opts, &err);
	ck_assert_msg(r != NULL, "reader_new: %s", err.message);
	while ((rc = st_csv_reader_next(r, &rec, &err)) == 1) {
		st_buf_addf(&out, "%ld", rec->line);
		for (i = 0; i < rec->nfields; i++)
			render_field(&out, rec->fields[i], rec->lens[i]);
		if (rec->error)
			st_buf_addf(&out, " !%s", rec->error);
		st_buf_addch(&out, '\n');
	}
	ck_assert_msg(rc == 0, "reader_next: %s", err.message);
	ck_assert_ptr_null(rec);
	/* the end stays the end */
	ck_assert_int_eq(st_csv_reader_next(r, &rec, &err), 0);
	if (delim)
		*delim = st_csv_reader_delimiter(r);
	if (enc)
		*enc = st_csv_reader_encoding(r);
	st_csv_reader_free(r);
	fclose(f);
	return st_buf_detach(&out);
}

static char *
read_all(const char *s, const struct st_csv_opts *opts)
{
	return read_all_ex(s, strlen(s), opts, NULL, NULL);
}

#define CHECK_CSV(input, opts, expected)                                  \
	do {                                                              \
		char *got_ = read_all((input), (opts));                  \
		ck_assert_str_eq(got_, (expected));                       \
		free(got_);                                               \
	} while (0)

#define CHECK_CSV_N(input, n, opts, expected)                             \
	do {                                                              \
		char *got_ = read_all_ex((input), (n), (opts), NULL, NULL); \
		ck_assert_str_eq(got_, (expected));                       \
		free(got_);                                               \
	} while (0)

/* UTF-8 to UTF-16 (LE or BE) with a BOM, for building test inputs. */
static void
to_utf16(struct st_buf *b, const char *s, bool be)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	unsigned units[2];
	int nu, i;

	st_buf_add(b, be ? "\xFE\xFF" : "\xFF\xFE", 2);
	while (*p) {
		if (*p < 0x80) {
			cp = *p++;
		} else if (*p < 0xE0) {
			cp = (p[0] & 0x1Fu) << 6 | (p[1] & 0x3Fu);
			p += 2;
		} else if (*p < 0xF0) {
			cp = (p[0] & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 |
			     (p[2] & 0x3Fu);
			p += 3;
		} else {
			cp = (p[0] & 0x07ul) << 18 | (p[1] & 0x3Ful) << 12 |
			     (p[2] & 0x3Ful) << 6 | (p[3] & 0x3Ful);
			p += 4;
		}
		if (cp >= 0x10000) {
			units[0] = 0xD800 + (unsigned)((cp - 0x10000) >> 10);
			units[1] = 0xDC00 + (unsigned)((cp - 0x10000) & 0x3FF);
			nu = 2;
		} else {
			units[0] = (unsigned)cp;
			nu = 1;
		}
		for (i = 0; i < nu; i++) {
			char hi = (char)(units[i] >> 8), lo = (char)units[i];

			st_buf_addch(b, be ? hi : lo);
			st_buf_addch(b, be ? lo : hi);
		}
	}
}

START_TEST(test_quoted_fields)
{
	CHECK_CSV("name,notes,city\n"
		  "\"P\xC3\xA9rez, Juan\",\"dijo \"\"hola\"\"\nsegunda\n"
		  "tercera\",Rosario\n"
		  "last,x,y\n",
		  NULL,
		  "1[name][notes][city]\n"
		  "2[P\xC3\xA9rez, Juan][dijo \"hola\"\\nsegunda\\ntercera]"
		  "[Rosario]\n"
		  "5[last][x][y]\n");
	/* a quoted CRLF is kept as it is and counts as one line */
	CHECK_CSV("a,b\r\n\"x\r\ny\",z\r\nq,r\r\n", NULL,
		  "1[a][b]\n2[x\\r\\ny][z]\n4[q][r]\n");
	/* empty quoted fields, and a quoted field at the end of input */
	CHECK_CSV("a,\"\",\"\"\n\"\"\n\"end\"", NULL,
		  "1[a][][]\n2[]\n3[end]\n");
}
END_TEST

START_TEST(test_lenient_quotes)
{
	/* a quote inside an unquoted field is literal; text after a closing
	 * quote is appended */
	CHECK_CSV("a\"b,\"c\"d,\"e\"\"f\",5\" tall\n", NULL,
		  "1[a\"b][cd][e\"f][5\" tall]\n");
	CHECK_CSV("\"ab\"c\"d\",x\n", NULL, "1[abc\"d\"][x]\n");
}
END_TEST

START_TEST(test_line_endings)
{
	const char *expected = "1[a][b]\n2[c][d]\n3[e][f]\n";

	CHECK_CSV("a,b\r\nc,d\r\ne,f\r\n", NULL, expected);
	CHECK_CSV("a,b\nc,d\ne,f\n", NULL, expected);
	CHECK_CSV("a,b\rc,d\re,f\r", NULL, expected);
	CHECK_CSV("a,b\rc,d\ne,f", NULL, expected);
	/* CR CR LF: a blank line in between */
	CHECK_CSV("a,b\r\r\nc,d\n", NULL, "1[a][b]\n3[c][d]\n");
	/* LF CR: two line breaks */
	CHECK_CSV("a,b\n\rc,d\n", NULL, "1[a][b]\n3[c][d]\n");
	/* a lone CR inside quotes */
	CHECK_CSV("\"x\ry\",z\rq\r", NULL, "1[x\\ry][z]\n3[q]\n");
}
END_TEST

START_TEST(test_blank_lines)
{
	CHECK_CSV("\n\na,b\n\n\nc,d\r\n\r\ne,f", NULL,
		  "3[a][b]\n6[c][d]\n8[e][f]\n");
	/* spaces are not a blank line */
	CHECK_CSV("a\n \n\nb\n", NULL, "1[a]\n2[ ]\n4[b]\n");
}
END_TEST

START_TEST(test_utf8_bom)
{
	const char in[] = "\xEF\xBB\xBFid;nombre\r\n1;Jos\xC3\xA9\r\n";
	enum st_csv_encoding enc;
	int delim;
	char *got;

	got = read_all_ex(in, sizeof(in) - 1, NULL, &delim, &enc);
	ck_assert_str_eq(got, "1[id][nombre]\n2[1][Jos\xC3\xA9]\n");
	ck_assert_int_eq(delim, ';');
	ck_assert_int_eq(enc, ST_CSV_ENC_UTF8);
	free(got);

	/* an explicit utf-8 skips the BOM too */
	{
		struct st_csv_opts o = { ';', ST_CSV_ENC_UTF8, 0 };

		CHECK_CSV(in, &o, "1[id][nombre]\n2[1][Jos\xC3\xA9]\n");
	}
	/* a BOM settles UTF-8: a later Latin-1 byte is an error, not a
	 * switch to Windows-1252 */
	CHECK_CSV("\xEF\xBB\xBF" "a\nN\xFA\xF1" "ez\n", NULL,
		  "1[a]\n2[N\xEF\xBF\xBD\xEF\xBF\xBD" "ez]"
		  " !invalid byte sequence for utf-8\n");
	/* a BOM only */
	CHECK_CSV("\xEF\xBB\xBF", NULL, "");
}
END_TEST

static const char lead_export[] =
	"id\tcreated_time\tad_name\tfull_name\tphone_number\temail\t"
	"\xC2\xBFqu\xC3\xA9_zona_busc\xC3\xA1s?\n"
	"l:101\t2024-03-01T10:00:00-03:00\tDeptos Palermo\t"
	"Mar\xC3\xAD" "a N\xC3\xBA\xC3\xB1" "ez\t+5491144445555\t"
	"maria@example.com\tPalermo \xF0\x9F\x8F\xA0\n"
	"l:102\t2024-03-01T11:30:00-03:00\tDeptos Palermo\t"
	"\"Jos\xC3\xA9\tPe\xC3\xB1" "a\"\t011 4444-5555\t\t\"Belgrano\n"
	"o N\xC3\xBA\xC3\xB1" "ez\"\n";

static const char lead_expected[] =
	"1[id][created_time][ad_name][full_name][phone_number][email]"
	"[\xC2\xBFqu\xC3\xA9_zona_busc\xC3\xA1s?]\n"
	"2[l:101][2024-03-01T10:00:00-03:00][Deptos Palermo]"
	"[Mar\xC3\xAD" "a N\xC3\xBA\xC3\xB1" "ez][+5491144445555]"
	"[maria@example.com][Palermo \xF0\x9F\x8F\xA0]\n"
	"3[l:102][2024-03-01T11:30:00-03:00][Deptos Palermo]"
	"[Jos\xC3\xA9\\tPe\xC3\xB1" "a][011 4444-5555][][Belgrano\\n"
	"o N\xC3\xBA\xC3\xB1" "ez]\n";

START_TEST(test_utf16le)
{
	struct st_buf b = ST_BUF_INIT;
	enum st_csv_encoding enc;
	int delim;
	char *got;

	to_utf16(&b, lead_export, false);
	got = read_all_ex(b.data, b.len, NULL, &delim, &enc);
	ck_assert_str_eq(got, lead_expected);
	ck_assert_int_eq(delim, '\t');
	ck_assert_int_eq(enc, ST_CSV_ENC_UTF16LE);
	free(got);

	/* "utf-16" given explicitly: the BOM is still skipped */
	{
		struct st_csv_opts o = { '\t', ST_CSV_ENC_UTF16LE, 0 };

		got = read_all_ex(b.data, b.len, &o, NULL, NULL);
		ck_assert_str_eq(got, lead_expected);
		free(got);
		/* and without a BOM it is taken as said */
		got = read_all_ex(b.data + 2, b.len - 2, &o, NULL, NULL);
		ck_assert_str_eq(got, lead_expected);
		free(got);
	}
	st_buf_release(&b);
}
END_TEST

START_TEST(test_utf16be)
{
	struct st_buf b = ST_BUF_INIT;
	enum st_csv_encoding enc;
	int delim;
	char *got;

	to_utf16(&b, lead_export, true);
	got = read_all_ex(b.data, b.len, NULL, &delim, &enc);
	ck_assert_str_eq(got, lead_expected);
	ck_assert_int_eq(delim, '\t');
	ck_assert_int_eq(enc, ST_CSV_ENC_UTF16BE);
	free(got);

	/* "utf-16" (LE) given, but the BOM says BE: the BOM decides */
	{
		struct st_csv_opts o = { 0, ST_CSV_ENC_UTF16LE, 0 };

		got = read_all_ex(b.data, b.len, &o, NULL, &enc);
		ck_assert_str_eq(got, lead_expected);
		ck_assert_int_eq(enc, ST_CSV_ENC_UTF16BE);
		free(got);
	}
	st_buf_release(&b);
}
END_TEST

START_TEST(test_utf16_errors)
{
	/* a lone low surrogate in record 2, an odd byte at the end */
	static const char in[] = "\xFF\xFE"
				 "a\0,\0b\0\n\0"
				 "c\0\x00\xDC,\0d\0\n\0"
				 "e\0,\0f\0\n\0"
				 "g";
	/* U+0000 in the text */
	static const char nul[] = "\xFE\xFF\0a\0\0\0b\0\n";

	CHECK_CSV_N(in, sizeof(in) - 1, NULL,
		    "1[a][b]\n"
		    "2[c\xEF\xBF\xBD][d] !invalid byte sequence for utf-16le\n"
		    "3[e][f]\n"
		    "4[\xEF\xBF\xBD] !invalid byte sequence for utf-16le\n");
	CHECK_CSV_N(nul, sizeof(nul) - 1, NULL,
		    "1[ab] !NUL byte in the data\n");
}
END_TEST

START_TEST(test_windows1252)
{
	static const char in[] =
		"apellido;nombre;telefono;precio\r\n"
		"N\xFA\xF1" "ez;Mar\xED" "a Jos\xE9;+54 9 341 555-1234;"
		"\x80 1.500\r\n"
		"O\x92Higgins;\xD1" "and\xFA;(011) 4444-5555;\r\n";
	enum st_csv_encoding enc;
	int delim;
	char *got;

	got = read_all_ex(in, sizeof(in) - 1, NULL, &delim, &enc);
	ck_assert_str_eq(got,
			 "1[apellido][nombre][telefono][precio]\n"
			 "2[N\xC3\xBA\xC3\xB1" "ez][Mar\xC3\xAD"
			 "a Jos\xC3\xA9]"
			 "[+54 9 341 555-1234][\xE2\x82\xAC 1.500]\n"
			 "3[O\xE2\x80\x99Higgins][\xC3\x91" "and\xC3\xBA]"
			 "[(011) 4444-5555][]\n");
	ck_assert_int_eq(delim, ';');
	ck_assert_int_eq(enc, ST_CSV_ENC_WINDOWS1252);
	free(got);
}
END_TEST

START_TEST(test_windows1252_late)
{
	struct st_buf in = ST_BUF_INIT, want = ST_BUF_INIT;
	enum st_csv_encoding enc;
	long line = 2;
	char *got;

	st_buf_addstr(&in, "id;apellido;telefono\r\n");
	st_buf_addstr(&want, "1[id][apellido][telefono]\n");
	while (in.len < 200000) {
		st_buf_addf(&in, "%ld;Gomez;+54 11 4444-%04ld\r\n", line,
			    line % 10000);
		st_buf_addf(&want, "%ld[%ld][Gomez][+54 11 4444-%04ld]\n",
			    line, line, line % 10000);
		line++;
	}
	st_buf_addf(&in, "%ld;N\xFA\xF1" "ez;\r\n", line);
	st_buf_addf(&want, "%ld[%ld][N\xC3\xBA\xC3\xB1" "ez][]\n", line,
		    line);
	line++;
	st_buf_addf(&in, "%ld;Pe\xF1" "a;\x81\r\n", line);
	st_buf_addf(&want,
		    "%ld[%ld][Pe\xC3\xB1" "a][\xEF\xBF\xBD]"
		    " !invalid byte sequence for windows-1252\n",
		    line, line);
	line++;
	st_buf_addf(&in, "%ld;\xC1lvarez;\r\n", line);
	st_buf_addf(&want, "%ld[%ld][\xC3\x81lvarez][]\n", line, line);

	got = read_all_ex(in.data, in.len, NULL, NULL, &enc);
	ck_assert_str_eq(got, want.data);
	ck_assert_int_eq(enc, ST_CSV_ENC_WINDOWS1252);
	free(got);
	st_buf_release(&in);
	st_buf_release(&want);
}
END_TEST

START_TEST(test_utf8_bad_byte)
{
	enum st_csv_encoding enc;
	char *got;
	static const char in[] = "nombre,ciudad\n"
				 "Jos\xC3\xA9,C\xC3\xB3rdoba\n"
				 "Mar\xED" "a,Rosario\n"
				 "Ana,Salta\n";

	/* a multi-byte sequence came first: the file is UTF-8, record 3
	 * alone is bad */
	got = read_all_ex(in, sizeof(in) - 1, NULL, NULL, &enc);
	ck_assert_str_eq(got, "1[nombre][ciudad]\n"
			      "2[Jos\xC3\xA9][C\xC3\xB3rdoba]\n"
			      "3[Mar\xEF\xBF\xBD" "a][Rosario]"
			      " !invalid byte sequence for utf-8\n"
			      "4[Ana][Salta]\n");
	ck_assert_int_eq(enc, ST_CSV_ENC_UTF8);
	free(got);

	/* pure ASCII stays UTF-8 */
	got = read_all_ex("a,b\n", 4, NULL, NULL, &enc);
	ck_assert_str_eq(got, "1[a][b]\n");
	ck_assert_int_eq(enc, ST_CSV_ENC_UTF8);
	free(got);
}
END_TEST

START_TEST(test_utf8_invalid_forms)
{
	struct st_csv_opts o = { ',', ST_CSV_ENC_UTF8, 0 };

	/* overlong, surrogate, above U+10FFFF, a cut sequence, a stray
	 * continuation byte: one U+FFFD per maximal ill-formed subpart */
	CHECK_CSV("\xC0\xAF\n"
		  "\xED\xA0\x80\n"
		  "\xF4\x90\x80\x80\n"
		  "\xE2\x82x\n"
		  "\x80y\n"
		  "\xF0\x9F\x8F\xA0ok\n"
		  "\xE2\x82",
		  &o,
		  "1[\xEF\xBF\xBD\xEF\xBF\xBD] !invalid byte sequence for "
		  "utf-8\n"
		  "2[\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD] !invalid byte "
		  "sequence for utf-8\n"
		  "3[\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD] "
		  "!invalid byte sequence for utf-8\n"
		  "4[\xEF\xBF\xBDx] !invalid byte sequence for utf-8\n"
		  "5[\xEF\xBF\xBDy] !invalid byte sequence for utf-8\n"
		  "6[\xF0\x9F\x8F\xA0ok]\n"
		  "7[\xEF\xBF\xBD] !invalid byte sequence for utf-8\n");
}
END_TEST

START_TEST(test_explicit_windows1252)
{
	struct st_csv_opts o = { 0, ST_CSV_ENC_WINDOWS1252, 0 };
	struct st_csv_opts l = { 0, ST_CSV_ENC_LATIN1, 0 };

	CHECK_CSV("a;b\r\nx\x81y;z\r\nok;\xE9\r\n", &o,
		  "1[a][b]\n"
		  "2[x\xEF\xBF\xBDy][z] !invalid byte sequence for "
		  "windows-1252\n"
		  "3[ok][\xC3\xA9]\n");
	/* explicit wins over valid UTF-8: C3 A9 is two characters */
	CHECK_CSV("\xC3\xA9\n", &o, "1[\xC3\x83\xC2\xA9]\n");
	/* Latin-1 has no invalid bytes: 0x81 is U+0081 */
	CHECK_CSV("x\x81y\xE9\n", &l, "1[x\xC2\x81y\xC3\xA9]\n");
	/* an explicit single-byte encoding wins over a UTF-8 BOM */
	CHECK_CSV("\xEF\xBB\xBF" "a\n", &o,
		  "1[\xC3\xAF\xC2\xBB\xC2\xBF" "a]\n");
}
END_TEST

START_TEST(test_long_field)
{
	struct st_buf in = ST_BUF_INIT;
	struct st_csv_record *rec;
	struct st_csv_reader *r;
	struct st_error err;
	size_t i;
	FILE *f;

	st_buf_addstr(&in, "id,data,tail\n1,");
	for (i = 0; i < 1024 * 1024; i++)
		st_buf_addch(&in, 'x');
	st_buf_addstr(&in, ",end\n2,\"");
	for (i = 0; i < 1024 * 1024; i++)
		st_buf_addstr(&in, i % 4096 == 0 ? "\n" : "y");
	st_buf_addstr(&in, "\",end\n3,short,end\n");
	f = open_bytes(in.data, in.len);
	st_buf_release(&in);

	r = st_csv_reader_new(f, NULL, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(st_csv_reader_next(r, &rec, &err), 1);
	ck_assert_ptr_null(rec->error);
	ck_assert_int_eq(st_csv_reader_next(r, &rec, &err), 1);
	ck_assert_int_eq(rec->line, 2);
	ck_assert_str_eq(rec->error, "field longer than 65536 bytes");
	ck_assert_uint_eq(rec->nfields, 3);
	ck_assert_uint_eq(rec->lens[1], 65536);
	ck_assert_uint_eq(strlen(rec->fields[1]), 65536);
	ck_assert_int_eq(rec->fields[1][65535], 'x');
	ck_assert_str_eq(rec->fields[2], "end");
	/* a quoted long field with 256 line breaks in it */
	ck_assert_int_eq(st_csv_reader_next(r, &rec, &err), 1);
	ck_assert_int_eq(rec->line, 3);
	ck_assert_str_eq(rec->error, "field longer than 65536 bytes");
	ck_assert_uint_eq(rec->lens[1], 65536);
	ck_assert_str_eq(rec->fields[2], "end");
	ck_assert_int_eq(st_csv_reader_next(r, &rec, &err), 1);
	ck_assert_int_eq(rec->line, 3 + 256 + 1);
	ck_assert_ptr_null(rec->error);
	ck_assert_str_eq(rec->fields[1], "short");
	ck_assert_int_eq(st_csv_reader_next(r, &rec, &err), 0);
	st_csv_reader_free(r);
	fclose(f);
}
END_TEST

START_TEST(test_max_field_utf8_cut)
{
	struct st_csv_opts o = { ',', ST_CSV_ENC_AUTO, 5 };

	/* never half a character: 5 bytes of "ééé" keep two of them */
	CHECK_CSV("\xC3\xA9\xC3\xA9\xC3\xA9,abcde,abcdef\nok\n", &o,
		  "1[\xC3\xA9\xC3\xA9][abcde][abcde]"
		  " !field longer than 5 bytes\n"
		  "2[ok]\n");
	/* the cut also covers a quoted field and U+FFFD */
	CHECK_CSV("\"ab\"\"cd\"\"\",x\n", &o,
		  "1[ab\"cd][x] !field longer than 5 bytes\n");
}
END_TEST

START_TEST(test_nul_byte)
{
	static const char in[] = "a,b\nc\0d,e\n\"f\0\",g\nh,i\n";

	CHECK_CSV_N(in, sizeof(in) - 1, NULL,
		    "1[a][b]\n"
		    "2[cd][e] !NUL byte in the data\n"
		    "3[f][g] !NUL byte in the data\n"
		    "4[h][i]\n");
	/* a line holding only a NUL is a record, not a blank line */
	CHECK_CSV_N("a\n\0\nb\n", 6, NULL,
		    "1[a]\n2[] !NUL byte in the data\n3[b]\n");
}
END_TEST

START_TEST(test_unterminated_quote)
{
	CHECK_CSV("a,b\n1,\"open\nmore\n", NULL,
		  "1[a][b]\n"
		  "2[1][open\\nmore\\n] !unterminated quoted field\n");
	CHECK_CSV("\"", NULL, "1[] !unterminated quoted field\n");
	/* a closing quote right at the end is fine */
	CHECK_CSV("a,\"b\"", NULL, "1[a][b]\n");
}
END_TEST

START_TEST(test_empty_input)
{
	struct st_csv_record *rec = NULL;
	struct st_csv_reader *r;
	struct st_error err;
	int delim = -1;
	char *got;
	FILE *f = open_bytes("", 0);

	r = st_csv_reader_new(f, NULL, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(st_csv_reader_next(r, &rec, &err), 0);
	ck_assert_ptr_null(rec);
	ck_assert_int_eq(st_csv_reader_delimiter(r), 0);
	st_csv_reader_free(r);
	fclose(f);

	got = read_all_ex("\n\r\n\r", 4, NULL, &delim, NULL);
	ck_assert_str_eq(got, "");
	ck_assert_int_eq(delim, 0);
	free(got);
}
END_TEST

START_TEST(test_header_only)
{
	CHECK_CSV("id,name,phone\n", NULL, "1[id][name][phone]\n");
	CHECK_CSV("id,name,phone", NULL, "1[id][name][phone]\n");
	CHECK_CSV("id\r\n\r\n", NULL, "1[id]\n");
}
END_TEST

START_TEST(test_ragged_rows)
{
	CHECK_CSV("a,b,c\n1\n1,2,3,4,5\n,\n", NULL,
		  "1[a][b][c]\n2[1]\n3[1][2][3][4][5]\n4[][]\n");
}
END_TEST

START_TEST(test_only_delimiters)
{
	struct st_csv_opts o = { ';', ST_CSV_ENC_AUTO, 0 };

	CHECK_CSV("a,b,c,d\n,,,\n", NULL, "1[a][b][c][d]\n2[][][][]\n");
	CHECK_CSV(";;\n", &o, "1[][][]\n");
	/* detection on a header of only delimiters */
	CHECK_CSV("|||\n", NULL, "1[][][][]\n");
}
END_TEST

static void
check_detect(const char *in, int want, const char *expected)
{
	int delim;
	char *got = read_all_ex(in, strlen(in), NULL, &delim, NULL);

	ck_assert_str_eq(got, expected);
	ck_assert_int_eq(delim, want);
	free(got);
}

START_TEST(test_detect_delimiter)
{
	check_detect("a,b;c\n1,2;3\n", ',', "1[a][b;c]\n2[1][2;3]\n");
	check_detect("a;b;c,d\n", ';', "1[a][b][c,d]\n");
	check_detect("a\tb\tc;d\n", '\t', "1[a][b][c;d]\n");
	check_detect("a|b|c,d\n", '|', "1[a][b][c,d]\n");
	/* ties go to ',' then ';' then tab then '|' */
	check_detect("a,b;c\n", ',', "1[a][b;c]\n");
	check_detect("a|b;c\n", ';', "1[a|b][c]\n");
	check_detect("a|b\tc\n", '\t', "1[a|b][c]\n");
	check_detect("solo\n", ',', "1[solo]\n");
	/* delimiters in quotes do not count */
	check_detect("\"a,b,c\";d;e\n", ';', "1[a,b,c][d][e]\n");
	/* the header may span lines in quotes; blank lines before it */
	check_detect("\n\"x\ny,z,w\";q;r\n1;2;3\n", ';',
		     "2[x\\ny,z,w][q][r]\n4[1][2][3]\n");
	/* only the first record counts */
	check_detect("a;b\nc,d,e,f\n", ';', "1[a][b]\n2[c,d,e,f]\n");
}
END_TEST

/*
 * A character, a CRLF and a "" pair at each spot around the edge of the
 * first 64 KiB input block, as UTF-8 (the edge after byte 65536) and as
 * UTF-16LE (after character 32767, where a surrogate pair gets cut).
 */
static void
check_edge(size_t k, bool utf16)
{
	struct st_csv_opts o = { 0, ST_CSV_ENC_AUTO, 1 << 20 };
	struct st_buf in = ST_BUF_INIT, u16 = ST_BUF_INIT;
	struct st_csv_record *rec;
	struct st_csv_reader *r;
	struct st_error err;
	size_t i;
	FILE *f;

	st_buf_addstr(&in, "h\r\n\"");
	for (i = in.len; i < k; i++)
		st_buf_addch(&in, 'x');
	st_buf_addstr(&in, "\xF0\x9F\x8F\xA0\"\"\xC3\xA9\"\r\nz\r\n");
	if (utf16)
		to_utf16(&u16, in.data, false);
	f = utf16 ? open_bytes(u16.data, u16.len) : open_bytes(in.data, in.len);
	r = st_csv_reader_new(f, &o, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(st_csv_reader_next(r, &rec, &err), 1);
	ck_assert_str_eq(rec->fields[0], "h");
	ck_assert_int_eq(st_csv_reader_next(r, &rec, &err), 1);
	ck_assert_ptr_null(rec->error);
	ck_assert_int_eq(rec->line, 2);
	ck_assert_uint_eq(rec->nfields, 1);
	ck_assert_uint_eq(rec->lens[0], k - 4 + 4 + 1 + 2);
	ck_assert_str_eq(rec->fields[0] + k - 4, "\xF0\x9F\x8F\xA0\"\xC3\xA9");
	ck_assert_int_eq(st_csv_reader_next(r, &rec, &err), 1);
	ck_assert_int_eq(rec->line, 3);
	ck_assert_str_eq(rec->fields[0], "z");
	ck_assert_int_eq(st_csv_reader_next(r, &rec, &err), 0);
	ck_assert_int_eq(st_csv_reader_encoding(r),
			 utf16 ? ST_CSV_ENC_UTF16LE : ST_CSV_ENC_UTF8);
	st_csv_reader_free(r);
	fclose(f);
	st_buf_release(&in);
	st_buf_release(&u16);
}

START_TEST(test_block_edges)
{
	size_t k;

	for (k = 65526; k < 65542; k++)
		check_edge(k, false);
	for (k = 32758; k < 32772; k++)
		check_edge(k, true);
}
END_TEST

START_TEST(test_read_error)
{
	struct st_csv_record *rec;
	struct st_csv_reader *r;
	struct st_error err;
	FILE *f = fopen("/dev/null", "w");

	ck_assert_ptr_nonnull(f);
	r = st_csv_reader_new(f, NULL, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(st_csv_reader_next(r, &rec, &err), -1);
	ck_assert_ptr_null(rec);
	ck_assert_int_eq(err.code, ST_EIO);
	ck_assert_msg(strncmp(err.message, "cannot read input: ", 19) == 0,
		      "%s", err.message);
	ck_assert_int_eq(st_csv_reader_next(r, &rec, &err), -1);
	st_csv_reader_free(r);
	fclose(f);
}
END_TEST

START_TEST(test_bad_options)
{
	struct st_csv_opts o = { ':', ST_CSV_ENC_AUTO, 0 };
	struct st_error err;

	st_error_init(&err);
	ck_assert_ptr_null(st_csv_reader_new(stdin, &o, &err));
	ck_assert_int_eq(err.code, ST_EINVAL);
	ck_assert_str_eq(err.message, "invalid csv delimiter 58");
	o.delimiter = 0;
	o.encoding = (enum st_csv_encoding)42;
	ck_assert_ptr_null(st_csv_reader_new(stdin, &o, &err));
	ck_assert_int_eq(err.code, ST_EINVAL);
	st_csv_reader_free(NULL);
}
END_TEST

START_TEST(test_field_writer)
{
	struct st_buf b = ST_BUF_INIT;

	st_csv_field(&b, "plain", ',');
	st_buf_addch(&b, ',');
	st_csv_field(&b, NULL, ',');
	st_buf_addch(&b, ',');
	st_csv_field(&b, "", ',');
	st_buf_addch(&b, ',');
	st_csv_field(&b, "a,b", ',');
	st_buf_addch(&b, ',');
	st_csv_field(&b, "a;b", ',');
	st_buf_addch(&b, ',');
	st_csv_field(&b, "dijo \"hola\"", ',');
	st_buf_addch(&b, ',');
	st_csv_field(&b, "l1\nl2", ',');
	st_buf_addch(&b, ',');
	st_csv_field(&b, "cr\r", ',');
	st_buf_addch(&b, ',');
	st_csv_field(&b, " lead", ',');
	st_buf_addch(&b, ',');
	st_csv_field(&b, "trail ", ',');
	st_buf_addch(&b, ',');
	st_csv_field(&b, "in side", ',');
	st_buf_addch(&b, ',');
	st_csv_field(&b, "N\xC3\xBA\xC3\xB1" "ez", ',');
	ck_assert_str_eq(b.data, "plain,,,\"a,b\",a;b,\"dijo \"\"hola\"\"\","
				 "\"l1\nl2\",\"cr\r\",\" lead\",\"trail \","
				 "in side,N\xC3\xBA\xC3\xB1" "ez");

	st_buf_reset(&b);
	st_csv_field(&b, "a;b", ';');
	st_buf_addch(&b, ';');
	st_csv_field(&b, "a,b", ';');
	st_buf_addch(&b, ';');
	st_csv_field(&b, "a\tb", '\t');
	st_buf_addch(&b, ';');
	st_csv_field(&b, "a|b", '|');
	st_buf_addch(&b, ';');
	st_csv_field(&b, "\"", ';');
	ck_assert_str_eq(b.data, "\"a;b\";a,b;\"a\tb\";\"a|b\";\"\"\"\"");
	st_buf_release(&b);
}
END_TEST

START_TEST(test_round_trip)
{
	static const char *const vals[] = {
		"a,b", "x\"y", "l1\r\nl2", " sp ", "",
		("N\xC3\xBA\xC3\xB1" "ez"),
	};
	struct st_buf b = ST_BUF_INIT;
	size_t i;

	for (i = 0; i < ST_ARRAY_SIZE(vals); i++) {
		if (i > 0)
			st_buf_addch(&b, ',');
		st_csv_field(&b, vals[i], ',');
	}
	st_buf_addstr(&b, "\r\n");
	CHECK_CSV(b.data, NULL,
		  "1[a,b][x\"y][l1\\r\\nl2][ sp ][][N\xC3\xBA\xC3\xB1" "ez]\n");
	st_buf_release(&b);
}
END_TEST

START_TEST(test_parse_names)
{
	enum st_csv_encoding e = ST_CSV_ENC_AUTO;
	int d = -1;

	ck_assert_int_eq(st_csv_encoding_parse("UTF-8", &e), 0);
	ck_assert_int_eq(e, ST_CSV_ENC_UTF8);
	ck_assert_int_eq(st_csv_encoding_parse("utf8", &e), 0);
	ck_assert_int_eq(e, ST_CSV_ENC_UTF8);
	ck_assert_int_eq(st_csv_encoding_parse("utf-16", &e), 0);
	ck_assert_int_eq(e, ST_CSV_ENC_UTF16LE);
	ck_assert_int_eq(st_csv_encoding_parse("UTF-16LE", &e), 0);
	ck_assert_int_eq(e, ST_CSV_ENC_UTF16LE);
	ck_assert_int_eq(st_csv_encoding_parse("utf-16be", &e), 0);
	ck_assert_int_eq(e, ST_CSV_ENC_UTF16BE);
	ck_assert_int_eq(st_csv_encoding_parse("Windows-1252", &e), 0);
	ck_assert_int_eq(e, ST_CSV_ENC_WINDOWS1252);
	ck_assert_int_eq(st_csv_encoding_parse("CP1252", &e), 0);
	ck_assert_int_eq(e, ST_CSV_ENC_WINDOWS1252);
	ck_assert_int_eq(st_csv_encoding_parse("latin1", &e), 0);
	ck_assert_int_eq(e, ST_CSV_ENC_LATIN1);
	ck_assert_int_eq(st_csv_encoding_parse("ISO-8859-1", &e), 0);
	ck_assert_int_eq(e, ST_CSV_ENC_LATIN1);
	ck_assert_int_eq(st_csv_encoding_parse("auto", &e), 0);
	ck_assert_int_eq(e, ST_CSV_ENC_AUTO);
	e = ST_CSV_ENC_UTF8;
	ck_assert_int_eq(st_csv_encoding_parse("ebcdic", &e), -1);
	ck_assert_int_eq(st_csv_encoding_parse("utf-8 ", &e), -1);
	ck_assert_int_eq(st_csv_encoding_parse("", &e), -1);
	ck_assert_int_eq(st_csv_encoding_parse(NULL, &e), -1);
	ck_assert_int_eq(e, ST_CSV_ENC_UTF8);

	ck_assert_str_eq(st_csv_encoding_name(ST_CSV_ENC_AUTO), "auto");
	ck_assert_str_eq(st_csv_encoding_name(ST_CSV_ENC_UTF8), "utf-8");
	ck_assert_str_eq(st_csv_encoding_name(ST_CSV_ENC_UTF16LE),
			 "utf-16le");
	ck_assert_str_eq(st_csv_encoding_name(ST_CSV_ENC_UTF16BE),
			 "utf-16be");
	ck_assert_str_eq(st_csv_encoding_name(ST_CSV_ENC_WINDOWS1252),
			 "windows-1252");
	ck_assert_str_eq(st_csv_encoding_name(ST_CSV_ENC_LATIN1), "latin1");

	ck_assert_int_eq(st_csv_delimiter_parse(",", &d), 0);
	ck_assert_int_eq(d, ',');
	ck_assert_int_eq(st_csv_delimiter_parse(";", &d), 0);
	ck_assert_int_eq(d, ';');
	ck_assert_int_eq(st_csv_delimiter_parse("|", &d), 0);
	ck_assert_int_eq(d, '|');
	ck_assert_int_eq(st_csv_delimiter_parse("TAB", &d), 0);
	ck_assert_int_eq(d, '\t');
	d = 0;
	ck_assert_int_eq(st_csv_delimiter_parse("\t", &d), 0);
	ck_assert_int_eq(d, '\t');
	d = 0;
	ck_assert_int_eq(st_csv_delimiter_parse("\\t", &d), 0);
	ck_assert_int_eq(d, '\t');
	ck_assert_int_eq(st_csv_delimiter_parse("auto", &d), 0);
	ck_assert_int_eq(d, 0);
	d = ',';
	ck_assert_int_eq(st_csv_delimiter_parse(":", &d), -1);
	ck_assert_int_eq(st_csv_delimiter_parse(",,", &d), -1);
	ck_assert_int_eq(st_csv_delimiter_parse("", &d), -1);
	ck_assert_int_eq(st_csv_delimiter_parse(NULL, &d), -1);
	ck_assert_int_eq(d, ',');
}
END_TEST

Suite *
csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("reader");
	TCase *tw = tcase_create("writer");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_quoted_fields);
	tcase_add_test(tc, test_lenient_quotes);
	tcase_add_test(tc, test_line_endings);
	tcase_add_test(tc, test_blank_lines);
	tcase_add_test(tc, test_utf8_bom);
	tcase_add_test(tc, test_utf16le);
	tcase_add_test(tc, test_utf16be);
	tcase_add_test(tc, test_utf16_errors);
	tcase_add_test(tc, test_windows1252);
	tcase_add_test(tc, test_windows1252_late);
	tcase_add_test(tc, test_utf8_bad_byte);
	tcase_add_test(tc, test_utf8_invalid_forms);
	tcase_add_test(tc, test_explicit_windows1252);
	tcase_add_test(tc, test_long_field);
	tcase_add_test(tc, test_max_field_utf8_cut);
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_unterminated_quote);
	tcase_add_test(tc, test_empty_input);
	tcase_add_test(tc, test_header_only);
	tcase_add_test(tc, test_ragged_rows);
	tcase_add_test(tc, test_only_delimiters);
	tcase_add_test(tc, test_detect_delimiter);
	tcase_add_test(tc, test_block_edges);
	tcase_add_test(tc, test_read_error);
	tcase_add_test(tc, test_bad_options);
	suite_add_tcase(s, tc);

	tcase_add_test(tw, test_field_writer);
	tcase_add_test(tw, test_round_trip);
	tcase_add_test(tw, test_parse_names);
	suite_add_tcase(s, tw);
	return s;
}
