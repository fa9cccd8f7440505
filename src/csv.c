/*
 * csv.c - the streaming CSV reader and the RFC 4180 field writer.
 *
 * The reader is three layers, each keeping only what it needs across
 * calls, so memory depends on the longest record and never on the input:
 *
 *   input     raw bytes from the FILE in 64 KiB blocks, plus the few bytes
 *             of a character split across two blocks;
 *   decoding  UTF-8 is validated in place, without a copy (the common case
 *             must not pay for a converter); the other encodings go through
 *             iconv into a second block. Either way the parser is handed
 *             UTF-8 in which an invalid input sequence has become the byte
 *             MARK_BAD, and any further bytes of that same sequence
 *             MARK_SKIP. Valid UTF-8 never holds those two bytes, so the
 *             error travels in band, in order, to the record it belongs to;
 *   parsing   an RFC 4180 state machine over that text, storing only the
 *             current record, each field cut at max_field.
 *
 * In auto mode a file without BOM starts as UTF-8 that "may switch": the
 * first invalid sequence, if no multi-byte sequence came before it, turns
 * the decoder into Windows-1252 right there. Everything decoded before was
 * ASCII, which both encodings read the same, so switching at that byte
 * gives exactly what re-decoding the current record (or the whole input)
 * as Windows-1252 would, without keeping any raw bytes around.
 *
 * Delimiter detection reads ahead only over the first record (at most
 * CSV_SNIFF_MAX bytes of it), keeping that text to parse afterwards.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strato/csv.h"
#include "strato/error.h"
#include "strato/util.h"

#define CSV_CHUNK (64 * 1024)
#define CSV_IN_CAP (CSV_CHUNK + 16)
/* iconv to UTF-8 makes at most 3 bytes of one input byte (or of 2 UTF-16
 * bytes), so a whole input block always fits. */
#define CSV_OUT_CAP (3 * CSV_IN_CAP + 16)
#define CSV_SNIFF_MAX (256 * 1024)

#define MARK_BAD 0xFF
#define MARK_SKIP 0xFE

enum csv_pstate {
	PS_REC_START,   /* between records: blank lines are skipped */
	PS_FIELD_START, /* at the start of a field */
	PS_UNQUOTED,    /* inside an unquoted field */
	PS_QUOTED,      /* inside quotes */
	PS_QUOTE_SEEN,  /* a quote inside quotes: closing, or half of "" */
};

enum csv_sstate {
	SN_START,
	SN_FIELD,
	SN_UNQUOTED,
	SN_QUOTED,
	SN_QUOTE,
	SN_DONE,
};

/* One delimiter candidate counting the fields of the first record. */
struct csv_sniffer {
	enum csv_sstate state;
	size_t fields;
};

static const char csv_candidates[4] = { ',', ';', '\t', '|' };

static const char *const enc_names[] = {
	"auto", "utf-8", "utf-16le", "utf-16be", "windows-1252", "latin1",
};

static const char *const enc_iconv_names[] = {
	NULL, NULL, "UTF-16LE", "UTF-16BE", "WINDOWS-1252", "ISO-8859-1",
};

static const char *const bad_sequence_errors[] = {
	"invalid byte sequence for utf-8",
	"invalid byte sequence for utf-8",
	"invalid byte sequence for utf-16le",
	"invalid byte sequence for utf-16be",
	"invalid byte sequence for windows-1252",
	"invalid byte sequence for latin1",
};

struct st_csv_reader {
	FILE *f;
	int delim;  /* reported: 0 until detected */
	int pdelim; /* what the parser splits on */
	enum st_csv_encoding enc;
	size_t max_field;
	bool started, done, failed;
	bool may_switch; /* auto mode, nothing but ASCII so far */
	char fail_msg[256];

	/* input block: [in_pos, in_len) not decoded yet */
	unsigned char *in;
	size_t in_pos, in_len;
	bool in_eof, need_more;

	iconv_t cd;
	unsigned char *out;

	/* decoded text being parsed: [spos, slen) left */
	const unsigned char *src;
	size_t spos, slen;
	struct st_buf sniff; /* first record, read ahead to find delimiter */
	bool sniff_pending;

