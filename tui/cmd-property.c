/*
 * cmd-property.c - property list, show, create, update, delete, match.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "strato/match.h"
#include "strato/property.h"

static void
property_columns(struct st_table *t, bool full)
{
	static const char *const names[] = { "id", "codigo", "titulo",
		"operacion", "tipo", "zona", "precio", "moneda", "ambientes",
		"estado", "descripcion", "direccion", "dormitorios", "banos",
		"superficie", "url", "publicado_at", "created_at",
		"updated_at" };

	for (size_t i = 0; i < (full ? ST_ARRAY_SIZE(names) : 10); i++) {
		bool num = strcmp(names[i], "precio") == 0 ||
			   strcmp(names[i], "ambientes") == 0 ||
			   strcmp(names[i], "dormitorios") == 0 ||
			   strcmp(names[i], "banos") == 0 ||
			   strcmp(names[i], "superficie") == 0;

		st_table_add_col(t, names[i], num ? ST_COL_NUMBER : ST_COL_TEXT);
	}
}

static void
property_row(struct st_table *t, const struct st_property *p, bool full)
{
	size_t r = st_table_add_row(t);
	const char *v[] = { p->id, p->codigo, p->titulo, p->operacion, p->tipo,
			    p->zona, p->precio, p->moneda, p->ambientes,
			    p->estado, p->descripcion, p->direccion,
			    p->dormitorios, p->banos, p->superficie, p->url,
			    p->publicado_at, p->created_at, p->updated_at };

	for (size_t c = 0; c < (full ? ST_ARRAY_SIZE(v) : 10); c++)
		st_table_set(t, r, c, v[c]);
}

/*
 * The enumerated and numeric flags, checked before anything runs so a bad
 * value is a usage error naming its flag and the valid values.
 */
static int
check_flags(const struct cmd_args *args, struct st_error *err)
{
	static const char *const enums[] = { "operacion", "tipo", "moneda",
					     "estado" };
	static const char *const nums[] = { "precio", "superficie",
					    "precio-min", "precio-max" };

	for (size_t i = 0; i < ST_ARRAY_SIZE(enums); i++) {
		const char *v = cmd_arg(args, enums[i]);

		if (v && *v && !st_property_enum_canon(enums[i], v)) {
			st_error_set(err, ST_EUSAGE, "invalid value \"%s\" for "
				     "--%s", v, enums[i]);
			st_error_hint(err, "Valid values: %s (any case).",
				      st_property_enum_values(enums[i]));
			return -1;
		}
	}
	for (size_t i = 0; i < ST_ARRAY_SIZE(nums); i++) {
		const char *v = cmd_arg(args, nums[i]);

		if (v && *v && !st_property_number_valid(v)) {
			st_error_set(err, ST_EUSAGE, "invalid value \"%s\" for "
				     "--%s", v, nums[i]);
			st_error_hint(err, "A plain number with at most two "
				      "decimals, such as 150000 or 72.5 (no "
				      "thousands separators).");
			return -1;
		}
	}
	return 0;
}

static int
cmd_property_list(struct cmd_ctx *ctx, struct cmd_args *args,
		  struct st_error *err)
{
	struct st_property_filter f = {
		.operacion = cmd_arg(args, "operacion"),
		.tipo = cmd_arg(args, "tipo"),
		.zona = cmd_arg(args, "zona"),
		.moneda = cmd_arg(args, "moneda"),
		.precio_min = cmd_arg(args, "precio-min"),
		.precio_max = cmd_arg(args, "precio-max"),
		.ambientes = cmd_arg(args, "ambientes"),
		.estado = cmd_arg(args, "estado"),
		.after = cmd_arg(args, "after"),
	};
	struct st_property_list l;
	char *tenant_id = NULL;
	bool full = args->format != ST_FORMAT_TABLE;

	if (check_flags(args, err) < 0 ||
	    cmd_limit(args, 1000, &f.limit, err) < 0)
		return -1;
	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_property_list(ctx->db, tenant_id, &f, &l, err) < 0) {
		free(tenant_id);
		return -1;
	}
	property_columns(ctx->out, full);
	for (size_t i = 0; i < l.n; i++)
		property_row(ctx->out, &l.items[i], full);
	if (l.next)
		st_table_set_message(ctx->out, "more: --after '%s'", l.next);
	st_property_list_release(&l);
	free(tenant_id);
	return 0;
}

/* Show one property record in ctx->out. */
static void
show_one(struct cmd_ctx *ctx, const struct st_property *p)
{
	property_columns(ctx->out, true);
	property_row(ctx->out, p, true);
	ctx->out->single = true;
}

