/*
 * property.h - a tenant's property catalogue: browsing, reading, and the
 * changes tenant admins make to it.
 *
 * Agents may read the catalogue; writes need strato_tenant_admin (the
 * grants say so, and a refused write comes back as ST_EPERM saying who may
 * do it). A property is named by its id or by the agency's own codigo.
 * Enumerated fields accept any case and are stored upper case. Every value
 * is text here: numbers travel as the server prints them (no float noise),
 * and NULL stays NULL.
 */
#ifndef STRATO_PROPERTY_H
#define STRATO_PROPERTY_H

#include <stdbool.h>
#include <stddef.h>

#include "strato/db.h"
#include "strato/error.h"

struct st_property {
	char *id;
	char *codigo;
	char *titulo;
	char *descripcion;
	char *precio;     /* "150000" or "1500.5": trailing zeros trimmed */
	char *moneda;     /* ARS or USD */
	char *operacion;  /* VENTA or ALQUILER */
	char *tipo;
	char *zona;
	char *direccion;
	char *ambientes;
	char *dormitorios;
	char *banos;
	char *superficie; /* m2, trimmed like precio */
	char *url;
	char *estado;
	char *publicado_at;
	char *created_at;
	char *updated_at;
};

/*
 * The fields of a create or an update, as the user typed them. NULL: not
 * given (an update leaves the column alone); "": clear it (refused for
 * the required titulo, moneda, operacion, tipo and estado).
 */
struct st_property_fields {
	const char *codigo;
	const char *titulo;
	const char *descripcion;
	const char *precio;
	const char *moneda;
	const char *operacion;
	const char *tipo;
	const char *zona;
	const char *direccion;
	const char *ambientes;
	const char *dormitorios;
	const char *banos;
	const char *superficie;
	const char *url;
	const char *estado;
};

struct st_property_filter {
	const char *operacion;
	const char *tipo;
	const char *zona;      /* ignoring case and accents */
	const char *moneda;
	const char *precio_min;
	const char *precio_max;
	const char *ambientes; /* exactly this many */
	const char *estado;
	int limit;             /* 0: 50; at most 1000 */
	const char *after;     /* the cursor a previous page returned */
};

struct st_property_list {
	size_t n;
	struct st_property *items;
	char *next; /* cursor of the next page, NULL on the last */
};

void st_property_release(struct st_property *p);
void st_property_list_release(struct st_property_list *l);

/*
 * The canonical (upper-case) spelling of value for an enumerated field
 * ("operacion", "tipo", "moneda", "estado"), or NULL when value is not one
 * of them. st_property_enum_values() lists the valid values ("VENTA,
 * ALQUILER"), or NULL when field is not enumerated. Both return static
 * strings.
 */
const char *st_property_enum_canon(const char *field, const char *value);
const char *st_property_enum_values(const char *field);

/* Is s a price or area: digits with at most two decimals ("1500.50")? */
bool st_property_number_valid(const char *s);

int st_property_list(struct st_db *db, const char *tenant_id,
		     const struct st_property_filter *f,
		     struct st_property_list *out, struct st_error *err);
/* One property by id or codigo; ST_ENOTFOUND when missing. */
int st_property_get(struct st_db *db, const char *tenant_id, const char *ref,
		    struct st_property *out, struct st_error *err);
/*
 * Create a property (titulo, operacion and tipo required) with its audit
 * row; *out is the stored row. A taken codigo is ST_EEXIST; an agent's
 * attempt is ST_EPERM.
 */
int st_property_create(struct st_db *db, const char *tenant_id,
		       const struct st_property_fields *f,
		       struct st_property *out, struct st_error *err);
/* Change the given fields of ref; the audit row holds what changed. */
int st_property_update(struct st_db *db, const char *tenant_id,
		       const char *ref, const struct st_property_fields *f,
		       struct st_property *out, struct st_error *err);
/* Delete ref; visits that named it keep their row, without the property. */
int st_property_delete(struct st_db *db, const char *tenant_id,
		       const char *ref, struct st_error *err);

/*
 * Inside an open tenant transaction: the id of the property that ref names
 * (its id, else its codigo), as a new string; ST_ENOTFOUND otherwise. For
 * the modules that hang things off properties (visits, fichas).
 */
char *st_property_resolve(struct st_db *db, const char *tenant_id,
			  const char *ref, struct st_error *err);
/* st_property_get inside the caller's open tenant transaction. */
int st_property_fetch(struct st_db *db, const char *tenant_id,
		      const char *ref, struct st_property *out,
		      struct st_error *err);

#endif
