/*
 * lead-sql.h - the text of the lead browse statement, shared by
 * st_lead_list() (lead.c), st_lead_estimate() (lead-estimate.c) and the
 * benchmark that EXPLAINs the very statement the library sends
 * (bench/tui/driver.c). Internal: not installed.
 *
 * Parameters: $1 tenant, $2 estado, $3 tipo, $4 tag, $5 origen, $6 zona,
 * $7 assigned e-mail, $8 search text, $9/$10 the cursor's created_at and
 * id; every one may be NULL. The statement adds $11, the row limit.
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

/* A page: one more row than shown tells whether there is a next one. */
#define LEAD_LIST_SQL \
	"SELECT " LEAD_COLS " WHERE " LEAD_FILTER_SQL \
	" ORDER BY l.created_at DESC, l.id DESC LIMIT $11::int"

/* The same by name, A to Z: the cursor is the last name and id shown. */
#define LEAD_LIST_BY_NAME_SQL \
	"SELECT " LEAD_COLS " WHERE " LEAD_MATCH_SQL \
	" AND ($9::text IS NULL OR (l.nombre, l.id) > ($9::text, $10::text))" \
	" ORDER BY l.nombre, l.id LIMIT $11::int"

#endif
