/*
 * util.c - allocation wrappers that abort, and the st_buf string builder.
 *
 * Running out of memory is fatal everywhere in STRATO, so these wrappers
 * print one line and abort() rather than hand NULL to callers that would
 * only have to propagate it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "strato/util.h"

#define ST_BUF_MIN_CAP 64

static void
die(const char *msg)
{
	fprintf(stderr, "strato: %s\n", msg);
	abort();
}

/*
 * Allocate n bytes, aborting on failure. A zero-byte request is rounded up
 * to one so that a NULL return always means failure.
 */
void *
st_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

/*
 * Allocate a zeroed array of count elements of n bytes, aborting on failure
 * or when count * n overflows.
 */
void *
st_xcalloc(size_t count, size_t n)
{
	void *p;

	if (count == 0 || n == 0)
		count = n = 1;
	p = calloc(count, n);
	if (p == NULL)
		die("out of memory");
	return p;
}

/*
 * Resize p to n bytes, aborting on failure. Unlike realloc(p, 0) this never
 * frees: a zero size keeps a one-byte block.
 */
void *
st_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		die("out of memory");
	return q;
}

/*
 * Return a caller-owned copy of the NUL-terminated string s (not NULL).
 */
char *
st_xstrdup(const char *s)
{
	return st_xstrndup(s, strlen(s));
}

/*
 * Return a caller-owned copy of at most n bytes of s, always NUL-terminated.
 * s need not be terminated within its first n bytes.
 */
char *
st_xstrndup(const char *s, size_t n)
{
	const char *end = memchr(s, '\0', n);
	size_t len = end ? (size_t)(end - s) : n;
	char *p;

	if (len == SIZE_MAX)
		die("out of memory");
	p = st_xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/*
 * printf into a new caller-owned string. Never returns NULL: allocation
 * failure aborts, and so does a format vsnprintf rejects (a programming
 * error, e.g. a wide string that does not convert).
 */
char *
st_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("cannot format string");

	p = st_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	n = vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("cannot format string");
	return p;
}

/*
 * Overwrite a secret (password, connection string) before freeing it, so it
 * does not linger in freed heap memory. OPENSSL_cleanse cannot be optimised
 * away like a plain memset. Accepts NULL.
 */
void
st_free_secret(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

/*
 * Set up an empty buffer. Nothing is allocated until the first add, so
 * data is NULL until then; st_buf_detach still returns "" for it.
 */
void
st_buf_init(struct st_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

/* Make room for extra more bytes plus the terminating NUL. */
static void
buf_grow(struct st_buf *b, size_t extra)
{
	size_t need, cap;

	if (extra > SIZE_MAX - 1 - b->len)
		die("out of memory");
	need = b->len + extra + 1;
	if (b->data != NULL && need <= b->cap)
		return;

	cap = b->cap ? b->cap : ST_BUF_MIN_CAP;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->data = st_xrealloc(b->data, cap);
	b->cap = cap;
	if (b->len == 0)
		b->data[0] = '\0';
}

/*
 * Append n bytes of s (which may contain NUL bytes). The buffer is
 * allocated and NUL-terminated afterwards, even when n is 0.
 */
void
st_buf_add(struct st_buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	if (n > 0)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/*
 * Append the NUL-terminated string s (not NULL).
 */
void
st_buf_addstr(struct st_buf *b, const char *s)
{
	st_buf_add(b, s, strlen(s));
}

/*
 * Append one byte.
 */
void
st_buf_addch(struct st_buf *b, char c)
{
	st_buf_add(b, &c, 1);
}

/*
 * Append printf-formatted text. Aborts like st_xasprintf on failure.
 */
void
st_buf_addf(struct st_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	st_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

/*
 * va_list form of st_buf_addf. Formats straight into the spare capacity
 * and only formats a second time when that was too small.
 */
void
st_buf_vaddf(struct st_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	size_t avail;
	int n;

	buf_grow(b, 0);
	avail = b->cap - b->len;
	va_copy(cp, ap);
	n = vsnprintf(b->data + b->len, avail, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->data[b->len] = '\0';
		die("cannot format string");
	}

	if ((size_t)n >= avail) {
		buf_grow(b, (size_t)n);
		va_copy(cp, ap);
		n = vsnprintf(b->data + b->len, (size_t)n + 1, fmt, cp);
		va_end(cp);
		if (n < 0)
			die("cannot format string");
	}
	b->len += (size_t)n;
}

/*
 * Empty the buffer but keep its memory for reuse.
 */
void
st_buf_reset(struct st_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/*
 * Hand the contents to the caller, who frees them; a buffer never added to
 * yields an allocated "". The buffer is left initialised and empty.
 */
char *
st_buf_detach(struct st_buf *b)
{
	char *s = b->data;

	if (s == NULL)
		s = st_xstrdup("");
	st_buf_init(b);
	return s;
}

/*
 * Free the contents and leave the buffer initialised and empty.
 */
void
st_buf_release(struct st_buf *b)
{
	free(b->data);
	st_buf_init(b);
}

/*
 * True when s is NULL or "".
 */
bool
st_str_empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/* tolower() for ASCII only, independent of the locale. */
static unsigned char
ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/*
 * Compare a and b ignoring ASCII case; bytes outside ASCII must match
 * exactly. Two NULLs are equal, NULL and a string are not.
 */
bool
st_str_ieq(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	if (p == NULL || q == NULL)
		return p == q;
	while (*p != '\0' && ascii_lower(*p) == ascii_lower(*q)) {
		p++;
		q++;
	}
	return ascii_lower(*p) == ascii_lower(*q);
}

void
st_str_lower(char *s)
{
	for (; s && *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

void
st_str_upper(char *s)
{
	for (; s && *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

int
st_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
