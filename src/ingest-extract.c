/*
 * ingest-extract.c - what a Spanish chat message says about the property
 * a lead wants (pure).
 *
 * The text is folded first (lower case, accents off: "Núñez" reads
 * "nunez"), then read word by word:
 *  - operation: alquil* (alquilo, alquilar, alquiler) ALQUILER;
 *    compr*, venta VENTA. Without a word, a budget in dollars of 20.000
 *    or more reads as a purchase (rents are quoted in pesos).
 *  - type: depto, departamento, dpto, monoambiente, casa, ph, local,
 *    oficina, terreno, lote, cochera.
 *  - rooms: a number (digits or uno..seis) before amb, ambiente(s);
 *    monoambiente is 1; N dormitorios is N + 1 rooms.
 *  - budget: "hasta X", "maximo X", "tope X", "presupuesto (de) X" (a
 *    ceiling), "desde X" (a floor), "entre X y Y"; X is digits with
 *    thousands dots or commas, times "mil", "k", "millon(es)"; the
 *    currency word after it (dolares, usd, u$s, us$, verdes; pesos, ars)
 *    or "$" / "u$s" before it.
 *  - zones: every known zone (the tenant's, then a built-in list of Buenos
 *    Aires barrios) found as whole words, spelled as the list spells it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "strato/ingest.h"
#include "strato/util.h"

static const char *const barrios[] = {
	"Palermo", "Belgrano", "Núñez", "Recoleta", "Caballito",
	"Villa Crespo", "Almagro", "Colegiales", "Villa Urquiza",
	"Saavedra", "Coghlan", "Flores", "Balvanera", "San Telmo",
	"Puerto Madero", "Barracas", "Boedo", "Chacarita", "Retiro",
	"Villa Devoto", "Villa del Parque", "Mataderos", "Liniers",
	"San Nicolás", "Monserrat", "Constitución", "La Boca",
	"Parque Patricios", "Olivos", "Vicente López", "San Isidro",
	"Martínez", "Tigre", "Nordelta", "Quilmes", "Lanús", "Avellaneda",
	"Ramos Mejía", "Morón", "Pilar",
};

/* Fold UTF-8 s: lower case, Spanish accents dropped, ñ to n. */
static char *
fold(const char *s)
{
	static const char *const pairs[][2] = {
		{ "á", "a" }, { "é", "e" }, { "í", "i" }, { "ó", "o" },
		{ "ú", "u" }, { "ü", "u" }, { "ñ", "n" }, { "Á", "a" },
		{ "É", "e" }, { "Í", "i" }, { "Ó", "o" }, { "Ú", "u" },
		{ "Ü", "u" }, { "Ñ", "n" },
	};
	struct st_buf b = ST_BUF_INIT;

	while (s && *s) {
		size_t i = ST_ARRAY_SIZE(pairs);

		for (i = (unsigned char)*s == 0xC3 ? 0 : i;
		     i < ST_ARRAY_SIZE(pairs); i++)
			if (strncmp(s, pairs[i][0], 2) == 0)
				break;
		if (i < ST_ARRAY_SIZE(pairs)) {
			st_buf_addstr(&b, pairs[i][1]);
			s += 2;
			continue;
		}
		st_buf_addch(&b, (char)tolower((unsigned char)*s++));
	}
	if (!b.data)
		st_buf_addstr(&b, "");
	return st_buf_detach(&b);
}

