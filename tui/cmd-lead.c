/*
 * cmd-lead.c - lead list, show, create, update, estado, assign, tag, note,
 * merge, delete and duplicates. Every change answers with the lead as it
 * now is, so --json gives the new state.
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
		.sort = cmd_arg(args, "sort"),
	};
	struct st_lead_list l;
	char *tenant_id = NULL;
	bool full = args->format != ST_FORMAT_TABLE;

	if (cmd_limit(args, 1000, &f.limit, err) < 0)
		return -1;
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
	st_table_add_col(ctx->out, "timeline", ST_COL_JSON);
	st_table_add_col(ctx->out, "messages", ST_COL_JSON);
	lead_row(ctx->out, &l, true);
	st_table_set(ctx->out, 0, ctx->out->ncols - 2, l.timeline);
	st_table_set(ctx->out, 0, ctx->out->ncols - 1, l.messages);
	ctx->out->single = true;
	st_lead_release(&l);
	free(tenant_id);
	return 0;
}

/* The one lead a change leaves, every field, and what happened to it. */
static void
lead_result(struct cmd_ctx *ctx, const struct st_lead *l, const char *what)
{
	lead_columns(ctx->out, true);
	lead_row(ctx->out, l, true);
	ctx->out->single = true;
	st_table_set_message(ctx->out, "lead \"%s\" %s", l->id, what);
}

static void
spec_from_args(const struct cmd_args *a, struct st_lead_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->nombre = cmd_arg(a, "name");
	s->telefono = cmd_arg(a, "phone");
	s->email = cmd_arg(a, "email");
	s->estado = cmd_arg(a, "estado");
	s->tipo = cmd_arg(a, "tipo");
	s->origen = cmd_arg(a, "origen");
	s->zonas = cmd_arg(a, "zonas") ? cmd_arg(a, "zonas")
				       : cmd_arg(a, "zona");
	s->presupuesto = cmd_arg(a, "presupuesto");
	s->presupuesto_min = cmd_arg(a, "presupuesto-min");
	s->presupuesto_max = cmd_arg(a, "presupuesto-max");
	s->moneda = cmd_arg(a, "moneda");
	s->operacion = cmd_arg(a, "operacion");
	s->tipo_propiedad = cmd_arg(a, "tipo-propiedad");
	s->ambientes = cmd_arg(a, "ambientes");
	s->tags = cmd_arg(a, "tag");
	s->notas = cmd_arg(a, "notas");
	s->assigned = cmd_arg(a, "assigned");
}

static int
cmd_lead_create(struct cmd_ctx *ctx, struct cmd_args *args,
		struct st_error *err)
{
	struct st_lead_spec spec;
	struct st_lead l;
	char *tenant_id = NULL;
	int ret;

	spec_from_args(args, &spec);
	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	ret = st_lead_create(ctx->db, tenant_id, &spec, &l, err);
	if (ret == 0) {
		lead_result(ctx, &l, "created");
		st_lead_release(&l);
	}
	free(tenant_id);
	return ret;
}

static int
cmd_lead_update(struct cmd_ctx *ctx, struct cmd_args *args,
		struct st_error *err)
{
	struct st_lead_spec spec;
	struct st_lead l;
	char *tenant_id = NULL;
	int ret;

	spec_from_args(args, &spec);
	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	ret = st_lead_update(ctx->db, tenant_id, args->argv[0], &spec, &l, err);
	if (ret == 0) {
		lead_result(ctx, &l, "updated");
		st_lead_release(&l);
	}
	free(tenant_id);
	return ret;
}

static int
cmd_lead_estado(struct cmd_ctx *ctx, struct cmd_args *args,
		struct st_error *err)
{
	struct st_lead l;
	char *tenant_id = NULL;
	int ret;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	ret = st_lead_set_estado(ctx->db, tenant_id, args->argv[0],
				 args->argv[1], &l, err);
	if (ret == 0) {
		lead_result(ctx, &l, l.estado);
		st_lead_release(&l);
	}
	free(tenant_id);
	return ret;
}

static int
cmd_lead_assign(struct cmd_ctx *ctx, struct cmd_args *args,
		struct st_error *err)
{
	struct st_lead l;
	char *tenant_id = NULL;
	const char *user = args->argc > 1 ? args->argv[1] : NULL;
	int ret;

