/*
 * util.h - memory helpers and a growable string buffer.
 *
 * Allocation failure is not a condition STRATO recovers from: the st_x*
 * functions abort with a message instead of returning NULL, so no caller
 * checks for memory anywhere else. struct st_buf is the one string builder
 * of the code base; it is always NUL-terminated once initialised.
 */
#ifndef STRATO_UTIL_H
#define STRATO_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define ST_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define ST_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ST_PRINTF(f, a)
#endif

void *st_xmalloc(size_t n);
void *st_xcalloc(size_t count, size_t n);
void *st_xrealloc(void *p, size_t n);
char *st_xstrdup(const char *s);
char *st_xstrndup(const char *s, size_t n);
char *st_xasprintf(const char *fmt, ...) ST_PRINTF(1, 2);

/* Wipe then free a secret; accepts NULL. */
void st_free_secret(char *s);

struct st_buf {
	char *data;
	size_t len;
	size_t cap;
};

#define ST_BUF_INIT { NULL, 0, 0 }

void st_buf_init(struct st_buf *b);
void st_buf_add(struct st_buf *b, const char *s, size_t n);
void st_buf_addstr(struct st_buf *b, const char *s);
void st_buf_addch(struct st_buf *b, char c);
void st_buf_addf(struct st_buf *b, const char *fmt, ...) ST_PRINTF(2, 3);
void st_buf_vaddf(struct st_buf *b, const char *fmt, va_list ap)
	ST_PRINTF(2, 0);
void st_buf_reset(struct st_buf *b);
/* Hand the string to the caller (never NULL) and re-initialise the buffer. */
char *st_buf_detach(struct st_buf *b);
void st_buf_release(struct st_buf *b);

/* True when s is NULL or "". */
bool st_str_empty(const char *s);
/* Case-insensitive ASCII comparison; returns true when equal. */
bool st_str_ieq(const char *a, const char *b);
/* Fold ASCII letters of s in place (other bytes, UTF-8 included, stay). */
void st_str_lower(char *s);
void st_str_upper(char *s);
/* The value of hex digit c (either case), or -1. */
int st_hex_digit(char c);

#endif
