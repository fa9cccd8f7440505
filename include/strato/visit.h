/*
 * visit.h - property visits: events of tipo VISITA on a lead's agenda.
 *
 * Times a person types are read in the tenant's time zone (tenant config
 * "timezone", default America/Argentina/Buenos_Aires) unless they carry
 * an offset, and shown back in it. An agent cannot be in two places: a
 * visit within an hour of another of the same agent's visits that is not
 * cancelled is refused, naming it, unless forced; an advisory lock per
 * agent makes that check hold against a concurrent schedule. Scheduling
 * moves a lead that was earlier in the pipeline (NUEVO, CONTACTADO,
 * CALIFICADO) to VISITA_AGENDADA. Every change writes its audit rows.
 */
#ifndef STRATO_VISIT_H
#define STRATO_VISIT_H

#include <stdbool.h>
#include <stddef.h>

#include "strato/db.h"
#include "strato/error.h"

#define ST_VISIT_DEFAULT_TZ "America/Argentina/Buenos_Aires"

/* What st_visit_parse_when() read. */
enum st_when {
	ST_WHEN_INVALID = -1,
	ST_WHEN_LOCAL,  /* a date and time, in the tenant's zone */
	ST_WHEN_OFFSET, /* a date and time with Z or an offset */
	ST_WHEN_DATE,   /* a date alone */
};

struct st_visit {
	char *id;
	char *fecha;      /* "2026-12-01 15:30", in the tenant's zone */
	char *fecha_iso;  /* ISO 8601 with offset */
	char *lead_id;
	char *lead;       /* the lead's name */
	char *property_id;
	char *property;   /* its titulo */
	char *agente;     /* the agent's e-mail */
	char *estado;     /* PENDIENTE, HECHA or CANCELADA */
	char *lead_estado;/* after scheduling: the lead's estado */
};

struct st_visit_list {
	size_t n;
	struct st_visit *items;
};

struct st_visit_new {
	const char *lead_id;
	const char *property; /* id or codigo */
	const char *when;
	const char *agent;    /* e-mail; NULL: the login's user, else the
				 lead's assigned agent, else nobody */
	bool force;           /* schedule despite a clash */
};

void st_visit_release(struct st_visit *v);
void st_visit_list_release(struct st_visit_list *l);

/*
 * Parse "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" or ISO 8601
 * ("YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM|+HHMM|+HH]"), checking every
 * field's range. On success out (n bytes, 32 are enough) holds
 * "YYYY-MM-DD HH:MM:SS" plus "+HH:MM" for ST_WHEN_OFFSET, a form the
 * server parses exactly. Pure; ST_WHEN_INVALID on anything else.
 */
enum st_when st_visit_parse_when(const char *s, char *out, size_t n);

int st_visit_schedule(struct st_db *db, const char *tenant_id,
		      const struct st_visit_new *spec, struct st_visit *out,
		      struct st_error *err);
/*
 * Visits from (default: today, in the tenant's zone) to (a date alone
 * includes that day; default: no end), optionally of one agent (e-mail),
 * in time order.
 */
int st_visit_list(struct st_db *db, const char *tenant_id, const char *from,
		  const char *to, const char *agent, struct st_visit_list *out,
		  struct st_error *err);
/* Mark a pending visit done, or cancel it; ST_ESTATE when it is not. */
int st_visit_done(struct st_db *db, const char *tenant_id, const char *id,
		  struct st_visit *out, struct st_error *err);
int st_visit_cancel(struct st_db *db, const char *tenant_id, const char *id,
		    struct st_visit *out, struct st_error *err);

#endif
