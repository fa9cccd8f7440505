/*
 * normalize.c - names, e-mails, budgets, tags, header keys.
 *
 * Everything works on UTF-8 and leans on utf8proc for what Unicode knows
 * better than we do: case folding, stripping accents, what is a letter or a
 * space. Budgets are parsed into integer cents, so no binary floating point
 * ever touches money.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "strato/normalize.h"

/* Case-folded, accent-stripped copy (NULL on invalid UTF-8). */
static char *
fold(const char *s)
{
	utf8proc_uint8_t *out = NULL;

	if (utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE |
			 UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD |
			 UTF8PROC_STRIPMARK) < 0)
		return NULL;
	return (char *)out;
}

char *
st_norm_key(const char *s)
{
	struct st_buf b = ST_BUF_INIT;
	char *f = fold(s ? s : "");
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)(f ? f : "");
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;

	while (*p && (n = utf8proc_iterate(p, -1, &cp)) > 0) {
		utf8proc_category_t c = utf8proc_category(cp);

		if ((c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
		    (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO))
			st_buf_add(&b, (const char *)p, (size_t)n);
		p += n;
	}
	free(f);
	return st_buf_detach(&b);
}

static bool
is_space(utf8proc_int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);

	return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL ||
	       c == UTF8PROC_CATEGORY_ZP || c == UTF8PROC_CATEGORY_CC ||
	       cp == 0xFEFF;
}

char *
st_norm_name(const char *s)
{
	struct st_buf b = ST_BUF_INIT;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)(s ? s : "");
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	bool pending = false;

	while (*p) {
		n = utf8proc_iterate(p, -1, &cp);
		if (n <= 0) { /* invalid byte: keep it, the caller decoded */
			n = 1;
			cp = 'x';
		}
		if (is_space(cp)) {
			pending = b.len > 0;
		} else {
			if (pending)
				st_buf_addch(&b, ' ');
			pending = false;
			st_buf_add(&b, (const char *)p, (size_t)n);
		}
		p += n;
	}
	return st_buf_detach(&b);
}

char *
st_norm_email(const char *s, bool *empty)
{
	char *e = st_norm_name(s);
	char *at, *dot;
	bool ok = true;

	*empty = e[0] == '\0';
	for (char *p = e; *p; p++) {
		if ((unsigned char)*p >= 0x80 || isspace((unsigned char)*p) ||
		    strchr(",;:<>()[]\\\"", *p))
			ok = false;
		*p = (char)tolower((unsigned char)*p);
	}
	at = strchr(e, '@');
	if (!at || at == e || strchr(at + 1, '@'))
		ok = false;
	if (ok) {
		dot = strrchr(at + 1, '.');
		ok = dot && dot > at + 1 && strlen(dot + 1) >= 2 &&
		     at[1] != '.' && !strstr(at, "..");
		for (char *p = at + 1; ok && *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
				ok = false;
	}
	if (!ok) {
		free(e);
		return NULL;
	}
	return e;
}

/* ---- money ---- */

struct num {
	int64_t cents;
	int64_t mult;
	bool has_mult;
};

/* Parse digits with '.' and ',' in either convention into cents. */
static int
parse_number(const char *s, size_t n, int64_t *cents)
{
	size_t nd = 0, ndot = 0, ncomma = 0;
	long last_dot = -1, last_comma = -1;
	char dec = 0;
	int64_t whole = 0, frac = 0;
	int fdigits = 0;
	bool in_frac = false;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			ndot++;
			last_dot = (long)i;
		} else if (s[i] == ',') {
			ncomma++;
			last_comma = (long)i;
		}
	}
	if (ndot && ncomma)
		dec = last_dot > last_comma ? '.' : ',';
	else if (ndot == 1 && n - (size_t)last_dot - 1 != 3)
		dec = '.';
	else if (ncomma == 1 && n - (size_t)last_comma - 1 != 3)
		dec = ',';
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (++nd > 15)
				return -1;
			if (in_frac) {
				if (++fdigits > 2)
					return -1;
				frac = frac * 10 + (s[i] - '0');
			} else {
				whole = whole * 10 + (s[i] - '0');
			}
		} else if (s[i] == dec) {
			in_frac = true;
		}
	}
	if (nd == 0)
		return -1;
	if (fdigits == 1)
		frac *= 10;
	*cents = whole * 100 + frac;
	return 0;
}

static bool
word_at(const char *p, const char *w)
{
	size_t n = strlen(w);

	return strncmp(p, w, n) == 0 && !isalpha((unsigned char)p[n]);
}

/* A multiplier word right after a number: k, mil, m, millón(es), palo(s). */
static int64_t
multiplier(const char **pp)
{
	const char *p = *pp;

	while (*p == ' ')
		p++;
	if (word_at(p, "k") || word_at(p, "mil")) {
		*pp = p + (p[0] == 'k' ? 1 : 3);
		return 1000;
	}
	if (word_at(p, "millones") || word_at(p, "millon") ||
	    word_at(p, "palos") || word_at(p, "palo") || word_at(p, "m") ||
	    word_at(p, "mm")) {
		while (isalpha((unsigned char)*p))
			p++;
		*pp = p;
		return 1000000;
	}
	return 1;
}