	enum csv_pstate state;
	bool prev_cr; /* last byte was CR: an LF now completes CRLF */
	long line;
	unsigned char spec_plain[256];
	unsigned char spec_quoted[256];

	/* the current record: NUL-terminated fields one after another */
	char *rbuf;
	size_t rlen, rcap, fstart;
	bool ftrunc; /* the current field hit max_field: drop the rest */
	size_t *foff, *flen;
	char **fptr;
	size_t nf, fcap;
	struct st_csv_record rec;
	char long_error[64];
};

static int
reader_fail(struct st_csv_reader *r, const char *what, int errnum)
{
	snprintf(r->fail_msg, sizeof(r->fail_msg), "%s: %s", what,
		 strerror(errnum));
	r->failed = true;
	return -1;
}

/*
 * Read the next block after keeping the undecoded tail (at most 3 bytes of
 * a character cut by the end of the previous block) at the front.
 */
static int
input_read(struct st_csv_reader *r)
{
	size_t left = r->in_len - r->in_pos;
	size_t n;

	if (left > 0 && r->in_pos > 0)
		memmove(r->in, r->in + r->in_pos, left);
	r->in_pos = 0;
	r->in_len = left;
	r->need_more = false;
	n = fread(r->in + left, 1, CSV_CHUNK, r->f);
	r->in_len += n;
	if (n < CSV_CHUNK) {
		if (ferror(r->f))
			return reader_fail(r, "cannot read input", errno);
		r->in_eof = true;
	}
	return 0;
}

static int
open_iconv(struct st_csv_reader *r)
{
	char what[64];

	r->cd = iconv_open("UTF-8", enc_iconv_names[r->enc]);
	if (r->cd == (iconv_t)-1) {
		snprintf(what, sizeof(what), "cannot convert from %s",
			 enc_names[r->enc]);
		return reader_fail(r, what, errno);
	}
	if (r->out == NULL)
		r->out = st_xmalloc(CSV_OUT_CAP);
	return 0;
}

/*
 * Length of the UTF-8 sequence at p (n > 0 bytes available) when it is
 * valid; otherwise minus the length of its longest valid prefix (the
 * "maximal subpart" that becomes one U+FFFD), or 0 when it is a valid
 * prefix cut short by the end of the bytes. Overlong forms, surrogates and
 * code points above U+10FFFF are invalid.
 */
static int
utf8_check(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	int need, i;

	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return -1;
	}
	for (i = 1; i <= need; i++) {
		if ((size_t)i >= n)
			return 0;
		if (p[i] < lo || p[i] > hi)
			return -i;
		lo = 0x80;
		hi = 0xBF;
	}
	return need + 1;
}

/*
 * Validate the input block as UTF-8 in place and hand it to the parser as
 * it is. ASCII is checked eight bytes at a time.
 */
static int
decode_utf8(struct st_csv_reader *r)
{
	unsigned char *start = r->in + r->in_pos, *p = start;
	unsigned char *end = r->in + r->in_len;
	uint64_t w;
	int k;

	while (p < end) {
		while (end - p >= 8) {
			memcpy(&w, p, 8);
			if (w & UINT64_C(0x8080808080808080))
				break;
			p += 8;
		}
		if (p == end)
			break;
		if (*p < 0x80) {
			p++;
			continue;
		}
		k = utf8_check(p, (size_t)(end - p));
		if (k > 0) {
			r->may_switch = false;
			p += k;
			continue;
		}
		if (k == 0 && !r->in_eof) {
			r->need_more = true;
			break;
		}
		if (r->may_switch) {
			r->may_switch = false;
			r->enc = ST_CSV_ENC_WINDOWS1252;
			if (open_iconv(r) < 0)
				return -1;
			break;
		}
		if (k == 0)
			k = -(int)(end - p);
		p[0] = MARK_BAD;
		memset(p + 1, MARK_SKIP, (size_t)(-k - 1));
		p += -k;
	}
	r->in_pos = (size_t)(p - r->in);
	r->src = start;
	r->spos = 0;
	r->slen = (size_t)(p - start);
	return 0;
}

