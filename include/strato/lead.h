/*
 * lead.h - a tenant's leads: browsing and reading.
 *
 * Browsing is keyset-paged on (created_at, id), newest first, the order of
 * the lead_browse index: a page deep in a million leads costs what the
 * first one does. The cursor of the next page is opaque text to hand back.
 * Text search is accent- and case-insensitive over name, phones and
 * e-mail, through the trigram index.
 */
#ifndef STRATO_LEAD_H
#define STRATO_LEAD_H

#include <stdbool.h>
#include <stddef.h>

#include "strato/db.h"
#include "strato/error.h"

struct st_lead_filter {
	const char *estado;
	const char *tipo;
	const char *tag;
	const char *origen;
	const char *zona;     /* in zonas or zona_interes, ignoring case */
	const char *assigned; /* a user's e-mail */
	const char *search;   /* free text */
	int limit;            /* 0: 50; at most 1000 */
	const char *after;    /* the cursor a previous page returned */
};

struct st_lead {
	char *id;
	char *nombre;
	char *telefono;
	char *telefono_e164;
	char *email;
	char *origen;
	char *estado;
	char *tipo;
	char *operacion;
	char *tipo_propiedad;
	char *zona;       /* zona_interes, else the zones joined */
	char *presupuesto;/* "min-max CUR", what is known of it */
	char *tags;       /* "a, b" */
	char *asignado;   /* the assigned user's e-mail */
	char *notas;
	char *custom;     /* JSON text */
	bool es_cliente;
	bool opt_out;
	char *created_at;
	char *updated_at;
};

struct st_lead_list {
	size_t n;
	struct st_lead *items;
	char *next; /* cursor of the next page, NULL on the last */
};

void st_lead_release(struct st_lead *l);
void st_lead_list_release(struct st_lead_list *l);

int st_lead_list(struct st_db *db, const char *tenant_id,
		 const struct st_lead_filter *f, struct st_lead_list *out,
		 struct st_error *err);
/* One lead by id; ST_ENOTFOUND when missing (or another tenant's). */
int st_lead_get(struct st_db *db, const char *tenant_id, const char *id,
		struct st_lead *out, struct st_error *err);

#endif
