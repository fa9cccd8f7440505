/*
 * cmd-tenant.c - tenant create, list, show, update, config, enable,
 * disable.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "strato/tenant.h"

static void
tenant_columns(struct st_table *t, bool full)
{
	st_table_add_col(t, "slug", ST_COL_TEXT);
	st_table_add_col(t, "nombre", ST_COL_TEXT);
	st_table_add_col(t, "plan", ST_COL_TEXT);
	st_table_add_col(t, "is_active", ST_COL_BOOL);
	st_table_add_col(t, "created_at", ST_COL_TEXT);
	if (full) {
		st_table_add_col(t, "id", ST_COL_TEXT);
		st_table_add_col(t, "config", ST_COL_JSON);
		st_table_add_col(t, "updated_at", ST_COL_TEXT);
	}
}

static void
tenant_row(struct st_table *t, const struct st_tenant *tn, bool full)
{
	size_t r = st_table_add_row(t);

	st_table_set(t, r, 0, tn->slug);
	st_table_set(t, r, 1, tn->nombre);
	st_table_set(t, r, 2, tn->plan);
	st_table_set(t, r, 3, tn->is_active ? "t" : "f");
	st_table_set(t, r, 4, tn->created_at);
	if (full) {
		st_table_set(t, r, 5, tn->id);
		st_table_set(t, r, 6, tn->config);
		st_table_set(t, r, 7, tn->updated_at);
	}
}

/* Show one tenant as a record. */
static void
tenant_record(struct st_table *t, const struct st_tenant *tn)
{
	tenant_columns(t, true);
	tenant_row(t, tn, true);
	t->single = true;
}

static int
cmd_tenant_create(struct cmd_ctx *ctx, struct cmd_args *args,
		  struct st_error *err)
{
	struct st_tenant tn;
	const char *name = cmd_arg(args, "name");
	const char *slug = cmd_arg(args, "slug");

	if (!name || !slug) {
		st_error_set(err, ST_EUSAGE, "tenant create needs --name and "
			     "--slug");
		return -1;
	}
	if (st_tenant_create(ctx->db, name, slug, cmd_arg(args, "plan"), &tn,
			     err) < 0)
		return -1;
	tenant_record(ctx->out, &tn);
	st_table_set_message(ctx->out, "tenant \"%s\" created", tn.slug);
	st_tenant_release(&tn);
	return 0;
}

static int
cmd_tenant_list(struct cmd_ctx *ctx, struct cmd_args *args,
		struct st_error *err)
{
	struct st_tenant_list l;
	bool full = args->format != ST_FORMAT_TABLE;

	if (st_tenant_list(ctx->db, &l, err) < 0)
		return -1;
	tenant_columns(ctx->out, full);
	for (size_t i = 0; i < l.n; i++)
		tenant_row(ctx->out, &l.items[i], full);
	st_tenant_list_release(&l);
	return 0;
}

static int
cmd_tenant_show(struct cmd_ctx *ctx, struct cmd_args *args,
		struct st_error *err)
{
	struct st_tenant tn;

	if (st_tenant_get(ctx->db, args->argv[0], &tn, err) < 0)
		return -1;
	tenant_record(ctx->out, &tn);
	st_tenant_release(&tn);
	return 0;
}

static int
set_active(struct cmd_ctx *ctx, struct cmd_args *args, bool active,
	   struct st_error *err)
{
	struct st_tenant tn;

	if (st_tenant_set_active(ctx->db, args->argv[0], active, err) < 0)
		return -1;
	if (st_tenant_get(ctx->db, args->argv[0], &tn, err) < 0)
		return -1;
	tenant_record(ctx->out, &tn);
	st_table_set_message(ctx->out, "tenant \"%s\" %s", tn.slug,
			     active ? "enabled" : "disabled");
	st_tenant_release(&tn);
	return 0;
}

static int
cmd_tenant_disable(struct cmd_ctx *ctx, struct cmd_args *args,
		   struct st_error *err)
{
	return set_active(ctx, args, false, err);
}

static int
cmd_tenant_enable(struct cmd_ctx *ctx, struct cmd_args *args,
		  struct st_error *err)
{
	return set_active(ctx, args, true, err);
}

static int
cmd_tenant_update(struct cmd_ctx *ctx, struct cmd_args *args,
		  struct st_error *err)
{
	struct st_tenant tn;