static int
cmd_property_show(struct cmd_ctx *ctx, struct cmd_args *args,
		  struct st_error *err)
{
	struct st_property p;
	char *tenant_id = NULL;
	int ret = -1;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_property_get(ctx->db, tenant_id, args->argv[0], &p, err) == 0) {
		show_one(ctx, &p);
		st_property_release(&p);
		ret = 0;
	}
	free(tenant_id);
	return ret;
}

static void
fields_from_args(const struct cmd_args *args, struct st_property_fields *f)
{
	f->codigo = cmd_arg(args, "codigo");
	f->titulo = cmd_arg(args, "titulo");
	f->descripcion = cmd_arg(args, "descripcion");
	f->precio = cmd_arg(args, "precio");
	f->moneda = cmd_arg(args, "moneda");
	f->operacion = cmd_arg(args, "operacion");
	f->tipo = cmd_arg(args, "tipo");
	f->zona = cmd_arg(args, "zona");
	f->direccion = cmd_arg(args, "direccion");
	f->ambientes = cmd_arg(args, "ambientes");
	f->dormitorios = cmd_arg(args, "dormitorios");
	f->banos = cmd_arg(args, "banos");
	f->superficie = cmd_arg(args, "superficie");
	f->url = cmd_arg(args, "url");
	f->estado = cmd_arg(args, "estado");
}

static int
cmd_property_create(struct cmd_ctx *ctx, struct cmd_args *args,
		    struct st_error *err)
{
	struct st_property_fields f;
	struct st_property p;
	char *tenant_id = NULL;
	int ret = -1;

	fields_from_args(args, &f);
	if (!f.titulo || !f.operacion || !f.tipo) {
		st_error_set(err, ST_EUSAGE, "property create needs --titulo, "
			     "--operacion and --tipo");
		return -1;
	}
	if (check_flags(args, err) < 0 ||
	    cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_property_create(ctx->db, tenant_id, &f, &p, err) == 0) {
		show_one(ctx, &p);
		st_table_set_message(ctx->out, "property \"%s\" created",
				     p.id);
		st_property_release(&p);
		ret = 0;
	}
	free(tenant_id);
	return ret;
}

static int
cmd_property_update(struct cmd_ctx *ctx, struct cmd_args *args,
		    struct st_error *err)
{
	struct st_property_fields f;
	struct st_property p;
	char *tenant_id = NULL;
	int ret = -1;

	fields_from_args(args, &f);
	if (!f.codigo && !f.titulo && !f.descripcion && !f.precio &&
	    !f.moneda && !f.operacion && !f.tipo && !f.zona && !f.direccion &&
	    !f.ambientes && !f.dormitorios && !f.banos && !f.superficie &&
	    !f.url && !f.estado) {
		st_error_set(err, ST_EUSAGE, "property update needs at least "
			     "one field to change");
		st_error_hint(err, "See \"strato property update --help\".");
		return -1;
	}
	if (check_flags(args, err) < 0 ||
	    cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_property_update(ctx->db, tenant_id, args->argv[0], &f, &p,
			       err) == 0) {
		show_one(ctx, &p);
		st_table_set_message(ctx->out, "property \"%s\" updated",
				     p.id);
		st_property_release(&p);
		ret = 0;
	}
	free(tenant_id);
	return ret;
}

static int
cmd_property_delete(struct cmd_ctx *ctx, struct cmd_args *args,
		    struct st_error *err)
{
	char *tenant_id = NULL;
	int ret;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	ret = st_property_delete(ctx->db, tenant_id, args->argv[0], err);
	if (ret == 0)
		st_table_set_message(ctx->out, "property \"%s\" deleted",
				     args->argv[0]);
	free(tenant_id);
	return ret;
}

static void
match_columns(struct st_table *t, bool explain)
{
	static const char *const names[] = { "rank", "score", "id", "codigo",
		"titulo", "operacion", "tipo", "zona", "precio", "moneda",
		"ambientes", "publicado_at", "score_zona", "score_precio",
		"score_ambientes", "score_recencia" };

	for (size_t i = 0; i < (explain ? ST_ARRAY_SIZE(names) : 11); i++)
		st_table_add_col(t, names[i], i < 2 || i == 8 || i == 10 ||
				 i > 11 ? ST_COL_NUMBER : ST_COL_TEXT);
}

static int
cmd_property_match(struct cmd_ctx *ctx, struct cmd_args *args,
		   struct st_error *err)
{
	struct st_match_list l;
	char *tenant_id = NULL;
	bool explain = cmd_arg(args, "explain") != NULL;
	int limit = 0;

