/*
 * lead.h - a tenant's leads: browsing, reading and working them.
 *
 * Browsing is keyset-paged on (created_at, id), newest first, the order of
 * the lead_browse index: a page deep in a million leads costs what the
 * first one does. The cursor of the next page is opaque text to hand back.
 * Text search is accent- and case-insensitive over name, phones and
 * e-mail, through the trigram index.
 *
 * Every change runs in one tenant transaction with its audit row (the diff
 * computed by the server from the row before and after). Values are
 * cleaned as the CSV import cleans them: phones to E.164 in the tenant's
 * region (tenant.config->>'region', else AR), e-mails trimmed and
 * lower-cased, budgets parsed, enumerations read ignoring case and accents.
 * A lead is named by its id, or by a unique prefix of it.
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
	const char *sort;     /* NULL or "recientes": newest first;
			       * "nombre": by name, A to Z */
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
	char *timeline;   /* st_lead_get only: JSON array of events, newest
			   * first; else NULL */
	char *messages;   /* st_lead_get only: JSON array of the last 20
			   * messages of its conversations, newest first */
};

/*
 * The fields of a create or an update, as the user typed them. NULL leaves
 * a field alone; "" clears it (nombre cannot be cleared). presupuesto is a
 * budget text ("100-150k USD") setting min, max and currency; tags and
 * zonas are comma lists.
 */
struct st_lead_spec {
	const char *nombre;
	const char *telefono;
	const char *email;
	const char *estado;
	const char *tipo;
	const char *origen;
	const char *zonas;
	const char *presupuesto;
	const char *presupuesto_min;
	const char *presupuesto_max;
	const char *moneda;
	const char *operacion;
	const char *tipo_propiedad;
	const char *ambientes;
	const char *tags;
	const char *notas;
	const char *assigned; /* a user's e-mail or id */
};

/* A note added to a lead: an event of tipo NOTA. */
struct st_lead_note {
	char *id;
	char *lead_id;
	char *titulo;
	char *notas;
	char *fecha;
	char *usuario; /* the author's e-mail, NULL for a service login */
};

/* One lead of a group of duplicates. */
struct st_lead_dup {
	int grupo;   /* 1, 2, ... */
	char *clave; /* "telefono_e164" or "email" */
	char *valor; /* the shared phone or lower-cased e-mail */
	char *id;
	char *nombre;
	char *created_at;
};

struct st_lead_dup_list {
	size_t n;
	struct st_lead_dup *items;
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
/*
 * One lead by id (or unique id prefix), with its timeline; ST_ENOTFOUND
 * when missing, deleted or another tenant's.
 */
int st_lead_get(struct st_db *db, const char *tenant_id, const char *id,
		struct st_lead *out, struct st_error *err);

/* Create a lead; ST_EEXIST names the lead holding its phone or e-mail. */
int st_lead_create(struct st_db *db, const char *tenant_id,
		   const struct st_lead_spec *spec, struct st_lead *out,
		   struct st_error *err);
/* Change the given fields of a lead; out is the lead afterwards. */
int st_lead_update(struct st_db *db, const char *tenant_id, const char *ref,
		   const struct st_lead_spec *spec, struct st_lead *out,
		   struct st_error *err);
/* Move a lead to another estado (any case); audited as lead.estado. */
int st_lead_set_estado(struct st_db *db, const char *tenant_id,
		       const char *ref, const char *estado,
		       struct st_lead *out, struct st_error *err);
/* Assign to a user (e-mail or id), or unassign with user NULL. */
int st_lead_assign(struct st_db *db, const char *tenant_id, const char *ref,
		   const char *user, struct st_lead *out,
		   struct st_error *err);
/*
 * Change tags: each op is "+tag" or "tag" (add) or "-tag" (remove); an op
 * may be a comma list. Removal ignores case; an added tag already present
 * in another case is not doubled.
 */
int st_lead_tag(struct st_db *db, const char *tenant_id, const char *ref,
		int nops, char *const *ops, struct st_lead *out,
		struct st_error *err);
/* Add a note (an event of tipo NOTA); lead.notas is left alone. */
int st_lead_add_note(struct st_db *db, const char *tenant_id,
		     const char *ref, const char *text,
		     struct st_lead_note *out, struct st_error *err);
void st_lead_note_release(struct st_lead_note *n);
/*
 * Merge lead other into lead keep (strato.merge_lead): out is the survivor,
 * *summary_json (new) what was filled, moved and dropped.
 */
int st_lead_merge(struct st_db *db, const char *tenant_id, const char *keep,
		  const char *other, struct st_lead *out, char **summary_json,
		  struct st_error *err);
/*
 * Delete a lead: soft (deleted_at set; list and show then skip it), or,
 * for platform admins only, hard (the row and what hangs off it). out is
 * the lead as it was.
 */
int st_lead_delete(struct st_db *db, const char *tenant_id, const char *ref,
		   bool hard, struct st_lead *out, struct st_error *err);
/* Groups of live leads sharing a phone (E.164) or an e-mail (any case). */
int st_lead_duplicates(struct st_db *db, const char *tenant_id,
		       struct st_lead_dup_list *out, struct st_error *err);
void st_lead_dup_list_release(struct st_lead_dup_list *l);

#endif
