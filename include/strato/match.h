/*
 * match.h - ranking a tenant's available properties for a lead (the
 * assistant "Astor" orders them).
 *
 * The ranking runs in SQL, in three statements. The first reads the lead's
 * preferences and the weights (the tenant's active assistant's
 * config->'ranking', else the defaults below) and the dollar rate; the
 * others bind those as parameters so the planner sees constants. The
 * pre-filter keeps estado DISPONIBLE, the lead's operation and type when
 * stated, and a price window around the budget. Rather than score every
 * property that passes it (up to the whole catalogue for a lead without
 * operation or budget), the second statement scores the newest few
 * candidates of each group of one zone and one number of rooms (indexes
 * property_match_zona and property_match_rooms, migration 0013): the
 * N-th best of those scores is a lower bound L for the top N. Within a
 * group every component but recency is at most a known m, so a candidate
 * of the group can reach L only if published recently enough; the third
 * statement scores only those, group by group, newest first (with fewer
 * than N seeds, every candidate, by property_match_moneda). The top N is
 * exactly that of scoring every candidate (src/match.c gives the bound);
 * only the best are formatted.
 *
 * Every component is a number from 0 to 1, and the score their weighted
 * mean:
 *  - zona: 1 when the property's zone equals one the lead wants (zonas or
 *    zona_interes, ignoring case and accents), 0.5 when it starts with one
 *    as a word ("Palermo Soho" for "Palermo"), else 0; 1 for a lead
 *    without zones.
 *  - precio: 1 inside [presupuesto_min, presupuesto_max] (the legacy
 *    single presupuesto is a ceiling), falling linearly to 0 at 50%
 *    beyond either end; properties further out, or without a price, are
 *    not candidates. 1 for a lead without a budget.
 *  - ambientes: 1 for the number wanted, 0.25 less per room more and 0.5
 *    less per room fewer (0.5 when the property does not say).
 *  - recencia: halves every 30 days since publicado_at.
 * Currencies: a budget without moneda is in USD for VENTA and ARS for
 * ALQUILER (how the market quotes). A property in the other currency is
 * compared at the tenant's rate (tenant config "usd_ars", default
 * ST_MATCH_USD_ARS) and its precio component is multiplied by 0.9: the
 * lead asked in the other currency.
 * Default weights: zona 0.35, precio 0.35, ambientes 0.2, recencia 0.1; a
 * missing, negative or non-numeric weight takes its default, and all zero
 * means all defaults. Ties go to the newer publication, then the id.
 */
#ifndef STRATO_MATCH_H
#define STRATO_MATCH_H

#include <stddef.h>

#include "strato/db.h"
#include "strato/error.h"

#define ST_MATCH_USD_ARS "1200"

struct st_match {
	char *id;
	char *codigo;
	char *titulo;
	char *operacion;
	char *tipo;
	char *zona;
	char *precio;
	char *moneda;
	char *ambientes;
	char *publicado_at;
	char *score;           /* "0.873": three decimals, text */
	char *score_zona;
	char *score_precio;
	char *score_ambientes;
	char *score_recencia;
};

struct st_match_list {
	size_t n;
	struct st_match *items;
	char *weights;   /* "zona=0.35 precio=0.35 ambientes=0.2 recencia=0.1" */
};

void st_match_list_release(struct st_match_list *l);

/*
 * The best limit (0: 10; at most 1000) available properties for lead_id,
 * best first. ST_ENOTFOUND for a missing lead.
 */
int st_match_rank(struct st_db *db, const char *tenant_id,
		  const char *lead_id, int limit, struct st_match_list *out,
		  struct st_error *err);

/*
 * The pre-filter of st_match_rank alone: how many properties pass it for
 * lead_id, without scoring or sorting (the benchmark's baseline).
 */
int st_match_candidates(struct st_db *db, const char *tenant_id,
			const char *lead_id, long *n, struct st_error *err);

#endif
