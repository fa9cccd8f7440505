/*
 * personalize.c - rendering {{placeholders}} in campaign messages.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "strato/personalize.h"
#include "strato/util.h"

enum ph {
	PH_NOMBRE,
	PH_PRIMER_NOMBRE,
	PH_ZONA,
	PH_TELEFONO,
	PH_EMAIL,
	PH_OPERACION,
	PH_TIPO_PROPIEDAD,
	PH_AGENTE,
	PH_INMOBILIARIA,
	PH_ASISTENTE,
	PH_PROPIEDADES,
};

static const char *const names[] = {
	"nombre", "primer_nombre", "zona", "telefono", "email", "operacion",
	"tipo_propiedad", "agente", "inmobiliaria", "asistente", "propiedades",
};

/*
 * The placeholder names, in the order the man page lists them.
 */
const char *
st_personalize_names(void)
{
	return "nombre, primer_nombre, zona, telefono, email, operacion, "
	       "tipo_propiedad, agente, inmobiliaria, asistente, propiedades";
}

static int
lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < ST_ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return (int)i;
	return -1;
}

/*
 * Whether the len bytes at name are a placeholder name (exact case).
 */
bool
st_personalize_known(const char *name, size_t len)
{
	return lookup(name, len) >= 0;
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Trim blanks off [*s, *s + *n). */
static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && blank((*s)[*n - 1]))
		(*n)--;
}

/*
 * The first blank-separated word of nombre, a new string; UTF-8 is
 * split only at ASCII blanks, so accented names stay whole.
 */
char *
st_personalize_first_name(const char *nombre)
{
	size_t n;

	if (!nombre)
		return NULL;
	while (blank(*nombre))
		nombre++;
	n = strcspn(nombre, " \t\r\n");
	return n ? st_xstrndup(nombre, n) : NULL;
}

/* Append placeholder k's value for v to b; false when it is missing. */
static bool
add_value(struct st_buf *b, int k, const struct st_personalize_vars *v)
{
	const char *val = NULL;
	char *first = NULL;
	size_t start = b->len;

	switch ((enum ph)k) {
	case PH_NOMBRE: val = v->nombre; break;
	case PH_PRIMER_NOMBRE:
		val = first = st_personalize_first_name(v->nombre);
		break;
	case PH_ZONA: val = v->zona; break;
	case PH_TELEFONO: val = v->telefono; break;
	case PH_EMAIL: val = v->email; break;
	case PH_OPERACION: val = v->operacion; break;
	case PH_TIPO_PROPIEDAD: val = v->tipo_propiedad; break;
	case PH_AGENTE: val = v->agente; break;
	case PH_INMOBILIARIA: val = v->inmobiliaria; break;
	case PH_ASISTENTE: val = v->asistente; break;
	case PH_PROPIEDADES: val = v->propiedades; break;
	}
	if (val) {
		size_t n = strlen(val);

		trim(&val, &n);
		st_buf_add(b, val, n);
	}
	free(first);
	if (k == PH_OPERACION || k == PH_TIPO_PROPIEDAD)
		for (size_t i = start; i < b->len; i++)
			b->data[i] = (char)tolower((unsigned char)b->data[i]);
	return b->len > start;
}

/*
 * Walk text; with out, render into it. One pass serves checking and
 * rendering, so both always agree on what a placeholder is.
 */
static int
walk(const char *text, const struct st_personalize_vars *v,
     struct st_buf *out, struct st_error *err)
{
	const char *p = text;

	for (;;) {
		const char *open = strstr(p, "{{"), *close, *name, *bar;
		size_t n, fb_len = 0;
		const char *fb = NULL;
		int k;

		if (!open) {
			if (out)
				st_buf_addstr(out, p);
			return 0;
		}
		if (out)
			st_buf_add(out, p, (size_t)(open - p));
		close = strstr(open + 2, "}}");
		if (!close) {
			st_error_set(err, ST_EINVAL, "unclosed placeholder "
				     "\"%.20s\"", open);
			st_error_hint(err, "Close it with }}. Placeholders: "
				      "%s.", st_personalize_names());
			return -1;
		}
		name = open + 2;
		bar = memchr(name, '|', (size_t)(close - name));
		n = (size_t)((bar ? bar : close) - name);
		if (bar) {
			fb = bar + 1;
			fb_len = (size_t)(close - fb);
			trim(&fb, &fb_len);
		}
		trim(&name, &n);
		k = lookup(name, n);
		if (k < 0) {
			if (n == 0)
				st_error_set(err, ST_EINVAL, "empty "
					     "placeholder \"%.*s\"",
					     (int)(close + 2 - open), open);
			else
				st_error_set(err, ST_EINVAL, "unknown "
					     "placeholder {{%.*s}}", (int)n,
					     name);
			st_error_hint(err, "Placeholders: %s.",
				      st_personalize_names());
			return -1;
		}
		if (out && !add_value(out, k, v))
			st_buf_add(out, fb ? fb : "", fb_len);
		p = close + 2;
	}
}

/*
 * Check every placeholder of text (NULL is empty text) without rendering.
 */
int
st_personalize_check(const char *text, struct st_error *err)
{
	return walk(text ? text : "", NULL, NULL, err);
}

/*
 * Render text for v (NULL: every value missing) into a new string.
 */
char *
st_personalize_render(const char *text, const struct st_personalize_vars *v,
		      struct st_error *err)
{
	struct st_buf b = ST_BUF_INIT;
	static const struct st_personalize_vars none;

	st_buf_addstr(&b, "");
	if (walk(text ? text : "", v ? v : &none, &b, err) < 0) {
		st_buf_release(&b);
		return NULL;
	}
	return st_buf_detach(&b);
}
