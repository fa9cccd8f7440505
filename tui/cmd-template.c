/*
 * cmd-template.c - template list, show, create, update (WhatsApp
 * templates).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "strato/template.h"

static void
template_columns(struct st_table *t, bool full)
{
	st_table_add_col(t, "nombre", ST_COL_TEXT);
	st_table_add_col(t, "idioma", ST_COL_TEXT);
	st_table_add_col(t, "categoria", ST_COL_TEXT);
	st_table_add_col(t, "estado", ST_COL_TEXT);
	if (!full)
		return;
	st_table_add_col(t, "id", ST_COL_TEXT);
	st_table_add_col(t, "contenido", ST_COL_TEXT);
	st_table_add_col(t, "variables", ST_COL_JSON);
	st_table_add_col(t, "created_at", ST_COL_TEXT);
	st_table_add_col(t, "updated_at", ST_COL_TEXT);
}

static void
template_row(struct st_table *t, const struct st_template *x, bool full)
{
	size_t r = st_table_add_row(t);
	const char *v[] = { x->nombre, x->idioma, x->categoria, x->estado,
			    x->id, x->contenido, x->variables, x->created_at,
			    x->updated_at };

	for (size_t i = 0; i < (full ? ST_ARRAY_SIZE(v) : 4); i++)
		st_table_set(t, r, i, v[i]);
}

static void
template_out(struct cmd_ctx *ctx, struct st_template *x, const char *what)
{
	template_columns(ctx->out, true);
	template_row(ctx->out, x, true);
	ctx->out->single = true;
	if (what)
		st_table_set_message(ctx->out, "template \"%s\" (%s) %s",
				     x->nombre, x->idioma, what);
	st_template_release(x);
}

static int
cmd_template_list(struct cmd_ctx *ctx, struct cmd_args *args,
		  struct st_error *err)
{
	struct st_template_list l;
	char *tenant_id = NULL;
	bool full = args->format != ST_FORMAT_TABLE;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_template_list(ctx->db, tenant_id, &l, err) < 0) {
		free(tenant_id);
		return -1;
	}
	template_columns(ctx->out, full);
	for (size_t i = 0; i < l.n; i++)
		template_row(ctx->out, &l.items[i], full);
	st_template_list_release(&l);
	free(tenant_id);
	return 0;
}

static int
cmd_template_show(struct cmd_ctx *ctx, struct cmd_args *args,
		  struct st_error *err)
{
	struct st_template x;
	char *tenant_id = NULL;
	int ret = -1;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_template_get(ctx->db, tenant_id, args->argv[0],
			    cmd_arg(args, "idioma"), &x, err) == 0) {
		template_out(ctx, &x, NULL);
		ret = 0;
	}
	free(tenant_id);
	return ret;
}

static int
cmd_template_create(struct cmd_ctx *ctx, struct cmd_args *args,
		    struct st_error *err)
{
	struct st_template_spec spec = {
		.nombre = cmd_arg(args, "name"),
		.idioma = cmd_arg(args, "idioma"),
		.categoria = cmd_arg(args, "categoria"),
		.contenido = cmd_arg(args, "contenido"),
		.variables = cmd_arg(args, "variables"),
	};
	struct st_template x;
	char *tenant_id = NULL;
	int ret = -1;

	if (!spec.nombre || !spec.categoria || !spec.contenido) {
		st_error_set(err, ST_EUSAGE, "template create needs --name, "
			     "--categoria and --contenido");
		return -1;
	}
	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_template_create(ctx->db, tenant_id, &spec, &x, err) == 0) {
		template_out(ctx, &x, "created");
		ret = 0;
	}
	free(tenant_id);
	return ret;
}

static int
cmd_template_update(struct cmd_ctx *ctx, struct cmd_args *args,
		    struct st_error *err)
{
	struct st_template_spec spec = {
		.nombre = cmd_arg(args, "name"),
		.categoria = cmd_arg(args, "categoria"),
		.contenido = cmd_arg(args, "contenido"),
		.variables = cmd_arg(args, "variables"),
	};
	struct st_template x;
	char *tenant_id = NULL;
	int ret = -1;

	if (!spec.nombre && !spec.categoria && !spec.contenido &&
	    !spec.variables) {
		st_error_set(err, ST_EUSAGE, "nothing to change");
		st_error_hint(err, "Give --name, --categoria, --contenido or "
			      "--variables.");
		return -1;
	}
	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_template_update(ctx->db, tenant_id, args->argv[0],
			       cmd_arg(args, "idioma"), &spec, &x, err) == 0) {
		template_out(ctx, &x, "updated");
		ret = 0;
	}
	free(tenant_id);
	return ret;
}

static const struct cmd_flag list_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag show_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "idioma", "IDIOMA", "the language, when the name has several" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag create_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "name", "NOMBRE", "the template's name: a-z, 0-9 and _" },
	{ "idioma", "IDIOMA", "its language (default es_AR)" },
	{ "categoria", "CATEGORIA", "MARKETING, UTILITY or AUTHENTICATION" },
	{ "contenido", "TEXT", "the body, with variables {{1}}, {{2}}, ..." },
	{ "variables", "JSON", "one example per variable, a JSON array" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag update_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "idioma", "IDIOMA", "which language of the name to change" },
	{ "name", "NOMBRE", "a new name: a-z, 0-9 and _" },
	{ "categoria", "CATEGORIA", "MARKETING, UTILITY or AUTHENTICATION" },
	{ "contenido", "TEXT", "a new body (back to PENDING review)" },
	{ "variables", "JSON", "one example per variable, a JSON array" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_template_table[] = {
	{ "template", "list", "ls", "", "List the tenant's WhatsApp templates.",
	  0, 0, 0, list_flags, cmd_template_list },
	{ "template", "show", NULL, "TEMPLATE", "Show one template (by id or "
	  "name).", 1, 1, 0, show_flags, cmd_template_show },
	{ "template", "create", NULL, "", "Create a WhatsApp template.",
	  0, 0, CMD_MUTATES, create_flags, cmd_template_create },
	{ "template", "update", NULL, "TEMPLATE", "Change a WhatsApp template.",
	  1, 1, CMD_MUTATES, update_flags, cmd_template_update },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
