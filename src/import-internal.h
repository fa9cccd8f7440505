/*
 * import-internal.h - shared by import.c, import-map.c and import-stream.c.
 */
#ifndef STRATO_IMPORT_INTERNAL_H
#define STRATO_IMPORT_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "db-internal.h"
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

struct importer {
	struct st_db *db;
	const char *tenant_id;
	const struct st_import_opts *o;
	struct st_import_summary *out;
	struct st_csv_reader *rd;
	struct import_plan plan;
	size_t nusers;
	char **user_email;
	char **user_id;
	FILE *rej_batch;     /* this transaction's rejects */
	bool batch_open;     /* a transaction with a COPY in progress */
	long long batch_records;
	long last_line;
	char *run_id;
	bool run_committed;  /* import_run exists outside our transaction */
	struct st_buf line;
	/* streaming into an empty tenant (import-stream.c) */
	bool stream;         /* leads inserted chunk by chunk */
	bool stream_copy;    /* a COPY into import_chunk is open */
	bool stream_busy;    /* a chunk's statement is running */
	long long chunk_records;   /* COPY lines sent into import_chunk */
	long long pending_records; /* lines held while the server works */
	long long chunk_sent;      /* lines of the chunk the server has */
	struct st_buf pending;
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

/* import-stream.c: the first import into an empty tenant */
int import_stream_begin(struct importer *im, struct st_error *err);
int import_emit(struct importer *im, const char *data, size_t len,
		struct st_error *err);
int import_stream_poll(struct importer *im, struct st_error *err);
int import_stream_finish(struct importer *im, struct st_error *err);

#endif