	if (cmd_arg(args, "none") ? user != NULL : user == NULL) {
		st_error_set(err, ST_EUSAGE, "lead assign needs a USER, or "
			     "--none to unassign");
		return -1;
	}
	if (user && strcmp(user, "-") == 0)
		user = NULL;
	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	ret = st_lead_assign(ctx->db, tenant_id, args->argv[0], user, &l, err);
	if (ret == 0) {
		lead_result(ctx, &l, l.asignado ? "assigned" : "unassigned");
		st_lead_release(&l);
	}
	free(tenant_id);
	return ret;
}

static int
cmd_lead_tag(struct cmd_ctx *ctx, struct cmd_args *args, struct st_error *err)
{
	struct st_lead l;
	char *tenant_id = NULL;
	int ret;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	ret = st_lead_tag(ctx->db, tenant_id, args->argv[0], args->argc - 1,
			  args->argv + 1, &l, err);
	if (ret == 0) {
		lead_result(ctx, &l, "tagged");
		st_lead_release(&l);
	}
	free(tenant_id);
	return ret;
}

static int
cmd_lead_note(struct cmd_ctx *ctx, struct cmd_args *args, struct st_error *err)
{
	struct st_lead_note n;
	struct st_table *t = ctx->out;
	char *tenant_id = NULL;
	const char *cols[] = { "id", "lead_id", "fecha", "titulo", "notas",
			       "usuario" };
	size_t r;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_lead_add_note(ctx->db, tenant_id, args->argv[0], args->argv[1],
			     &n, err) < 0) {
		free(tenant_id);
		return -1;
	}
	for (size_t i = 0; i < ST_ARRAY_SIZE(cols); i++)
		st_table_add_col(t, cols[i], ST_COL_TEXT);
	r = st_table_add_row(t);
	st_table_set(t, r, 0, n.id);
	st_table_set(t, r, 1, n.lead_id);
	st_table_set(t, r, 2, n.fecha);
	st_table_set(t, r, 3, n.titulo);
	st_table_set(t, r, 4, n.notas);
	st_table_set(t, r, 5, n.usuario);
	t->single = true;
	st_table_set_message(t, "note added to lead \"%s\"", n.lead_id);
	st_lead_note_release(&n);
	free(tenant_id);
	return 0;
}

static int
cmd_lead_merge(struct cmd_ctx *ctx, struct cmd_args *args,
	       struct st_error *err)
{
	struct st_lead l;
	char *tenant_id = NULL, *summary = NULL;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_lead_merge(ctx->db, tenant_id, args->argv[0], args->argv[1], &l,
			  &summary, err) < 0) {
		free(tenant_id);
		return -1;
	}
	lead_columns(ctx->out, true);
	st_table_add_col(ctx->out, "merge", ST_COL_JSON);
	lead_row(ctx->out, &l, true);
	st_table_set(ctx->out, 0, ctx->out->ncols - 1, summary);
	ctx->out->single = true;
	st_table_set_message(ctx->out, "lead \"%s\" merged into \"%s\"",
			     args->argv[1], l.id);
	st_lead_release(&l);
	free(summary);
	free(tenant_id);
	return 0;
}

static int
cmd_lead_delete(struct cmd_ctx *ctx, struct cmd_args *args,
		struct st_error *err)
{
	struct st_lead l;
	char *tenant_id = NULL;
	bool hard = cmd_arg(args, "hard") != NULL;
	int ret;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	ret = st_lead_delete(ctx->db, tenant_id, args->argv[0], hard, &l, err);
	if (ret == 0) {
		lead_result(ctx, &l, hard ? "deleted for good" : "deleted");
		st_lead_release(&l);
	}
	free(tenant_id);
	return ret;
}

static int
cmd_lead_duplicates(struct cmd_ctx *ctx, struct cmd_args *args,
		    struct st_error *err)
{
	struct st_lead_dup_list l;
	struct st_table *t = ctx->out;
	char *tenant_id = NULL;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_lead_duplicates(ctx->db, tenant_id, &l, err) < 0) {
		free(tenant_id);
		return -1;
	}
	st_table_add_col(t, "grupo", ST_COL_NUMBER);
	st_table_add_col(t, "clave", ST_COL_TEXT);
	st_table_add_col(t, "valor", ST_COL_TEXT);
	st_table_add_col(t, "id", ST_COL_TEXT);
	st_table_add_col(t, "nombre", ST_COL_TEXT);
	st_table_add_col(t, "created_at", ST_COL_TEXT);
	for (size_t i = 0; i < l.n; i++) {
		size_t r = st_table_add_row(t);

		st_table_setf(t, r, 0, "%d", l.items[i].grupo);
		st_table_set(t, r, 1, l.items[i].clave);
		st_table_set(t, r, 2, l.items[i].valor);
		st_table_set(t, r, 3, l.items[i].id);
		st_table_set(t, r, 4, l.items[i].nombre);
		st_table_set(t, r, 5, l.items[i].created_at);
	}
	if (l.n == 0)
		st_table_set_message(t, "no duplicate leads");
	st_lead_dup_list_release(&l);
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
	{ "sort", "ORDER", "recientes (newest first, the default) or nombre" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag show_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ NULL, NULL, NULL },
};