	if (st_tenant_update(ctx->db, args->argv[0], cmd_arg(args, "name"),
			     cmd_arg(args, "plan"), &tn, err) < 0)
		return -1;
	tenant_record(ctx->out, &tn);
	st_table_set_message(ctx->out, "tenant \"%s\" updated", tn.slug);
	st_tenant_release(&tn);
	return 0;
}

/* Flag names are the settings with "-" for "_". */
static int
cmd_tenant_config(struct cmd_ctx *ctx, struct cmd_args *args,
		  struct st_error *err)
{
	const char *keys[8] = { NULL }, *values[8] = { NULL };
	struct st_tenant tn;
	size_t n = 0, r;

	for (size_t i = 0; st_tenant_setting_names[i]; i++) {
		char *flag = st_xstrdup(st_tenant_setting_names[i]);
		const char *v;

		for (char *p = flag; *p; p++)
			if (*p == '_')
				*p = '-';
		if ((v = cmd_arg(args, flag))) {
			keys[n] = st_tenant_setting_names[i];
			values[n++] = v;
		}
		free(flag);
	}
	if (n && ctx->readonly) {
		st_error_set(err, ST_EPERM, "\"tenant config\" with settings "
			     "changes data and the console is read-only");
		return -1;
	}
	if (st_tenant_configure(ctx->db, args->argv[0], keys, values, n, &tn,
				err) < 0)
		return -1;
	st_table_add_col(ctx->out, "slug", ST_COL_TEXT);
	for (size_t i = 0; st_tenant_setting_names[i]; i++)
		st_table_add_col(ctx->out, st_tenant_setting_names[i],
				 ST_COL_TEXT);
	r = st_table_add_row(ctx->out);
	st_table_set(ctx->out, r, 0, tn.slug);
	for (size_t i = 0; st_tenant_setting_names[i]; i++) {
		char *v = st_tenant_setting(&tn, st_tenant_setting_names[i]);

		st_table_set(ctx->out, r, i + 1, v);
		free(v);
	}
	ctx->out->single = true;
	if (n)
		st_table_set_message(ctx->out, "tenant \"%s\" configured",
				     tn.slug);
	st_tenant_release(&tn);
	return 0;
}

static const struct cmd_flag create_flags[] = {
	{ "name", "NAME", "the agency's name (nombre)" },
	{ "slug", "SLUG", "short unique name: a-z, 0-9, -" },
	{ "plan", "PLAN", "BASIC (default), PRO or ENTERPRISE" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag update_flags[] = {
	{ "name", "NAME", "the agency's new name" },
	{ "plan", "PLAN", "BASIC, PRO or ENTERPRISE" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag config_flags[] = {
	{ "country", "CC", "ISO 3166 country for phones without a country "
	  "code (default AR)" },
	{ "timezone", "ZONE", "IANA time zone (default "
	  "America/Argentina/Buenos_Aires)" },
	{ "currency", "CUR", "ARS (default) or USD" },
	{ "lead-visibility", "WHO", "all (default): agents see every lead; "
	  "assigned: only theirs and the unassigned" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_tenant_table[] = {
	{ "tenant", "create", NULL, "", "Create a tenant (platform admins).",
	  0, 0, CMD_MUTATES, create_flags, cmd_tenant_create },
	{ "tenant", "list", "ls", "", "List the tenants this login can see.",
	  0, 0, 0, NULL, cmd_tenant_list },
	{ "tenant", "show", NULL, "SLUG", "Show one tenant.",
	  1, 1, 0, NULL, cmd_tenant_show },
	{ "tenant", "update", NULL, "SLUG", "Rename a tenant or change its plan.",
	  1, 1, CMD_MUTATES, update_flags, cmd_tenant_update },
	{ "tenant", "config", NULL, "SLUG", "Show a tenant's settings, or set "
	  "them (an empty value restores the default).",
	  1, 1, 0, config_flags, cmd_tenant_config },
	{ "tenant", "disable", NULL, "SLUG",
	  "Disable a tenant: its users see nothing until it is enabled.",
	  1, 1, CMD_MUTATES, NULL, cmd_tenant_disable },
	{ "tenant", "enable", NULL, "SLUG", "Enable a disabled tenant.",
	  1, 1, CMD_MUTATES, NULL, cmd_tenant_enable },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