	if (cmd_limit(args, 1000, &limit, err) < 0 ||
	    cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_match_rank(ctx->db, tenant_id, args->argv[0], limit, &l,
			  err) < 0) {
		free(tenant_id);
		return -1;
	}
	match_columns(ctx->out, explain);
	for (size_t i = 0; i < l.n; i++) {
		const struct st_match *m = &l.items[i];
		const char *v[] = { NULL, m->score, m->id, m->codigo,
			m->titulo, m->operacion, m->tipo, m->zona, m->precio,
			m->moneda, m->ambientes, m->publicado_at, m->score_zona,
			m->score_precio, m->score_ambientes,
			m->score_recencia };
		size_t r = st_table_add_row(ctx->out);

		st_table_setf(ctx->out, r, 0, "%zu", i + 1);
		for (size_t c = 1; c < ctx->out->ncols; c++)
			st_table_set(ctx->out, r, c, v[c]);
	}
	st_table_set_message(ctx->out, "weights: %s", l.weights);
	st_match_list_release(&l);
	free(tenant_id);
	return 0;
}

#define TENANT_FLAG { "tenant", "SLUG", "the tenant (platform admins)" }

static const struct cmd_flag list_flags[] = {
	TENANT_FLAG,
	{ "operacion", "OP", "VENTA or ALQUILER (any case)" },
	{ "tipo", "TIPO", "DEPARTAMENTO, CASA, PH, LOCAL, ... (any case)" },
	{ "zona", "ZONA", "this zone, ignoring case and accents" },
	{ "moneda", "MONEDA", "prices in ARS or USD" },
	{ "precio-min", "N", "precio at least N" },
	{ "precio-max", "N", "precio at most N" },
	{ "ambientes", "N", "exactly N rooms" },
	{ "estado", "ESTADO", "DISPONIBLE, RESERVADA, VENDIDA, ... (any case)" },
	{ "limit", "N", "properties per page (default 50, at most 1000)" },
	{ "after", "CURSOR", "the next page, as the previous one said" },
	{ NULL, NULL, NULL },
};

/* create and update take the same fields. */
#define FIELD_FLAGS \
	TENANT_FLAG, \
	{ "titulo", "TEXT", "the title" }, \
	{ "codigo", "CODE", "the agency's own reference, unique" }, \
	{ "descripcion", "TEXT", "the description" }, \
	{ "precio", "N", "the price, a plain number (150000, 1500.50)" }, \
	{ "moneda", "MONEDA", "ARS or USD (default USD)" }, \
	{ "operacion", "OP", "VENTA or ALQUILER" }, \
	{ "tipo", "TIPO", "DEPARTAMENTO, CASA, PH, LOCAL, OFICINA, TERRENO, " \
	  "COCHERA, OTRO" }, \
	{ "zona", "ZONA", "the zone (barrio)" }, \
	{ "direccion", "TEXT", "the street address" }, \
	{ "ambientes", "N", "rooms, 1 to 50" }, \
	{ "dormitorios", "N", "bedrooms" }, \
	{ "banos", "N", "bathrooms" }, \
	{ "superficie", "M2", "the area in square metres" }, \
	{ "url", "URL", "the listing's link" }, \
	{ "estado", "ESTADO", "DISPONIBLE (default), RESERVADA, VENDIDA, " \
	  "ALQUILADA, RETIRADA" }, \
	{ NULL, NULL, NULL }

static const struct cmd_flag create_flags[] = { FIELD_FLAGS };
static const struct cmd_flag update_flags[] = { FIELD_FLAGS };

static const struct cmd_flag tenant_flags[] = {
	TENANT_FLAG,
	{ NULL, NULL, NULL },
};

static const struct cmd_flag match_flags[] = {
	TENANT_FLAG,
	{ "limit", "N", "the best N (default 10, at most 1000)" },
	{ "explain", NULL, "show each component of the score" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_property_table[] = {
	{ "property", "list", "ls", "", "List properties, newest first, a "
	  "page at a time.", 0, 0, 0, list_flags, cmd_property_list },
	{ "property", "show", NULL, "PROPERTY", "Show one property (by id or "
	  "codigo), every field.", 1, 1, 0, tenant_flags, cmd_property_show },
	{ "property", "create", NULL, "", "Add a property to the catalogue "
	  "(tenant admins).", 0, 0, CMD_MUTATES, create_flags,
	  cmd_property_create },
	{ "property", "update", NULL, "PROPERTY", "Change fields of a property "
	  "(tenant admins); an empty value clears one.", 1, 1, CMD_MUTATES,
	  update_flags, cmd_property_update },
	{ "property", "delete", "rm", "PROPERTY", "Delete a property (tenant "
	  "admins).", 1, 1, CMD_MUTATES, tenant_flags, cmd_property_delete },
	{ "property", "match", NULL, "LEAD", "Rank the available properties "
	  "for a lead, best first.", 1, 1, 0, match_flags,
	  cmd_property_match },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
