/*
 * cmd-audit.c - audit list: who did what to which row of the tenant.
 */
#include <stdlib.h>

#include "cmd.h"
#include "strato/audit.h"

static int
cmd_audit_list(struct cmd_ctx *ctx, struct cmd_args *args, struct st_error *err)
{
	struct st_audit_filter f = {
		.entity = cmd_arg(args, "entity"),
		.actor = cmd_arg(args, "actor"),
		.action = cmd_arg(args, "action"),
		.since = cmd_arg(args, "since"),
		.before_id = cmd_arg(args, "before"),
	};
	struct st_audit_list l;
	struct st_table *t = ctx->out;
	char *tenant_id = NULL;
	bool full = args->format != ST_FORMAT_TABLE;

	if (cmd_limit(args, 1000, &f.limit, err) < 0)
		return -1;
	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_audit_list(ctx->db, tenant_id, &f, &l, err) < 0) {
		free(tenant_id);
		return -1;
	}
	st_table_add_col(t, "at", ST_COL_TEXT);
	st_table_add_col(t, "actor", ST_COL_TEXT);
	st_table_add_col(t, "action", ST_COL_TEXT);
	st_table_add_col(t, "entity", ST_COL_TEXT);
	st_table_add_col(t, "entity_id", ST_COL_TEXT);
	st_table_add_col(t, "diff", ST_COL_JSON);
	if (full) {
		st_table_add_col(t, "actor_login", ST_COL_TEXT);
		st_table_add_col(t, "id", ST_COL_TEXT);
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct st_audit_entry *e = &l.items[i];
		size_t r = st_table_add_row(t);

		st_table_set(t, r, 0, e->at);
		st_table_set(t, r, 1, e->actor_email ? e->actor_email
						     : e->actor_login);
		st_table_set(t, r, 2, e->action);
		st_table_set(t, r, 3, e->entity);
		st_table_set(t, r, 4, e->entity_id);
		st_table_set(t, r, 5, e->diff);
		if (full) {
			st_table_set(t, r, 6, e->actor_login);
			st_table_set(t, r, 7, e->id);
		}
	}
	if (l.more && l.n)
		st_table_set_message(t, "more: --before '%s'",
				     l.items[l.n - 1].id);
	st_audit_list_release(&l);
	free(tenant_id);
	return 0;
}

static const struct cmd_flag list_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "entity", "KIND[:ID]", "one kind of row (lead, property, ...), or "
	  "one row" },
	{ "actor", "WHO", "a login or a user's e-mail" },
	{ "action", "ACTION", "lead.update, or every lead action with lead." },
	{ "since", "WHEN", "a date (2026-11-01) or a span back (7d, 24h)" },
	{ "limit", "N", "entries per page (default 50, at most 1000)" },
	{ "before", "ID", "the next page, as the previous one said" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_audit_table[] = {
	{ "audit", "list", "ls", "", "The tenant's audit log, newest first.",
	  0, 0, 0, list_flags, cmd_audit_list },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
