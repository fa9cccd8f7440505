/*
 * normalize.h - cleaning the values people type into spreadsheets.
 *
 * Pure functions, no database: names, e-mails, budgets written the many
 * ways Spanish-speaking agencies write them ("USD 150.000", "150k",
 * "$ 1.200.000", "150000,50", "hasta 200 mil dólares"), tag lists, and the
 * comparison key of a column header (case, accents and punctuation
 * ignored, so "Teléfono", "TELEFONO" and "teléfono:" are one key).
 * Phones are in phone.h.
 */
#ifndef STRATO_NORMALIZE_H
#define STRATO_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "strato/util.h"

/*
 * The comparison key of s: Unicode case-folded, accents stripped, only
 * letters and digits kept ("Nombre y Apellido" -> "nombreyapellido",
 * "¿Qué zona buscás?" -> "quezonabuscas"). Returns a new string.
 */
char *st_norm_key(const char *s);

/* Trim and collapse inner white space (any Unicode space) to one space.
 * Returns a new string, "" when nothing is left. */
char *st_norm_name(const char *s);

/*
 * Trim and lower-case an e-mail and check its shape (one '@', a local
 * part, a dotted domain of letters, digits, '-' and '.', no spaces).
 * Returns a new string, or NULL when invalid (or empty: *empty set).
 */
char *st_norm_email(const char *s, bool *empty);

struct st_money {
	bool has_min;
	bool has_max;
	char min[32]; /* decimal text, e.g. "150000" or "150000.50" */
	char max[32];
	char currency[4]; /* "USD", "ARS" or "" when not stated */
};

/*
 * Parse a budget: a number or a range ("100-150k", "entre 100 y 150 mil",
 * "hasta 200.000", "desde 80k"), with thousands and decimal separators in
 * either convention, k / mil / M / millón multipliers and a currency
 * (USD, U$S, US$, u$s, dólares -> USD; ARS, $, pesos -> ARS). A single
 * number is a maximum. Returns 0, or -1 when it is not a budget (empty
 * input is -1 with *empty set).
 */
int st_norm_money(const char *s, struct st_money *out, bool *empty);

/* Split on ',', ';' and '|', trim, drop empties and duplicates (case
 * kept, first spelling wins). Returns the count; *out is a new array of
 * new strings (free with st_norm_tags_free). */
size_t st_norm_tags(const char *s, char ***out);
void st_norm_tags_free(char **tags, size_t n);

/* Yes/no in Spanish and English ("sí", "si", "yes", "true", "1", "x";
 * "no", "false", "0", ""): 1, 0, or -1 when neither. */
int st_norm_bool(const char *s);

/* A small non-negative integer ("3", "3 ambientes", "3 amb."): the value,
 * or -1. */
int st_norm_int(const char *s);

/*
 * Match s against a list of allowed upper-case values, ignoring case and
 * accents ("Comprador", "VISITA AGENDADA", "visita_agendada"). Returns the
 * allowed value (borrowed) or NULL.
 */
const char *st_norm_enum(const char *s, const char *const *allowed);

#endif
