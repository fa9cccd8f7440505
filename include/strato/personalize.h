/*
 * personalize.h - {{placeholder}} rendering of campaign messages.
 *
 * A campaign's text names lead fields between double braces:
 * "Hola {{primer_nombre}}, tenemos novedades en {{zona}}". A placeholder
 * may carry a fallback after a bar, used when the lead lacks the value:
 * "{{primer_nombre|vecino}}". Blanks inside the braces are ignored. Only
 * the names listed by st_personalize_names() exist; any other name, an
 * empty "{{}}" or an unclosed "{{" is an error, found when a campaign is
 * configured rather than when a batch is half sent. Single braces are
 * plain text. Values are UTF-8 and copied as they are (accents intact),
 * except the lead's operacion and tipo_propiedad, which read better lower
 * case ("alquiler", "departamento"). The batch engine renders every
 * recipient's message with st_personalize_render(); the console's
 * campaign preview uses the same call.
 */
#ifndef STRATO_PERSONALIZE_H
#define STRATO_PERSONALIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "strato/error.h"

/* What a message can name; NULL (or "") members are missing values. */
struct st_personalize_vars {
	const char *nombre;         /* the lead's full name */
	const char *zona;           /* the zone the lead wants */
	const char *telefono;       /* the lead's phone, E.164 */
	const char *email;
	const char *operacion;      /* VENTA, ALQUILER */
	const char *tipo_propiedad; /* DEPARTAMENTO, CASA, ... */
	const char *agente;         /* the assigned user's name */
	const char *inmobiliaria;   /* the tenant's name */
	const char *asistente;      /* the active assistant's name */
	const char *propiedades;    /* OPORTUNIDADES: the lead's new matches,
				       one per line (set by the batch engine) */
};

/* The placeholder names, comma-separated, for messages and hints. */
const char *st_personalize_names(void);

/* True when name (len bytes) is a placeholder. */
bool st_personalize_known(const char *name, size_t len);

/*
 * Check the placeholders of text without rendering. ST_EINVAL names the
 * first bad placeholder ("unknown placeholder {{nombr}}") with the known
 * names in the hint.
 */
int st_personalize_check(const char *text, struct st_error *err);

/*
 * Render text for one recipient: a new string (caller frees), or NULL
 * with err as st_personalize_check() fills it. A missing value renders
 * as the placeholder's fallback, else as nothing.
 */
char *st_personalize_render(const char *text,
			    const struct st_personalize_vars *v,
			    struct st_error *err);

/*
 * The first word of a full name ("María José Núñez" gives "María"), a new
 * string; NULL when the name is missing or blank.
 */
char *st_personalize_first_name(const char *nombre);

#endif