static void
cents_text(int64_t c, char *out, size_t n)
{
	if (c % 100 == 0)
		snprintf(out, n, "%lld", (long long)(c / 100));
	else
		snprintf(out, n, "%lld.%02lld", (long long)(c / 100),
			 (long long)(c % 100));
}

int
st_norm_money(const char *s, struct st_money *out, bool *empty)
{
	char *f = fold(s ? s : "");
	struct num nums[2];
	int count = 0;
	bool hasta = false, desde = false;
	const char *p;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	*empty = true;
	if (!f)
		return -1;
	for (p = f; *p; p++)
		if (!isspace((unsigned char)*p))
			*empty = false;
	if (strstr(f, "usd") || strstr(f, "u$s") || strstr(f, "us$") ||
	    strstr(f, "u$d") || strstr(f, "dolar") || strstr(f, "u.s.d"))
		memcpy(out->currency, "USD", 4);
	else if (strstr(f, "ars") || strstr(f, "peso") || strchr(f, '$'))
		memcpy(out->currency, "ARS", 4);
	hasta = strstr(f, "hasta") || strstr(f, "max") || strstr(f, "menos de");
	desde = strstr(f, "desde") || strstr(f, "min") || strstr(f, "mas de");
	for (p = f; *p && count <= 2;) {
		const char *start;

		if (!isdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		start = p;
		while (isdigit((unsigned char)*p) ||
		       ((*p == '.' || *p == ',') && isdigit((unsigned char)p[1])))
			p++;
		if (count == 2) {
			count = 3; /* three numbers: not a budget */
			break;
		}
		if (parse_number(start, (size_t)(p - start), &nums[count].cents) < 0)
			goto cleanup;
		nums[count].mult = multiplier(&p);
		nums[count].has_mult = nums[count].mult != 1;
		count++;
	}
	if (count == 0 || count > 2)
		goto cleanup;
	/* "100-150k": the multiplier of the second carries to the first. */
	if (count == 2 && nums[1].has_mult && !nums[0].has_mult &&
	    nums[0].cents < nums[1].cents)
		nums[0].mult = nums[1].mult;
	for (int i = 0; i < count; i++) {
		if (nums[i].cents > INT64_MAX / nums[i].mult / 10)
			goto cleanup;
		nums[i].cents *= nums[i].mult;
	}
	if (count == 2) {
		int lo = nums[0].cents <= nums[1].cents ? 0 : 1;

		out->has_min = out->has_max = true;
		cents_text(nums[lo].cents, out->min, sizeof(out->min));
		cents_text(nums[1 - lo].cents, out->max, sizeof(out->max));
	} else if (desde && !hasta) {
		out->has_min = true;
		cents_text(nums[0].cents, out->min, sizeof(out->min));
	} else {
		out->has_max = true;
		cents_text(nums[0].cents, out->max, sizeof(out->max));
	}
	ret = 0;
cleanup:
	free(f);
	return ret;
}

size_t
st_norm_tags(const char *s, char ***out)
{
	char **tags = NULL;
	size_t n = 0;
	const char *p = s ? s : "";

	while (*p) {
		size_t len = strcspn(p, ",;|");
		char *raw = st_xstrndup(p, len);
		char *t = st_norm_name(raw);
		bool dup = t[0] == '\0';

		free(raw);
		for (size_t i = 0; i < n && !dup; i++)
			dup = strcmp(tags[i], t) == 0;
		if (dup) {
			free(t);
		} else {
			tags = st_xrealloc(tags, (n + 1) * sizeof(*tags));
			tags[n++] = t;
		}
		p += len;
		if (*p)
			p++;
	}
	*out = tags;
	return n;
}

void
st_norm_tags_free(char **tags, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(tags[i]);
	free(tags);
}

int
st_norm_bool(const char *s)
{
	static const char *const yes[] = { "si", "yes", "true", "1", "x", "s",
					   "y", "t", "verdadero", NULL };
	static const char *const no[] = { "no", "false", "0", "n", "f", "falso",
					  "", NULL };
	char *k = st_norm_key(s);
	int r = -1;

	for (int i = 0; yes[i] && r < 0; i++)
		if (strcmp(k, yes[i]) == 0)
			r = 1;
	for (int i = 0; no[i] && r < 0; i++)
		if (strcmp(k, no[i]) == 0)
			r = 0;
	free(k);
	return r;
}

int
st_norm_int(const char *s)
{
	const char *p = s ? s : "";
	long v;
	char *end;

	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	v = strtol(p, &end, 10);
	if (v > 1000)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	/* a unit word may follow ("3 ambientes", "2 amb."); other digits not */
	for (const char *q = end; *q; q++)
		if (isdigit((unsigned char)*q))
			return -1;
	return (int)v;
}

const char *
st_norm_enum(const char *s, const char *const *allowed)
{
	char *k = st_norm_key(s);
	const char *found = NULL;

	for (int i = 0; allowed[i] && !found; i++) {
		char *a = st_norm_key(allowed[i]);

		if (k[0] && strcmp(k, a) == 0)
			found = allowed[i];
		free(a);
	}
	free(k);
	return found;
}