/*
 * Convert the input block with iconv. Each invalid sequence (one byte, or
 * one UTF-16 unit) becomes MARK_BAD; a sequence cut by the end of the
 * block waits for the next one, or is invalid at the end of the input.
 */
static int
decode_iconv(struct st_csv_reader *r)
{
	char *ib = (char *)r->in + r->in_pos, *ob = (char *)r->out;
	size_t il = r->in_len - r->in_pos, ol = CSV_OUT_CAP;
	bool utf16 = r->enc == ST_CSV_ENC_UTF16LE ||
		     r->enc == ST_CSV_ENC_UTF16BE;
	size_t unit = utf16 ? 2 : 1;
	size_t skip;
	int e;

	while (il > 0) {
		if (iconv(r->cd, &ib, &il, &ob, &ol) != (size_t)-1)
			break;
		e = errno;
		if (e == E2BIG || ol == 0)
			break;
		if (e == EINVAL && !r->in_eof) {
			r->need_more = true;
			break;
		}
		*ob++ = (char)MARK_BAD;
		ol--;
		skip = e == EINVAL || unit > il ? il : unit;
		ib += skip;
		il -= skip;
	}
	r->in_pos = (size_t)((unsigned char *)ib - r->in);
	r->src = r->out;
	r->spos = 0;
	r->slen = (size_t)((unsigned char *)ob - r->out);
	return 0;
}

/*
 * Decode the next piece of input into src: 1 when there is some text, 0
 * at the end of the input, -1 on a read error.
 */
static int
decode_next(struct st_csv_reader *r)
{
	int rc;

	for (;;) {
		if (r->in_pos < r->in_len && !r->need_more) {
			if (r->enc == ST_CSV_ENC_UTF8)
				rc = decode_utf8(r);
			else
				rc = decode_iconv(r);
			if (rc < 0)
				return -1;
			if (r->slen > 0)
				return 1;
			continue;
		}
		if (r->in_eof)
			return 0;
		if (input_read(r) < 0)
			return -1;
	}
}

/*
 * The first read: a BOM settles the encoding in auto mode (and is skipped
 * whenever it names the encoding in use; a UTF-16 BOM also picks the byte
 * order for an explicit UTF-16, as "utf-16" means LE unless a BOM says BE).
 */
static int
reader_start(struct st_csv_reader *r)
{
	const unsigned char *p = r->in;
	bool bom8, le, be;

	if (input_read(r) < 0)
		return -1;
	bom8 = r->in_len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF;
	le = r->in_len >= 2 && p[0] == 0xFF && p[1] == 0xFE;
	be = r->in_len >= 2 && p[0] == 0xFE && p[1] == 0xFF;

	if (r->enc == ST_CSV_ENC_AUTO) {
		if (le)
			r->enc = ST_CSV_ENC_UTF16LE;
		else if (be)
			r->enc = ST_CSV_ENC_UTF16BE;
		else
			r->enc = ST_CSV_ENC_UTF8;
		r->may_switch = !le && !be && !bom8;
	} else if (r->enc == ST_CSV_ENC_UTF16LE ||
		   r->enc == ST_CSV_ENC_UTF16BE) {
		if (le)
			r->enc = ST_CSV_ENC_UTF16LE;
		else if (be)
			r->enc = ST_CSV_ENC_UTF16BE;
	}
	if (r->enc == ST_CSV_ENC_UTF8 && bom8)
		r->in_pos = 3;
	else if ((r->enc == ST_CSV_ENC_UTF16LE && le) ||
		 (r->enc == ST_CSV_ENC_UTF16BE && be))
		r->in_pos = 2;
	if (r->enc != ST_CSV_ENC_UTF8)
		return open_iconv(r);
	return 0;
}

/*
 * Run the candidates over n bytes of text; true once every one of them
 * has seen the end of the first record. The rules mirror parse_text().
 */
