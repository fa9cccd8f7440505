/*
 * error.c - filling struct st_error.
 */
#include <stdio.h>
#include <string.h>

#include "strato/error.h"

void
st_error_init(struct st_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

/*
 * Set the code and the primary message. Detail, hint and SQLSTATE are
 * cleared, so a reused struct never carries an earlier error's detail.
 */
void
st_error_set(struct st_error *err, enum st_errcode code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	st_error_init(err);
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

/* Set the detail: full sentences saying what went wrong. */
void
st_error_detail(struct st_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
}

/* Set the hint: what the user can do about it. */
void
st_error_hint(struct st_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
}

const char *
st_error_code_name(enum st_errcode code)
{
	switch (code) {
	case ST_OK: return "ok";
	case ST_EINVAL: return "invalid input";
	case ST_ENOTFOUND: return "not found";
	case ST_EEXIST: return "already exists";
	case ST_EPERM: return "permission denied";
	case ST_EDB: return "database error";
	case ST_ECONN: return "connection error";
	case ST_EIO: return "i/o error";
	case ST_ESTATE: return "invalid state";
	case ST_EINTERNAL: return "internal error";
	case ST_EUSAGE: return "usage error";
	}
	return "error";
}
