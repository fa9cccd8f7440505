/*
 * campaign-config.c - checking and editing a campaign's config document.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "strato/campaign-config.h"
#include "strato/personalize.h"
#include "strato/util.h"

static const char *const estados[] = {
	"NUEVO", "CONTACTADO", "CALIFICADO", "VISITA_AGENDADA", "NEGOCIACION",
	"GANADO", "PERDIDO", NULL,
};
static const char *const tipos[] = {
	"COMPRADOR", "VENDEDOR", "INQUILINO", "LOCADOR", "INVERSOR", NULL,
};
static const char *const channels[] = { "MANYCHAT", "UCHAT", "WHATSAPP", NULL };
static const char *const days[] = {
	"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN", NULL,
};

static const char *const top_keys[] = {
	"audience", "channel", "message", "voice", "throttle", "window", NULL,
};
static const char *const audience_keys[] = {
	"estado", "tipo", "tags", "zonas", "origen", "es_cliente",
	"inactive_days", "created_from", "created_to", "leads", NULL,
};
static const char *const message_keys[] = { "text", "template", NULL };
static const char *const template_keys[] = {
	"nombre", "idioma", "variables", NULL,
};
static const char *const voice_keys[] = {
	"enabled", "voice_id", "fallback", NULL,
};
static const char *const throttle_keys[] = { "per_minute", NULL };
static const char *const window_keys[] = {
	"start", "end", "timezone", "days", NULL,
};

#define PER_MINUTE_MAX 600

static int bad(struct st_error *err, const char *path, const char *fmt, ...)
	ST_PRINTF(3, 4);

/* Fail with "PATH: message". */
static int
bad(struct st_error *err, const char *path, const char *fmt, ...)
{
	struct st_buf b = ST_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	st_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	st_error_set(err, ST_EINVAL, "%s: %s", path, b.data);
	st_buf_release(&b);
	return -1;
}

static void
join(struct st_buf *b, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		st_buf_addf(b, "%s%s", i ? ", " : "", list[i]);
}

static bool
in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* Refuse keys of obj that are not in allowed. */
static int
only_keys(json_t *obj, const char *path, const char *const *allowed,
	  struct st_error *err)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		struct st_buf b = ST_BUF_INIT;

		(void)v;
		if (in_list(key, allowed))
			continue;
		join(&b, allowed);
		if (strcmp(path, "config.audience") == 0 &&
		    strcmp(key, "opt_out") == 0)
			bad(err, "config.audience.opt_out", "leads that opted "
			    "out are always left out and cannot be chosen");
		else
			bad(err, path, "unknown field \"%s\" (%s)", key,
			    b.data);
		st_buf_release(&b);
		return -1;
	}
	return 0;
}

/* The member key of obj, which must be an object when present. */
static int
section(json_t *obj, const char *key, const char *path, json_t **out,
	struct st_error *err)
{
	*out = obj ? json_object_get(obj, key) : NULL;
	if (*out && !json_is_object(*out))
		return bad(err, path, "must be an object");
	return 0;
}

/* An upper-cased copy, ASCII only. */
static char *
upper(const char *s)
{
	char *u = st_xstrdup(s);

	st_str_upper(u);
	return u;
}

/* One enumerated string, normalised in place; what names the kind. */
static int
enum_value(json_t *parent, const char *key, size_t idx, const char *path,
	   const char *const *values, const char *what, struct st_error *err)
{
	json_t *v = key ? json_object_get(parent, key)
			: json_array_get(parent, idx);
	char *u = NULL;
	int ret = -1;

	if (!json_is_string(v))
		return bad(err, path, "must be a string");
	u = upper(json_string_value(v));
	if (in_list(u, values)) {
		if (key)
			json_object_set_new(parent, key, json_string(u));
		else
			json_array_set_new(parent, idx, json_string(u));
		ret = 0;
	} else {
		struct st_buf b = ST_BUF_INIT;

		join(&b, values);
		bad(err, path, "\"%s\" is not %s (%s)", json_string_value(v),
		    what, b.data);
		st_buf_release(&b);
	}
	free(u);
	return ret;
}