static bool
sniff_feed(struct csv_sniffer *m, const unsigned char *s, size_t n)
{
	bool all = true;
	size_t k, i;

	for (k = 0; k < ST_ARRAY_SIZE(csv_candidates); k++) {
		unsigned char d = (unsigned char)csv_candidates[k];
		enum csv_sstate st = m[k].state;

		for (i = 0; i < n && st != SN_DONE; i++) {
			unsigned char c = s[i];

			if (st == SN_QUOTED) {
				if (c == '"')
					st = SN_QUOTE;
				continue;
			}
			if (st == SN_START) {
				if (c == '\r' || c == '\n' || c == MARK_SKIP)
					continue;
				m[k].fields = 1;
				st = SN_FIELD;
			}
			if (c == '"' && st != SN_UNQUOTED) {
				st = SN_QUOTED;
			} else if (c == d) {
				m[k].fields++;
				st = SN_FIELD;
			} else if (c == '\r' || c == '\n') {
				st = SN_DONE;
			} else if (c != MARK_SKIP) {
				st = SN_UNQUOTED;
			}
		}
		m[k].state = st;
		if (st != SN_DONE)
			all = false;
	}
	return all;
}

/*
 * Read the first record ahead (up to CSV_SNIFF_MAX bytes of it) into
 * r->sniff and pick the candidate that splits it into the most fields,
 * the earlier in csv_candidates on a tie.
 */
static int
sniff_delimiter(struct st_csv_reader *r)
{
	struct csv_sniffer m[ST_ARRAY_SIZE(csv_candidates)];
	size_t k, best = 0;
	int rc;

	memset(m, 0, sizeof(m));
	for (;;) {
		rc = decode_next(r);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		st_buf_add(&r->sniff, (const char *)r->src, r->slen);
		r->spos = r->slen;
		if (sniff_feed(m, r->src, r->slen) ||
		    r->sniff.len >= CSV_SNIFF_MAX)
			break;
	}
	r->sniff_pending = true;
	for (k = 1; k < ST_ARRAY_SIZE(m); k++)
		if (m[k].fields > m[best].fields)
			best = k;
	r->pdelim = csv_candidates[best];
	if (m[best].fields > 0)
		r->delim = r->pdelim;
	return 0;
}

/* The next text for the parser: the read-ahead first, then the decoder. */
static int
text_fill(struct st_csv_reader *r)
{
	if (r->sniff_pending) {
		r->sniff_pending = false;
		if (r->sniff.len > 0) {
			r->src = (const unsigned char *)r->sniff.data;
			r->spos = 0;
			r->slen = r->sniff.len;
			return 1;
		}
	}
	st_buf_release(&r->sniff);
	return decode_next(r);
}

static void
build_tables(struct st_csv_reader *r)
{
	static const unsigned char always[] = { '"', '\r', '\n', '\0',
						MARK_BAD, MARK_SKIP };
	size_t i;

	memset(r->spec_plain, 0, sizeof(r->spec_plain));
	memset(r->spec_quoted, 0, sizeof(r->spec_quoted));
	for (i = 0; i < sizeof(always); i++) {
		r->spec_plain[always[i]] = 1;
		r->spec_quoted[always[i]] = 1;
	}
	r->spec_plain[(unsigned char)r->pdelim] = 1;
}

static void
record_error(struct st_csv_reader *r, const char *why)
{
	if (r->rec.error == NULL)
		r->rec.error = why;
}

static void
rbuf_reserve(struct st_csv_reader *r, size_t n)
{
	size_t cap;

	if (r->rcap - r->rlen >= n)
		return;
	cap = r->rcap ? r->rcap : 256;
	while (cap - r->rlen < n)
		cap *= 2;
	r->rbuf = st_xrealloc(r->rbuf, cap);
	r->rcap = cap;
}

/*
 * Append text to the current field. At max_field the field is cut at the
 * last whole character that fits (the text is valid UTF-8 and pieces never
 * split a character) and everything after is dropped.
 */
