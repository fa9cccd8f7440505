/*
 * cmd-lead.c - lead list, lead show.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "strato/lead.h"

static void
lead_columns(struct st_table *t, bool full)
{
	st_table_add_col(t, "id", ST_COL_TEXT);
	st_table_add_col(t, "nombre", ST_COL_TEXT);
	st_table_add_col(t, "telefono", ST_COL_TEXT);
	st_table_add_col(t, "estado", ST_COL_TEXT);
	st_table_add_col(t, "zona", ST_COL_TEXT);
	st_table_add_col(t, "presupuesto", ST_COL_TEXT);
	st_table_add_col(t, "asignado", ST_COL_TEXT);
	if (!full)
		return;
	st_table_add_col(t, "telefono_e164", ST_COL_TEXT);
	st_table_add_col(t, "email", ST_COL_TEXT);
	st_table_add_col(t, "origen", ST_COL_TEXT);
	st_table_add_col(t, "tipo", ST_COL_TEXT);
	st_table_add_col(t, "operacion", ST_COL_TEXT);
	st_table_add_col(t, "tipo_propiedad", ST_COL_TEXT);
	st_table_add_col(t, "tags", ST_COL_TEXT);
	st_table_add_col(t, "notas", ST_COL_TEXT);
	st_table_add_col(t, "custom", ST_COL_JSON);
	st_table_add_col(t, "es_cliente", ST_COL_BOOL);
	st_table_add_col(t, "opt_out", ST_COL_BOOL);
	st_table_add_col(t, "created_at", ST_COL_TEXT);
	st_table_add_col(t, "updated_at", ST_COL_TEXT);
}

static void
lead_row(struct st_table *t, const struct st_lead *l, bool full)
{
	size_t r = st_table_add_row(t);
	const char *v[] = { l->id, l->nombre, l->telefono ? l->telefono
					     : l->telefono_e164, l->estado,
			    l->zona, l->presupuesto, l->asignado,
			    l->telefono_e164, l->email, l->origen, l->tipo,
			    l->operacion, l->tipo_propiedad, l->tags, l->notas,
			    l->custom, l->es_cliente ? "t" : "f",
			    l->opt_out ? "t" : "f", l->created_at,
			    l->updated_at };

	for (size_t c = 0; c < (full ? ST_ARRAY_SIZE(v) : 7); c++)
		st_table_set(t, r, c, v[c]);
}

static int
cmd_lead_list(struct cmd_ctx *ctx, struct cmd_args *args, struct st_error *err)
{
	struct st_lead_filter f = {
		.estado = cmd_arg(args, "estado"),
		.tipo = cmd_arg(args, "tipo"),
		.tag = cmd_arg(args, "tag"),
		.origen = cmd_arg(args, "origen"),
		.zona = cmd_arg(args, "zona"),
		.assigned = cmd_arg(args, "assigned"),
		.search = cmd_arg(args, "search"),
		.after = cmd_arg(args, "after"),
	};
	struct st_lead_list l;
	char *tenant_id = NULL;
	const char *limit = cmd_arg(args, "limit");
	bool full = args->format != ST_FORMAT_TABLE;

	if (limit) {
		char *end;
		long v = strtol(limit, &end, 10);

		if (*end || v < 1 || v > 1000) {
			st_error_set(err, ST_EUSAGE, "--limit takes 1 to 1000");
			return -1;
		}
		f.limit = (int)v;
	}
	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_lead_list(ctx->db, tenant_id, &f, &l, err) < 0) {
		free(tenant_id);
		return -1;
	}
	lead_columns(ctx->out, full);
	for (size_t i = 0; i < l.n; i++)
		lead_row(ctx->out, &l.items[i], full);
	if (l.next)
		st_table_set_message(ctx->out, "more: --after '%s'", l.next);
	st_lead_list_release(&l);
	free(tenant_id);
	return 0;
}

static int
cmd_lead_show(struct cmd_ctx *ctx, struct cmd_args *args, struct st_error *err)
{
	struct st_lead l;
	char *tenant_id = NULL;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_lead_get(ctx->db, tenant_id, args->argv[0], &l, err) < 0) {
		free(tenant_id);
		return -1;
	}
	lead_columns(ctx->out, true);
	lead_row(ctx->out, &l, true);
	ctx->out->single = true;
	st_lead_release(&l);
	free(tenant_id);
	return 0;
}

static const struct cmd_flag list_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "estado", "ESTADO", "NUEVO, CONTACTADO, ... (any case)" },
	{ "tipo", "TIPO", "COMPRADOR, VENDEDOR, INQUILINO, LOCADOR, INVERSOR" },
	{ "tag", "TAG", "leads carrying this tag" },
	{ "origen", "ORIGEN", "where the lead came from (META_ADS, WEB, ...)" },
	{ "zona", "ZONA", "a zone the lead wants" },
	{ "assigned", "EMAIL", "leads assigned to this user" },
	{ "search", "TEXT", "name, phone or e-mail, ignoring accents and case" },
	{ "limit", "N", "leads per page (default 50, at most 1000)" },
	{ "after", "CURSOR", "the next page, as the previous one said" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag show_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_lead_table[] = {
	{ "lead", "list", "ls", "", "List leads, newest first, a page at a time.",
	  0, 0, 0, list_flags, cmd_lead_list },
	{ "lead", "show", NULL, "LEAD", "Show one lead, every field.",
	  1, 1, 0, show_flags, cmd_lead_show },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