static bool
is_word(char c)
{
	return isalnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

/* Where word w starts in t as a whole word (prefix: only at the start). */
static const char *
find_word(const char *t, const char *w, bool prefix)
{
	size_t n = strlen(w);

	for (const char *p = strstr(t, w); p; p = strstr(p + 1, w))
		if ((p == t || !is_word(p[-1])) && (prefix || !is_word(p[n])))
			return p;
	return NULL;
}

static void
read_operacion(const char *t, struct st_ingest_prefs *o)
{
	if (find_word(t, "alquil", true) || find_word(t, "rentar", false))
		o->operacion = "ALQUILER";
	else if (find_word(t, "compr", true) || find_word(t, "venta", false))
		o->operacion = "VENTA";
}

static void
read_tipo(const char *t, struct st_ingest_prefs *o)
{
	static const char *const map[][2] = {
		{ "monoambiente", "DEPARTAMENTO" }, { "depto", "DEPARTAMENTO" },
		{ "deptos", "DEPARTAMENTO" }, { "dpto", "DEPARTAMENTO" },
		{ "departamento", "DEPARTAMENTO" },
		{ "departamentos", "DEPARTAMENTO" }, { "casa", "CASA" },
		{ "ph", "PH" }, { "local", "LOCAL" }, { "oficina", "OFICINA" },
		{ "terreno", "TERRENO" }, { "lote", "TERRENO" },
		{ "cochera", "COCHERA" },
	};

	for (size_t i = 0; i < ST_ARRAY_SIZE(map); i++)
		if (find_word(t, map[i][0], false)) {
			o->tipo_propiedad = map[i][1];
			return;
		}
}

/* A count before p: digits or a number word, ending right before p. */
static int
count_before(const char *t, const char *p)
{
	static const char *const words[] = { "uno", "un", "dos", "tres",
		"cuatro", "cinco", "seis" };
	static const int values[] = { 1, 1, 2, 3, 4, 5, 6 };
	const char *e = p;

	while (e > t && e[-1] == ' ')
		e--;
	if (e > t && isdigit((unsigned char)e[-1])) {
		const char *s = e;

		while (s > t && isdigit((unsigned char)s[-1]))
			s--;
		return e - s <= 2 ? atoi(s) : 0;
	}
	for (size_t i = 0; i < ST_ARRAY_SIZE(words); i++) {
		size_t n = strlen(words[i]);

		if ((size_t)(e - t) >= n && strncmp(e - n, words[i], n) == 0 &&
		    (e - (ptrdiff_t)n == t || !is_word(e[-(ptrdiff_t)n - 1])))
			return values[i];
	}
	return 0;
}

static void
read_ambientes(const char *t, struct st_ingest_prefs *o)
{
	const char *p;
	int n = 0;

	if (find_word(t, "monoambiente", false))
		n = 1;
	else if ((p = find_word(t, "amb", true)))
		n = count_before(t, p);
	if (!n && (p = find_word(t, "dormitorio", true)))
		n = count_before(t, p) ? count_before(t, p) + 1 : 0;
	if (n >= 1 && n <= 50)
		o->ambientes = n;
}

/*
 * An amount at *pp: "150 mil", "150.000", "1,5 millones", "80k". Moves
 * *pp past it and its currency word; 0 when there is none.
 */
static double
read_amount(const char **pp, const char **moneda)
{
	const char *p = *pp;
	double v = 0, frac = 0, scale = 1;
	bool digits = false, decimal = false;

	while (*p == ' ')
		p++;
	if (strncmp(p, "u$s", 3) == 0 || strncmp(p, "us$", 3) == 0) {
		*moneda = "USD";
		p += 3;
	} else if (*p == '$') {
		*moneda = "ARS";
		p++;
	}
	while (*p == ' ')
		p++;
	for (; isdigit((unsigned char)*p) || *p == '.' || *p == ','; p++) {
		if (isdigit((unsigned char)*p)) {
			digits = true;
			if (decimal)
				frac += (*p - '0') * (scale /= 10);
			else
				v = v * 10 + (*p - '0');
		} else if (!isdigit((unsigned char)p[1]) ||
			   !isdigit((unsigned char)p[2]) ||
			   !isdigit((unsigned char)p[3]) ||
			   isdigit((unsigned char)p[4])) {
			if (!isdigit((unsigned char)p[1]) || decimal)
				break;
			decimal = true; /* "1,5": a decimal comma */
		}
	}
	if (!digits)
		return 0;
	v += frac;
	while (*p == ' ')
		p++;
	if (strncmp(p, "mil", 3) == 0 && !is_word(p[3])) {
		v *= 1000;
		p += 3;
	} else if (*p == 'k' && !is_word(p[1])) {
		v *= 1000;
		p++;
	} else if (strncmp(p, "millon", 6) == 0) {
		v *= 1000000;
		while (is_word(*p))
			p++;
	}
	while (*p == ' ')
		p++;
	if (strncmp(p, "de ", 3) == 0) /* "1,5 millones de pesos" */
		p += 3;
	if (!strncmp(p, "dolar", 5) || !strncmp(p, "usd", 3) ||
	    !strncmp(p, "u$s", 3) || !strncmp(p, "us$", 3) ||
	    !strncmp(p, "verdes", 6))
		*moneda = "USD";
	else if (!strncmp(p, "peso", 4) || !strncmp(p, "ars", 3))
		*moneda = "ARS";
	*pp = p;
	return v;
}

static char *
amount_text(double v)
{
	return v >= 1 && v < 1e12 ? st_xasprintf("%.0f", v) : NULL;
}

static void
read_budget(const char *t, struct st_ingest_prefs *o)
{
	static const char *const ceilings[] = { "hasta", "maximo", "tope",
		"presupuesto de", "presupuesto", "no mas de", "menos de" };
	const char *p, *mon = NULL;
	double lo = 0, hi = 0;

	if ((p = find_word(t, "entre", false))) {
		p += 5;
		lo = read_amount(&p, &mon);
		while (*p == ' ')
			p++;
		if (lo && (*p == 'y' || *p == 'a') && p[1] == ' ') {
			p += 2;
			hi = read_amount(&p, &mon);
			if (lo < 1000 && hi >= 1000 && hi < 1e6)
				lo *= 1000; /* "entre 100 y 150 mil" */
		}
	}
	for (size_t i = 0; !hi && i < ST_ARRAY_SIZE(ceilings); i++)
		if ((p = find_word(t, ceilings[i], false))) {
			p += strlen(ceilings[i]);
			hi = read_amount(&p, &mon);
		}
	if (!lo && (p = find_word(t, "desde", false))) {
		p += 5;
		lo = read_amount(&p, &mon);
	}
	if (lo && hi && lo > hi)
		lo = 0;
	o->presupuesto_min = amount_text(lo);
	o->presupuesto_max = amount_text(hi);
	if (o->presupuesto_min || o->presupuesto_max)
		o->moneda = mon;
	if (!o->operacion && mon && strcmp(mon, "USD") == 0 && hi >= 20000)
		o->operacion = "VENTA";
}

static void
add_zone(struct st_ingest_prefs *o, const char *t, const char *zone)
{
	char *f = fold(zone);
	const char *p = *f ? find_word(t, f, false) : NULL;

	for (size_t i = 0; p && i < o->nzonas; i++) {
		char *g = fold(o->zonas[i]);

		if (strcmp(f, g) == 0 || strstr(g, f))
			p = NULL; /* already there, or part of a longer one */
		free(g);
	}
	if (p && o->nzonas < ST_ARRAY_SIZE(o->zonas))
		o->zonas[o->nzonas++] = st_xstrdup(zone);
	free(f);
}

/* Fold the text once, then read each kind of preference. */
void
st_ingest_extract(const char *text, const char *const *zones,
		  size_t nzones, struct st_ingest_prefs *out)
{
	char *t = fold(text);

	memset(out, 0, sizeof(*out));
	read_operacion(t, out);
	read_tipo(t, out);
	read_ambientes(t, out);
	read_budget(t, out);
	for (size_t i = 0; i < nzones; i++)
		if (zones[i])
			add_zone(out, t, zones[i]);
	for (size_t i = 0; i < ST_ARRAY_SIZE(barrios); i++)
		add_zone(out, t, barrios[i]);
	free(t);
}

/* True when the extraction found anything. */
bool
st_ingest_prefs_any(const struct st_ingest_prefs *p)
{
	return p->operacion || p->tipo_propiedad || p->nzonas ||
	       p->presupuesto_min || p->presupuesto_max || p->ambientes;
}

/* Free what the extraction allocated. */
void
st_ingest_prefs_release(struct st_ingest_prefs *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nzonas; i++)
		free(p->zonas[i]);
	free(p->presupuesto_min);
	free(p->presupuesto_max);
	memset(p, 0, sizeof(*p));
}