static void
field_add(struct st_csv_reader *r, const unsigned char *p, size_t n)
{
	size_t room = r->max_field - (r->rlen - r->fstart);

	if (r->ftrunc)
		return;
	if (n > room) {
		n = room;
		while (n > 0 && (p[n] & 0xC0) == 0x80)
			n--;
		r->ftrunc = true;
		record_error(r, r->long_error);
	}
	rbuf_reserve(r, n);
	memcpy(r->rbuf + r->rlen, p, n);
	r->rlen += n;
}

static void
field_end(struct st_csv_reader *r)
{
	/* Memory is bounded per record: past the limit fields are dropped
	 * (a line of a million commas is not a million fields to keep). */
	if (r->nf >= ST_CSV_MAX_FIELDS) {
		record_error(r, "more than " ST_CSV_MAX_FIELDS_TEXT " fields");
		r->rlen = r->fstart;
		r->ftrunc = false;
		return;
	}
	rbuf_reserve(r, 1);
	r->rbuf[r->rlen++] = '\0';
	if (r->nf == r->fcap) {
		r->fcap = r->fcap ? 2 * r->fcap : 16;
		r->foff = st_xrealloc(r->foff, r->fcap * sizeof(*r->foff));
		r->flen = st_xrealloc(r->flen, r->fcap * sizeof(*r->flen));
		r->fptr = st_xrealloc(r->fptr, r->fcap * sizeof(*r->fptr));
	}
	r->foff[r->nf] = r->fstart;
	r->flen[r->nf] = r->rlen - 1 - r->fstart;
	r->nf++;
	r->fstart = r->rlen;
	r->ftrunc = false;
}

/* Close the last field and point the record at the stored fields. */
static void
record_finish(struct st_csv_reader *r)
{
	size_t i;

	field_end(r);
	for (i = 0; i < r->nf; i++)
		r->fptr[i] = r->rbuf + r->foff[i];
	r->rec.nfields = r->nf;
	r->rec.fields = r->fptr;
	r->rec.lens = r->flen;
	r->state = PS_REC_START;
}

/*
 * One byte the parser tables mark as special (outside a run of ordinary
 * text). True when it ended the record.
 */
static bool
parse_special(struct st_csv_reader *r, unsigned char c)
{
	static const unsigned char quote = '"';
	static const unsigned char fffd[] = { 0xEF, 0xBF, 0xBD };

	switch (c) {
	case '\0':
		record_error(r, "NUL byte in the data");
		if (r->state != PS_QUOTED)
			r->state = PS_UNQUOTED;
		return false;
	case MARK_BAD:
		record_error(r, bad_sequence_errors[r->enc]);
		field_add(r, fffd, sizeof(fffd));
		if (r->state != PS_QUOTED)
			r->state = PS_UNQUOTED;
		return false;
	case MARK_SKIP:
		return false;
	case '"':
		if (r->state == PS_QUOTED) {
			r->state = PS_QUOTE_SEEN;
		} else if (r->state == PS_QUOTE_SEEN) {
			field_add(r, &quote, 1);
			r->state = PS_QUOTED;
		} else if (r->state == PS_FIELD_START) {
			r->state = PS_QUOTED;
		} else {
			field_add(r, &quote, 1); /* lenient: a"b is a"b */
		}
		return false;
	case '\r':
	case '\n':
		r->line++;
		r->prev_cr = c == '\r';
		if (r->state == PS_QUOTED) {
			field_add(r, &c, 1);
			return false;
		}
		record_finish(r);
		return true;
	default: /* the delimiter, outside quotes */
		field_end(r);
		r->state = PS_FIELD_START;
		return false;
	}
}

/*
 * Parse src from spos until a record ends (true) or the text runs out.
 * Ordinary bytes are taken in runs, found through a table per state.
 */
