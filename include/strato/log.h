/*
 * log.h - diagnostics on standard error.
 *
 * main() sets the level (--quiet, --verbose) and the format (plain text for
 * people, JSON lines for cron and log collectors) once; everything else just
 * calls st_log_*(). Plain lines read "strato: warning: message". A message
 * never carries a secret: callers redact before logging.
 */
#ifndef STRATO_LOG_H
#define STRATO_LOG_H

#include "strato/util.h"

enum st_log_level {
	ST_LOG_ERROR = 0,
	ST_LOG_WARN,
	ST_LOG_INFO,
	ST_LOG_DEBUG,
};

enum st_log_format {
	ST_LOG_TEXT,
	ST_LOG_JSON,
};

void st_log_setup(const char *progname, enum st_log_level level,
		  enum st_log_format format);
enum st_log_level st_log_get_level(void);
enum st_log_format st_log_get_format(void);
/* Parse "text" or "json"; -1 when neither. */
int st_log_parse_format(const char *s, enum st_log_format *out);

void st_log(enum st_log_level level, const char *fmt, ...) ST_PRINTF(2, 3);
#define st_log_error(...) st_log(ST_LOG_ERROR, __VA_ARGS__)
#define st_log_warn(...) st_log(ST_LOG_WARN, __VA_ARGS__)
#define st_log_info(...) st_log(ST_LOG_INFO, __VA_ARGS__)
#define st_log_debug(...) st_log(ST_LOG_DEBUG, __VA_ARGS__)

struct st_error;
/*
 * Report an error with its SQLSTATE, detail and hint: in text as
 * "prog: error: msg", "DETAIL: ...", "HINT: ..."; in JSON as one object.
 */
void st_log_st_error(const struct st_error *err);

#endif
