/*
 * lead-sql.h - the lead browse statements, shared by st_lead_list()
 * (lead.c, lead-query.c), st_lead_estimate() (lead-estimate.c) and the
 * benchmark that EXPLAINs the very statements the library sends
 * (bench/tui/driver.c). Internal: not installed.
 *
 * LEAD_FILTER_SQL's parameters: $1 tenant, $2 estado, $3 tipo, $4 tag,
 * $5 origen, $6 zona, $7 assigned e-mail, $8 search text, $9/$10 the
 * cursor's created_at and id; every one may be NULL.
 */
#ifndef STRATO_LEAD_SQL_H
#define STRATO_LEAD_SQL_H

#include "lead-internal.h" /* LEAD_COLS */

/* The filters, $1 to $8, after WHERE. */
#define LEAD_MATCH_SQL \
	"l.tenant_id = $1 AND l.deleted_at IS NULL" \
	" AND ($2::text IS NULL OR l.estado = upper($2))" \
	" AND ($3::text IS NULL OR l.tipo = upper($3))" \
	" AND ($4::text IS NULL OR l.tags @> ARRAY[$4::text])" \
	" AND ($5::text IS NULL OR l.origen = $5)" \
	" AND ($6::text IS NULL OR EXISTS (SELECT 1 FROM unnest(l.zonas) z" \
	"   WHERE lower(z) = lower($6)) OR lower(l.zona_interes) = lower($6))" \
	" AND ($7::text IS NULL OR u.email = lower($7))" \
	" AND ($8::text IS NULL OR l.search LIKE '%' || replace(replace(" \
	"   replace(strato.f_unaccent(lower($8)), '\\', '\\\\'), '%', '\\%')," \
	"   '_', '\\_') || '%')"

/* The filters and the newest-first cursor, $1 to $10, after WHERE. */
#define LEAD_FILTER_SQL \
	LEAD_MATCH_SQL \
	" AND ($9::timestamptz IS NULL OR (l.created_at, l.id) <" \
	"   ($9::timestamptz, $10::text))"

/*
 * A page of leads matching f, newest first or (by_name) A to Z, after the
 * cursor (after_key and after_id, or NULL), limit rows: the statement with
 * only the conditions f uses, its parameters, and the name it is prepared
 * under (one per shape of filter).
 */
struct lead_query {
	char *sql;
	char name[32];
	bool generic; /* its generic plan serves every call */
	const char *params[12];
	int n;
};
void lead_query_build(struct lead_query *q, const char *tenant_id,
		      const struct st_lead_filter *f, bool by_name,
		      const char *after_key, const char *after_id,
		      const char *limit);
void lead_query_release(struct lead_query *q);

#endif