static bool
parse_text(struct st_csv_reader *r)
{
	const unsigned char *s = r->src, *spec;
	size_t pos = r->spos, len = r->slen, q;
	bool ended = false;
	unsigned char c;

	while (pos < len && !ended) {
		c = s[pos];
		if (r->prev_cr) {
			r->prev_cr = false;
			if (c == '\n') { /* the LF of a CRLF: already counted */
				if (r->state == PS_QUOTED)
					field_add(r, s + pos, 1);
				pos++;
				continue;
			}
		}
		if (r->state == PS_REC_START) {
			if (c == '\r' || c == '\n' || c == MARK_SKIP) {
				if (c != MARK_SKIP)
					r->line++;
				r->prev_cr = c == '\r';
				pos++;
				continue;
			}
			r->rec.line = r->line;
			r->state = PS_FIELD_START;
		}
		spec = r->state == PS_QUOTED ? r->spec_quoted : r->spec_plain;
		if (spec[c]) {
			pos++;
			ended = parse_special(r, c);
			continue;
		}
		q = pos + 1;
		while (q < len && !spec[s[q]])
			q++;
		field_add(r, s + pos, q - pos);
		if (r->state != PS_QUOTED)
			r->state = PS_UNQUOTED;
		pos = q;
	}
	r->spos = pos;
	return ended;
}

/*
 * Create a reader over f. Checks the options only; the first read happens
 * in st_csv_reader_next(). The caller frees it with st_csv_reader_free()
 * and still owns f.
 */
struct st_csv_reader *
st_csv_reader_new(FILE *f, const struct st_csv_opts *opts,
		  struct st_error *err)
{
	struct st_csv_reader *r = NULL;
	int delim = opts ? opts->delimiter : 0;
	enum st_csv_encoding enc = opts ? opts->encoding : ST_CSV_ENC_AUTO;
	size_t max_field = opts && opts->max_field ? opts->max_field :
						     ST_CSV_MAX_FIELD_DEFAULT;

	if (f == NULL) {
		st_error_set(err, ST_EINVAL, "no input stream for csv reader");
		goto cleanup;
	}
	if (delim != 0 && delim != ',' && delim != ';' && delim != '\t' &&
	    delim != '|') {
		st_error_set(err, ST_EINVAL, "invalid csv delimiter %d",
			     delim);
		st_error_hint(err, "Use ',', ';', tab or '|'.");
		goto cleanup;
	}
	if ((unsigned)enc > ST_CSV_ENC_LATIN1) {
		st_error_set(err, ST_EINVAL, "invalid csv encoding %d",
			     (int)enc);
		goto cleanup;
	}
	r = st_xcalloc(1, sizeof(*r));
	r->f = f;
	r->delim = delim;
	r->pdelim = delim;
	r->enc = enc;
	r->max_field = max_field;
	r->cd = (iconv_t)-1;
	r->in = st_xmalloc(CSV_IN_CAP);
	r->line = 1;
	r->state = PS_REC_START;
	st_buf_init(&r->sniff);
	snprintf(r->long_error, sizeof(r->long_error),
		 "field longer than %zu bytes", max_field);

cleanup:
	return r;
}

/*
 * Parse the next record. See csv.h: 1 with *rec borrowed until the next
 * call, 0 at the end, -1 with err filled on a read error (and on every
 * call after one).
 */
int
st_csv_reader_next(struct st_csv_reader *r, struct st_csv_record **rec,
		   struct st_error *err)
{
	int ret = -1, rc;

	*rec = NULL;
	if (r->failed)
		goto cleanup;
	if (r->done) {
		ret = 0;
		goto cleanup;
	}
	if (!r->started) {
		r->started = true;
		if (reader_start(r) < 0)
			goto cleanup;
		if (r->pdelim == 0 && sniff_delimiter(r) < 0)
			goto cleanup;
		build_tables(r);
	}
	r->rlen = r->fstart = r->nf = 0;
	r->ftrunc = false;
	r->rec.error = NULL;
	for (;;) {
		if (r->spos == r->slen) {
			rc = text_fill(r);
			if (rc < 0)
				goto cleanup;
			if (rc == 0)
				break;
		}
		if (parse_text(r)) {
			*rec = &r->rec;
			ret = 1;
			goto cleanup;
		}
	}
	r->done = true;
	ret = 0;
	if (r->state != PS_REC_START) {
		if (r->state == PS_QUOTED)
			record_error(r, "unterminated quoted field");
		record_finish(r);
		*rec = &r->rec;
		ret = 1;
	}

cleanup:
	if (ret < 0)
		st_error_set(err, ST_EIO, "%s", r->fail_msg);
	return ret;
}

