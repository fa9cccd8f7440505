/*
 * lead-internal.h - shared by lead.c, lead-write.c and lead-merge.c.
 */
#ifndef STRATO_LEAD_INTERNAL_H
#define STRATO_LEAD_INTERNAL_H

#include <stdbool.h>

#include "db-internal.h"
#include "strato/lead.h"

/* The columns lead_from_row() reads, over lead l and its assignee u. */
#define LEAD_COLS \
	"l.id, l.nombre, l.telefono, l.telefono_e164, l.email, l.origen," \
	" l.estado, l.tipo, l.operacion, l.tipo_propiedad," \
	" coalesce(l.zona_interes, nullif(array_to_string(l.zonas, ', '), ''))," \
	" nullif(concat_ws(' ', nullif(concat_ws('-', l.presupuesto_min::text," \
	"   l.presupuesto_max::text), ''), l.moneda), '')," \
	" nullif(array_to_string(l.tags, ', '), ''), u.email, l.notas," \
	" l.custom::text, l.es_cliente, l.opt_out, " \
	ST_SQL_TS("l.created_at") ", " ST_SQL_TS("l.updated_at") \
	" FROM strato.lead l LEFT JOIN strato.app_user u" \
	" ON u.tenant_id = l.tenant_id AND u.id = l.assigned_to_id"

void lead_from_row(struct st_lead *l, const PGresult *res, int r);

/*
 * The id of the lead ref names, in the open tenant transaction: the lead
 * with that id, else the one lead whose id starts with it (at least four
 * characters). Deleted leads count only with deleted set. *id is new;
 * ST_ENOTFOUND, or ST_EUSAGE naming the candidates when ambiguous.
 */
int lead_resolve(struct st_db *db, const char *tenant_id, const char *ref,
		 bool deleted, char **id, struct st_error *err);

/* Read lead id into out, in the open transaction (deleted or not). */
int lead_fetch(struct st_db *db, const char *tenant_id, const char *id,
	       struct st_lead *out, struct st_error *err);

#endif
