/*
 * error.h - the caller-owned error every fallible libstrato call fills.
 *
 * A function that can fail takes `struct st_error *err` as its last
 * parameter and returns 0 / -1 (or a pointer / NULL). On failure it fills
 * err with a code, a one-line message in PostgreSQL's style (lower case, no
 * full stop), and optionally the SQLSTATE, a detail and a hint. The struct
 * holds fixed-size buffers, so nothing needs freeing and err may live on the
 * stack; passing NULL is allowed when the caller does not care.
 */
#ifndef STRATO_ERROR_H
#define STRATO_ERROR_H

#include "strato/util.h"

enum st_errcode {
	ST_OK = 0,
	ST_EINVAL,     /* bad input from the user */
	ST_ENOTFOUND,  /* the named thing does not exist (or is not visible) */
	ST_EEXIST,     /* it already exists */
	ST_EPERM,      /* the login may not do this */
	ST_EDB,        /* the server refused or failed */
	ST_ECONN,      /* no connection, or it was lost */
	ST_EIO,        /* a file or stream failed */
	ST_ESTATE,     /* not possible in the current state */
	ST_EINTERNAL,  /* a bug */
	ST_EUSAGE,     /* the command line is wrong */
};

struct st_error {
	enum st_errcode code;
	char sqlstate[6];
	char message[512];
	char detail[1024];
	char hint[512];
};

void st_error_init(struct st_error *err);
/* Set code and message; clears SQLSTATE, detail and hint. NULL err is ok. */
void st_error_set(struct st_error *err, enum st_errcode code,
		  const char *fmt, ...) ST_PRINTF(3, 4);
void st_error_detail(struct st_error *err, const char *fmt, ...)
	ST_PRINTF(2, 3);
void st_error_hint(struct st_error *err, const char *fmt, ...)
	ST_PRINTF(2, 3);
/* A short lower-case name for the code, e.g. "not found". */
const char *st_error_code_name(enum st_errcode code);

#endif