/*
 * A list of strings at obj[key]. With values, each must be one of them
 * (what names the kind); otherwise each must be non-empty text.
 */
static int
string_list(json_t *obj, const char *key, const char *path,
	    const char *const *values, const char *what, struct st_error *err)
{
	json_t *a = json_object_get(obj, key);
	char sub[256];
	size_t i;
	json_t *v;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return bad(err, path, "must be a list of strings");
	json_array_foreach(a, i, v) {
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		if (values) {
			if (enum_value(a, NULL, i, sub, values, what, err) < 0)
				return -1;
			continue;
		}
		if (!json_is_string(v))
			return bad(err, sub, "must be a string");
		if (json_string_length(v) == 0)
			return bad(err, sub, "must not be empty");
	}
	return 0;
}

/* A string at obj[key]; *out borrowed, NULL when absent. */
static int
string_field(json_t *obj, const char *key, const char *path,
	     const char **out, struct st_error *err)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v))
		return bad(err, path, "must be a string");
	if (json_string_length(v) == 0)
		return bad(err, path, "must not be empty");
	*out = json_string_value(v);
	return 0;
}

/* "YYYY-MM-DD" in shape (the server has the final word on the day). */
static bool
date_shaped(const char *s)
{
	int m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* The audience's filters that are not lists of names. */
static int
check_audience_more(json_t *a, struct st_error *err)
{
	static const char *const dates[] = { "created_from", "created_to" };
	json_t *v;

	if ((v = json_object_get(a, "es_cliente")) && !json_is_boolean(v))
		return bad(err, "config.audience.es_cliente",
			   "must be true or false");
	if ((v = json_object_get(a, "inactive_days")) &&
	    (!json_is_integer(v) || json_integer_value(v) < 1 ||
	     json_integer_value(v) > 3650))
		return bad(err, "config.audience.inactive_days", "must be a "
			   "whole number of days from 1 to 3650");
	for (size_t i = 0; i < ST_ARRAY_SIZE(dates); i++) {
		char path[64];

		snprintf(path, sizeof(path), "config.audience.%s", dates[i]);
		v = json_object_get(a, dates[i]);
		if (v && (!json_is_string(v) ||
			  !date_shaped(json_string_value(v))))
			return bad(err, path, "must be a date (YYYY-MM-DD)");
	}
	return string_list(a, "leads", "config.audience.leads", NULL, NULL,
			   err);
}

static int
check_audience(json_t *config, struct st_error *err)
{
	json_t *a = NULL;

	if (section(config, "audience", "config.audience", &a, err) < 0)
		return -1;
	if (!a)
		return 0;
	if (only_keys(a, "config.audience", audience_keys, err) < 0 ||
	    string_list(a, "estado", "config.audience.estado", estados,
			"a lead estado", err) < 0 ||
	    string_list(a, "tipo", "config.audience.tipo", tipos,
			"a lead tipo", err) < 0 ||
	    string_list(a, "tags", "config.audience.tags", NULL, NULL,
			err) < 0 ||
	    string_list(a, "zonas", "config.audience.zonas", NULL, NULL,
			err) < 0 ||
	    string_list(a, "origen", "config.audience.origen", NULL, NULL,
			err) < 0 ||
	    check_audience_more(a, err) < 0)
		return -1;
	return 0;
}

/* Placeholders of a text field, with the field's path on errors. */
static int
placeholders(const char *text, const char *path, struct st_error *err)
{
	struct st_error e;

	st_error_init(&e);
	if (st_personalize_check(text, &e) == 0)
		return 0;
	bad(err, path, "%s", e.message);
	st_error_hint(err, "%s", e.hint);
	return -1;
}

static int
check_template(json_t *msg, struct st_error *err)
{
	json_t *t = NULL, *vars;
	const char *s = NULL;
	char path[64];
	size_t i;
	json_t *v;

	if (section(msg, "template", "config.message.template", &t, err) < 0)
		return -1;
	if (!t)
		return 0;
	if (only_keys(t, "config.message.template", template_keys, err) < 0 ||
	    string_field(t, "idioma", "config.message.template.idioma", &s,
			 err) < 0 ||
	    string_field(t, "nombre", "config.message.template.nombre", &s,
			 err) < 0)
		return -1;
	if (!s)
		return bad(err, "config.message.template.nombre",
			   "missing: the name of a WhatsApp template");
	if (string_list(t, "variables", "config.message.template.variables",
			NULL, NULL, err) < 0)
		return -1;
	vars = json_object_get(t, "variables");
	json_array_foreach(vars, i, v) {
		snprintf(path, sizeof(path),
			 "config.message.template.variables[%zu]", i);
		if (placeholders(json_string_value(v), path, err) < 0)
			return -1;
	}
	return 0;
}

static int
check_message(json_t *config, bool complete, struct st_error *err)
{
	json_t *m = NULL;
	const char *text = NULL, *channel;

	if (section(config, "message", "config.message", &m, err) < 0)
		return -1;
	if (m && (only_keys(m, "config.message", message_keys, err) < 0 ||
		  string_field(m, "text", "config.message.text", &text,
			       err) < 0 ||
		  (text &&
		   placeholders(text, "config.message.text", err) < 0) ||
		  check_template(m, err) < 0))
		return -1;
	channel = json_string_value(json_object_get(config, "channel"));
	if (m && json_object_get(m, "template") && channel &&
	    strcmp(channel, "WHATSAPP") != 0)
		return bad(err, "config.message.template", "templates are sent "
			   "through WHATSAPP only, not %s", channel);
	if (complete && !text && !(m && json_object_get(m, "template")))
		return bad(err, "config.message.text", "missing: a campaign "
			   "needs a text (or a WhatsApp template) to send");
	return 0;
}

static int
check_voice(json_t *config, struct st_error *err)
{
	json_t *v = NULL, *en;
	const char *id = NULL;

	if (section(config, "voice", "config.voice", &v, err) < 0)
		return -1;
	if (!v)
		return 0;
	if (only_keys(v, "config.voice", voice_keys, err) < 0 ||
	    string_field(v, "voice_id", "config.voice.voice_id", &id, err) < 0)
		return -1;
	en = json_object_get(v, "enabled");
	if (en && !json_is_boolean(en))
		return bad(err, "config.voice.enabled",
			   "must be true or false");
	en = json_object_get(v, "fallback");
	if (en && !json_is_boolean(en))
		return bad(err, "config.voice.fallback",
			   "must be true or false");
	return 0;
}

static int
check_throttle(json_t *config, struct st_error *err)
{
	json_t *t = NULL, *pm;

	if (section(config, "throttle", "config.throttle", &t, err) < 0)
		return -1;
	if (!t)
		return 0;
	if (only_keys(t, "config.throttle", throttle_keys, err) < 0)
		return -1;
	pm = json_object_get(t, "per_minute");
	if (pm && (!json_is_integer(pm) || json_integer_value(pm) < 1 ||
		   json_integer_value(pm) > PER_MINUTE_MAX))
		return bad(err, "config.throttle.per_minute", "must be a whole "
			   "number from 1 to %d", PER_MINUTE_MAX);
	return 0;
}

/* "HH:MM", 00:00 to 24:00; minutes since midnight, or -1. */
static int
clock_minutes(const char *s)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':' ||
	    !strchr("012", s[0]) || s[1] < '0' || s[1] > '9' ||
	    s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

/* A plausible IANA zone name; the server has the final word. */
static bool
tz_plausible(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || strstr(s, "..") || s[0] == '/' ||
	    !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789_/+-") == n;
}

static int
check_window(json_t *config, struct st_error *err)
{
	json_t *w = NULL;
	const char *start = NULL, *end = NULL, *tz = NULL;

	if (section(config, "window", "config.window", &w, err) < 0)
		return -1;
	if (!w)
		return 0;
	if (only_keys(w, "config.window", window_keys, err) < 0 ||
	    string_field(w, "start", "config.window.start", &start, err) < 0 ||
	    string_field(w, "end", "config.window.end", &end, err) < 0 ||
	    string_field(w, "timezone", "config.window.timezone", &tz,
			 err) < 0 ||
	    string_list(w, "days", "config.window.days", days, "a day",
			err) < 0)
		return -1;
	if (start && clock_minutes(start) < 0)
		return bad(err, "config.window.start", "\"%s\" is not a "
			   "time of day (HH:MM, 00:00 to 24:00)", start);
	if (end && clock_minutes(end) < 0)
		return bad(err, "config.window.end", "\"%s\" is not a "
			   "time of day (HH:MM, 00:00 to 24:00)", end);
	if (!start != !end)
		return bad(err, start ? "config.window.end"
				 : "config.window.start",
			   "missing: a window needs both start and end");
	if (start && clock_minutes(start) == clock_minutes(end))
		return bad(err, "config.window.end", "must differ from start");
	if (tz && !tz_plausible(tz))
		return bad(err, "config.window.timezone", "\"%s\" is not a "
			   "time zone name (e.g. America/Argentina/"
			   "Buenos_Aires)", tz);
	return 0;
}

/*
 * Check the whole document, section by section, stopping at the first
 * error (its message starts with the field's path). Enumerations are
 * rewritten upper case in place, so what is stored is canonical.
 */
int
st_campaign_config_check(json_t *config, bool complete, struct st_error *err)
{
	if (!json_is_object(config))
		return bad(err, "config", "must be a JSON object");
	if (only_keys(config, "config", top_keys, err) < 0 ||
	    check_audience(config, err) < 0)
		return -1;
	if (json_object_get(config, "channel")) {
		if (enum_value(config, "channel", 0, "config.channel", channels,
			       "a channel", err) < 0)
			return -1;
	} else if (complete) {
		return bad(err, "config.channel", "missing: MANYCHAT, UCHAT or "
			   "WHATSAPP");
	}
	if (check_message(config, complete, err) < 0 ||
	    check_voice(config, err) < 0 || check_throttle(config, err) < 0 ||
	    check_window(config, err) < 0)
		return -1;
	return 0;
}

/*
 * Parse a config document; duplicate keys are refused, since the JSON
 * parsers of other tools would each keep a different one.
 */
json_t *
st_campaign_config_parse(const char *text, const char *source,
			 struct st_error *err)
{
	json_error_t je;
	json_t *j = json_loads(text ? text : "", JSON_REJECT_DUPLICATES, &je);

	if (!j) {
		st_error_set(err, ST_EINVAL, "%s: invalid JSON at line %d: %s",
			     source, je.line, je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		st_error_set(err, ST_EINVAL, "%s: the config must be a JSON "
			     "object", source);
		return NULL;
	}
	return j;
}

enum set_type { SET_STR, SET_LIST, SET_BOOL, SET_INT };

static const struct {
	const char *key;
	enum set_type type;
} set_keys[] = {
	{ "audience.estado", SET_LIST },
	{ "audience.tipo", SET_LIST },
	{ "audience.tags", SET_LIST },
	{ "audience.zonas", SET_LIST },
	{ "audience.origen", SET_LIST },
	{ "audience.es_cliente", SET_BOOL },
	{ "audience.inactive_days", SET_INT },
	{ "audience.created_from", SET_STR },
	{ "audience.created_to", SET_STR },
	{ "audience.leads", SET_LIST },
	{ "channel", SET_STR },
	{ "message.text", SET_STR },
	{ "message.template.nombre", SET_STR },
	{ "message.template.idioma", SET_STR },
	{ "message.template.variables", SET_LIST },
	{ "voice.enabled", SET_BOOL },
	{ "voice.voice_id", SET_STR },
	{ "voice.fallback", SET_BOOL },
	{ "throttle.per_minute", SET_INT },
	{ "window.start", SET_STR },
	{ "window.end", SET_STR },
	{ "window.timezone", SET_STR },
	{ "window.days", SET_LIST },
};

/*
 * The --set keys, joined once into a static buffer (for hints).
 */
const char *
st_campaign_config_keys(void)
{
	static char keys[512];

	if (!keys[0]) {
		struct st_buf b = ST_BUF_INIT;

		for (size_t i = 0; i < ST_ARRAY_SIZE(set_keys); i++)
			st_buf_addf(&b, "%s%s", i ? ", " : "", set_keys[i].key);
		snprintf(keys, sizeof(keys), "%s", b.data);
		st_buf_release(&b);
	}
	return keys;
}

/* "a, b,,c" as ["a", "b", "c"]: blanks trimmed, empty items dropped. */
static json_t *
split_list(const char *s)
{
	json_t *a = json_array();

	while (*s) {
		size_t n = strcspn(s, ",");
		const char *p = s;
		size_t m = n;

		while (m > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			m--;
		}
		while (m > 0 && (p[m - 1] == ' ' || p[m - 1] == '\t'))
			m--;
		if (m > 0)
			json_array_append_new(a, json_stringn(p, m));
		s += n;
		if (*s == ',')
			s++;
	}
	return a;
}

/* The JSON value of text for a key of type t; NULL with err. */
static json_t *
set_value(const char *key, enum set_type t, const char *text,
	  struct st_error *err)
{
	char *end = NULL;
	long n;

	switch (t) {
	case SET_STR:
		return json_string(text);
	case SET_LIST:
		return split_list(text);
	case SET_BOOL:
		if (st_str_ieq(text, "true") || st_str_ieq(text, "yes") ||
		    st_str_ieq(text, "on") || strcmp(text, "1") == 0)
			return json_true();
		if (st_str_ieq(text, "false") || st_str_ieq(text, "no") ||
		    st_str_ieq(text, "off") || strcmp(text, "0") == 0)
			return json_false();
		st_error_set(err, ST_EINVAL, "config.%s: \"%s\" is not true or "
			     "false", key, text);
		return NULL;
	case SET_INT:
		n = strtol(text, &end, 10);
		if (*end == '\0' && end != text)
			return json_integer(n);
		st_error_set(err, ST_EINVAL, "config.%s: \"%s\" is not a whole "
			     "number", key, text);
		return NULL;
	}
	return NULL;
}

/*
 * Apply "key=value": find the key's type, convert the value, then walk
 * (creating) the objects on the dotted path. Removing a key whose parents
 * are missing is a no-op.
 */
int
st_campaign_config_set(json_t *config, const char *assignment,
		       struct st_error *err)
{
	const char *eq = strchr(assignment, '=');
	size_t klen = eq ? (size_t)(eq - assignment) : 0;
	char *key = NULL, *seg, *dot;
	json_t *obj = config, *val = NULL;
	size_t k;
	int ret = -1;

	if (!eq || klen == 0) {
		st_error_set(err, ST_EINVAL, "invalid --set \"%s\"",
			     assignment);
		st_error_hint(err, "Write --set key=value, e.g. --set "
			      "audience.estado=NUEVO,CONTACTADO.");
		return -1;
	}
	key = st_xstrndup(assignment, klen);
	for (k = 0; k < ST_ARRAY_SIZE(set_keys); k++)
		if (strcmp(set_keys[k].key, key) == 0)
			break;
	if (k == ST_ARRAY_SIZE(set_keys)) {
		st_error_set(err, ST_EINVAL, "unknown config key \"%s\"", key);
		st_error_hint(err, "Keys: %s.", st_campaign_config_keys());
		goto cleanup;
	}
	if (eq[1] && !(val = set_value(key, set_keys[k].type, eq + 1, err)))
		goto cleanup;
	for (seg = key; (dot = strchr(seg, '.')) != NULL; seg = dot + 1) {
		json_t *child;

		*dot = '\0';
		child = json_object_get(obj, seg);
		if (!child) {
			if (!val)
				break; /* nothing to remove */
			child = json_object();
			json_object_set_new(obj, seg, child);
		} else if (!json_is_object(child)) {
			st_error_set(err, ST_EINVAL, "config.%.*s: must be an "
				     "object", (int)(dot - key), assignment);
			goto cleanup;
		}
		obj = child;
	}
	if (val)
		json_object_set_new(obj, seg, val);
	else if (!dot)
		json_object_del(obj, seg);
	val = NULL;
	ret = 0;
cleanup:
	json_decref(val);
	free(key);
	return ret;
}