/* create and update: an empty value clears a field (update). */
static const struct cmd_flag write_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "name", "NAME", "full name" },
	{ "phone", "PHONE", "phone, any form; stored also as E.164" },
	{ "email", "EMAIL", "e-mail, trimmed and lower-cased" },
	{ "estado", "ESTADO", "NUEVO (default), CONTACTADO, ... (any case)" },
	{ "tipo", "TIPO", "COMPRADOR, VENDEDOR, INQUILINO, LOCADOR, INVERSOR" },
	{ "origen", "ORIGEN", "where the lead came from (META_ADS, WEB, ...)" },
	{ "zona", "ZONA", "zones wanted, a comma list (as --zonas)" },
	{ "presupuesto", "BUDGET", "budget: 150k, USD 100-150 mil, hasta 200.000" },
	{ "tag", "TAG...", "tags, a comma list; may be repeated" },
	{ "notas", "TEXT", "free notes" },
	{ "assigned", "USER", "the assigned user, by e-mail or id" },
	{ "operacion", "OP", "VENTA or ALQUILER" },
	{ "tipo-propiedad", "TIPO", "DEPARTAMENTO, CASA, PH, LOCAL, ..." },
	{ "zonas", "LIST", "zones wanted, a comma list" },
	{ "presupuesto-min", "AMOUNT", "least budget" },
	{ "presupuesto-max", "AMOUNT", "most budget" },
	{ "moneda", "CUR", "USD or ARS" },
	{ "ambientes", "N", "rooms wanted, 1 to 50" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag assign_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "none", NULL, "unassign (as USER \"-\")" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag delete_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "hard", NULL, "remove the row and its history (platform admins)" },
	{ NULL, NULL, NULL },
};

#define M CMD_MUTATES

const struct cmd_entry cmd_lead_table[] = {
	{ "lead", "list", "ls", "", "List leads, newest first, a page at a time.",
	  0, 0, 0, list_flags, cmd_lead_list },
	{ "lead", "show", NULL, "LEAD", "Show one lead, every field, and its "
	  "timeline.", 1, 1, 0, show_flags, cmd_lead_show },
	{ "lead", "create", NULL, "", "Create a lead; its phone or e-mail must "
	  "be new.", 0, 0, M, write_flags, cmd_lead_create },
	{ "lead", "update", NULL, "LEAD", "Change fields of a lead; an empty "
	  "value clears one.", 1, 1, M, write_flags, cmd_lead_update },
	{ "lead", "estado", NULL, "LEAD ESTADO", "Move a lead to another "
	  "estado.", 2, 2, M, show_flags, cmd_lead_estado },
	{ "lead", "assign", NULL, "LEAD [USER | -]", "Assign a lead to a user "
	  "(e-mail or id), or unassign it.", 1, 2, M, assign_flags,
	  cmd_lead_assign },
	{ "lead", "tag", NULL, "LEAD [+|-]TAG...", "Add (+tag or tag) and "
	  "remove (-tag) tags.", 2, -1, M | CMD_DASH_ARGS, show_flags,
	  cmd_lead_tag },
	{ "lead", "note", NULL, "LEAD TEXT", "Add a note to the lead's "
	  "timeline.", 2, 2, M, show_flags, cmd_lead_note },
	{ "lead", "merge", NULL, "KEEP OTHER", "Merge lead OTHER into KEEP: "
	  "history moves, empty fields fill, OTHER goes.", 2, 2, M,
	  show_flags, cmd_lead_merge },
	{ "lead", "delete", "rm", "LEAD", "Delete a lead (hidden, history "
	  "kept; --hard removes it).", 1, 1, M, delete_flags,
	  cmd_lead_delete },
	{ "lead", "duplicates", "dups", "", "Groups of leads sharing a phone or "
	  "an e-mail.", 0, 0, 0, show_flags, cmd_lead_duplicates },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
