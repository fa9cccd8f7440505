/*
 * template.h - a tenant's WhatsApp message templates.
 *
 * A template is named ([a-z0-9_]+, as Meta wants), has a language
 * (idioma, default es_AR: the pair is unique), a category (MARKETING,
 * UTILITY or AUTHENTICATION) and a content whose variables are numbered
 * {{1}}, {{2}}, ... with none skipped. Its variables column holds one
 * example value per variable (a JSON array of strings), what Meta asks
 * for when it reviews a template. Changing the content sends the template
 * back to PENDING review. Campaigns name templates in
 * config.message.template. Changes need a tenant admin and are audited.
 */
#ifndef STRATO_TEMPLATE_H
#define STRATO_TEMPLATE_H

#include <stddef.h>

#include "strato/db.h"
#include "strato/error.h"

struct st_template {
	char *id;
	char *nombre;
	char *idioma;
	char *categoria;
	char *contenido;
	char *variables; /* JSON text, or NULL */
	char *estado;
	char *created_at;
	char *updated_at;
};

struct st_template_list {
	size_t n;
	struct st_template *items;
};

/* What create sets and update changes; NULL members stay unchanged. */
struct st_template_spec {
	const char *nombre;
	const char *idioma;
	const char *categoria;
	const char *contenido;
	const char *variables; /* JSON array text */
};

void st_template_release(struct st_template *t);
void st_template_list_release(struct st_template_list *l);

/*
 * The number of variables in contenido ({{1}} to {{N}} gives N, none gives
 * 0), or -1 when they are not numbered 1 to N without gaps.
 */
int st_template_var_count(const char *contenido);

int st_template_list(struct st_db *db, const char *tenant_id,
		     struct st_template_list *out, struct st_error *err);
/*
 * One template by id or nombre; idioma picks the language when the name
 * exists in several (without it that is ST_EINVAL).
 */
int st_template_get(struct st_db *db, const char *tenant_id, const char *ref,
		    const char *idioma, struct st_template *out,
		    struct st_error *err);
int st_template_create(struct st_db *db, const char *tenant_id,
		       const struct st_template_spec *spec,
		       struct st_template *out, struct st_error *err);
int st_template_update(struct st_db *db, const char *tenant_id,
		       const char *ref, const char *idioma,
		       const struct st_template_spec *spec,
		       struct st_template *out, struct st_error *err);

#endif
