/*
 * import-internal.h - shared by import.c and import-map.c.
 */
#ifndef STRATO_IMPORT_INTERNAL_H
#define STRATO_IMPORT_INTERNAL_H

#include <stdbool.h>

#include "strato/csv.h"
#include "strato/import.h"
#include "strato/phone.h"

enum import_field {
	F_NONE = 0,
	F_IGNORE,
	F_EXTRA,  /* kept in custom under its header */
	F_CUSTOM, /* a JSON object merged into custom */
	F_NOMBRE,
	F_FIRST,
	F_LAST,
	F_TELEFONO,
	F_EMAIL,
	F_ZONA,
	F_ZONAS,
	F_PRESUPUESTO,
	F_PRESUPUESTO_MIN,
	F_PRESUPUESTO_MAX,
	F_MONEDA,
	F_TIPO,
	F_TIPO_PROPIEDAD,
	F_OPERACION,
	F_ORIGEN,
	F_ESTADO,
	F_TAGS,
	F_NOTAS,
	F_AMBIENTES,
	F_ASIGNADO,
	F_ES_CLIENTE,
	F_OPT_OUT,
	F_COUNT,
};

struct import_plan {
	size_t ncols;              /* columns that carry data */
	size_t nheader;            /* all header cells */
	char **header;
	enum import_field *fields; /* per column */
	char *defaults[F_COUNT];
	bool ad_export;
};

struct import_row {
	long line;
	char *v[F_COUNT];
	char e164[ST_PHONE_MAX];
	char *zonas;  /* text[] literal */
	char *tags;   /* text[] literal */
	char *custom; /* JSON object text */
	char reason[600];
};

const char *import_field_name(enum import_field f);
/* An enumerated field's value as the import reads it, or NULL. */
const char *import_enum(const char *field, const char *s);
int import_plan_init(struct import_plan *p, const struct st_csv_record *hdr,
		     const struct st_import_opts *o, struct st_error *err);
void import_plan_release(struct import_plan *p);
int import_row_build(const struct import_plan *p,
		     const struct st_csv_record *rec,
		     const struct st_import_opts *o, struct import_row *r);
void import_row_release(struct import_row *r);
void import_row_copy_line(const struct import_row *r,
			  const enum st_match_key *match,
			  const char *assigned_id, struct st_buf *b);

#endif
