/*
 * log.c - diagnostics on standard error, as text or JSON lines.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "strato/error.h"
#include "strato/log.h"

static const char *log_prog = "strato";
static enum st_log_level log_level = ST_LOG_WARN;
static enum st_log_format log_format = ST_LOG_TEXT;

static const char *const level_names[] = { "error", "warning", "info",
					   "debug" };

/*
 * Configure logging once, from main(). progname must outlive all logging
 * (a string literal or argv[0]).
 */
void
st_log_setup(const char *progname, enum st_log_level level,
	     enum st_log_format format)
{
	log_prog = progname;
	log_level = level;
	log_format = format;
}

enum st_log_level
st_log_get_level(void)
{
	return log_level;
}

enum st_log_format
st_log_get_format(void)
{
	return log_format;
}

int
st_log_parse_format(const char *s, enum st_log_format *out)
{
	if (s && strcmp(s, "text") == 0)
		*out = ST_LOG_TEXT;
	else if (s && strcmp(s, "json") == 0)
		*out = ST_LOG_JSON;
	else
		return -1;
	return 0;
}

static void
emit_json(enum st_log_level level, const char *msg, const struct st_error *e)
{
	json_t *o = json_object();
	char ts[96];
	struct timespec now;
	struct tm tm;
	char *line;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
	json_object_set_new(o, "time", json_string(ts));
	json_object_set_new(o, "level", json_string(level_names[level]));
	json_object_set_new(o, "prog", json_string(log_prog));
	json_object_set_new(o, "msg", json_string(msg));
	if (e && e->sqlstate[0])
		json_object_set_new(o, "sqlstate", json_string(e->sqlstate));
	if (e && e->detail[0])
		json_object_set_new(o, "detail", json_string(e->detail));
	if (e && e->hint[0])
		json_object_set_new(o, "hint", json_string(e->hint));
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (line) {
		fprintf(stderr, "%s\n", line);
		free(line);
	}
	json_decref(o);
}

/*
 * Log one message at level. Below the configured level it is dropped. In
 * JSON form a message that is not valid UTF-8 is replaced by a notice
 * rather than lost silently.
 */
void
st_log(enum st_log_level level, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_format == ST_LOG_JSON)
		emit_json(level, msg, NULL);
	else if (level == ST_LOG_INFO)
		fprintf(stderr, "%s: %s\n", log_prog, msg);
	else
		fprintf(stderr, "%s: %s: %s\n", log_prog, level_names[level],
			msg);
}

/* Report an error with detail and hint, whatever the level. */
void
st_log_st_error(const struct st_error *err)
{
	const char *msg = err->message[0] ? err->message : "unknown error";

	if (log_format == ST_LOG_JSON) {
		emit_json(ST_LOG_ERROR, msg, err);
		return;
	}
	fprintf(stderr, "%s: error: %s\n", log_prog, msg);
	if (err->detail[0])
		fprintf(stderr, "DETAIL: %s\n", err->detail);
	if (err->hint[0])
		fprintf(stderr, "HINT: %s\n", err->hint);
}