/* The delimiter in use: the option, or the detected one, or 0. */
int
st_csv_reader_delimiter(const struct st_csv_reader *r)
{
	return r->delim;
}

/* The encoding in use: the option, or what detection settled on. */
enum st_csv_encoding
st_csv_reader_encoding(const struct st_csv_reader *r)
{
	return r->enc;
}

/*
 * Free the reader and its buffers (not the FILE). Accepts NULL.
 */
void
st_csv_reader_free(struct st_csv_reader *r)
{
	if (r == NULL)
		return;
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	free(r->in);
	free(r->out);
	st_buf_release(&r->sniff);
	free(r->rbuf);
	free(r->foff);
	free(r->flen);
	free(r->fptr);
	free(r);
}

/*
 * The name of an encoding, as error messages and options spell it;
 * "unknown" for a value outside the enum.
 */
const char *
st_csv_encoding_name(enum st_csv_encoding e)
{
	if ((unsigned)e >= ST_ARRAY_SIZE(enc_names))
		return "unknown";
	return enc_names[e];
}

/*
 * Parse an encoding name (ASCII case-insensitive): the names of
 * st_csv_encoding_name() and the aliases "utf8", "utf-16" (LE unless a BOM
 * says otherwise), "cp1252" and "iso-8859-1". -1 for anything else.
 */
int
st_csv_encoding_parse(const char *s, enum st_csv_encoding *out)
{
	static const struct {
		const char *name;
		enum st_csv_encoding enc;
	} names[] = {
		{ "auto", ST_CSV_ENC_AUTO },
		{ "utf-8", ST_CSV_ENC_UTF8 },
		{ "utf8", ST_CSV_ENC_UTF8 },
		{ "utf-16le", ST_CSV_ENC_UTF16LE },
		{ "utf-16", ST_CSV_ENC_UTF16LE },
		{ "utf-16be", ST_CSV_ENC_UTF16BE },
		{ "windows-1252", ST_CSV_ENC_WINDOWS1252 },
		{ "cp1252", ST_CSV_ENC_WINDOWS1252 },
		{ "latin1", ST_CSV_ENC_LATIN1 },
		{ "iso-8859-1", ST_CSV_ENC_LATIN1 },
	};
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < ST_ARRAY_SIZE(names); i++) {
		if (st_str_ieq(s, names[i].name)) {
			*out = names[i].enc;
			return 0;
		}
	}
	return -1;
}

/*
 * Parse a delimiter option: ",", ";", "|", "tab" (any case), a tab
 * character or the two characters \t as typed in a shell, and "auto" (0).
 * -1 for anything else.
 */
int
st_csv_delimiter_parse(const char *s, int *out)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, ",") == 0 || strcmp(s, ";") == 0 ||
	    strcmp(s, "|") == 0 || strcmp(s, "\t") == 0)
		*out = s[0];
	else if (st_str_ieq(s, "tab") || strcmp(s, "\\t") == 0)
		*out = '\t';
	else if (st_str_ieq(s, "auto"))
		*out = 0;
	else
		return -1;
	return 0;
}

/*
 * Append s to b as one RFC 4180 field for delimiter delim: in quotes, with
 * quotes doubled, when it holds the delimiter, a quote, CR or LF or starts
 * or ends with a space (which some readers trim); as it is otherwise. NULL
 * and "" append nothing.
 */
void
st_csv_field(struct st_buf *b, const char *s, int delim)
{
	size_t n, i;
	bool quote;

	if (s == NULL || s[0] == '\0')
		return;
	n = strlen(s);
	quote = s[0] == ' ' || s[n - 1] == ' ' ||
		strpbrk(s, "\"\r\n") != NULL ||
		(delim != 0 && strchr(s, delim) != NULL);
	if (!quote) {
		st_buf_add(b, s, n);
		return;
	}
	st_buf_addch(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			st_buf_addch(b, '"');
		st_buf_addch(b, s[i]);
	}
	st_buf_addch(b, '"');
}
