/*
 * cmd-visit.c - visit schedule, list, done, cancel.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "strato/visit.h"

static void
visit_columns(struct st_table *t, bool full)
{
	static const char *const names[] = { "id", "fecha", "lead", "property",
		"agente", "estado", "fecha_iso", "lead_id", "property_id",
		"lead_estado" };

	for (size_t i = 0; i < (full ? ST_ARRAY_SIZE(names) : 6); i++)
		st_table_add_col(t, names[i], ST_COL_TEXT);
}

static void
visit_row(struct st_table *t, const struct st_visit *v, bool full)
{
	size_t r = st_table_add_row(t);
	const char *c[] = { v->id, v->fecha, v->lead, v->property, v->agente,
			    v->estado, v->fecha_iso, v->lead_id,
			    v->property_id, v->lead_estado };

	for (size_t i = 0; i < (full ? ST_ARRAY_SIZE(c) : 6); i++)
		st_table_set(t, r, i, c[i]);
}

static int
cmd_visit_schedule(struct cmd_ctx *ctx, struct cmd_args *args,
		   struct st_error *err)
{
	struct st_visit_new spec = {
		.lead_id = args->argv[0],
		.property = args->argv[1],
		.when = args->argv[2],
		.agent = cmd_arg(args, "agent"),
		.force = cmd_arg(args, "force") != NULL,
	};
	struct st_visit v;
	char buf[40];
	char *tenant_id = NULL;
	int ret = -1;

	if (st_visit_parse_when(spec.when, buf, sizeof(buf)) ==
	    ST_WHEN_INVALID) {
		st_error_set(err, ST_EUSAGE, "invalid time \"%s\"", spec.when);
		st_error_hint(err, "Use 'YYYY-MM-DD HH:MM' (the agency's time "
			      "zone) or ISO 8601 such as "
			      "2026-12-01T15:30-03:00.");
		return -1;
	}
	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_visit_schedule(ctx->db, tenant_id, &spec, &v, err) == 0) {
		visit_columns(ctx->out, true);
		visit_row(ctx->out, &v, true);
		ctx->out->single = true;
		st_table_set_message(ctx->out, "visit \"%s\" scheduled for %s",
				     v.id, v.fecha);
		st_visit_release(&v);
		ret = 0;
	}
	free(tenant_id);
	return ret;
}

static int
cmd_visit_list(struct cmd_ctx *ctx, struct cmd_args *args,
	       struct st_error *err)
{
	struct st_visit_list l;
	char *tenant_id = NULL;
	bool full = args->format != ST_FORMAT_TABLE;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_visit_list(ctx->db, tenant_id, cmd_arg(args, "from"),
			  cmd_arg(args, "to"), cmd_arg(args, "agent"), &l,
			  err) < 0) {
		free(tenant_id);
		return -1;
	}
	visit_columns(ctx->out, full);
	for (size_t i = 0; i < l.n; i++)
		visit_row(ctx->out, &l.items[i], full);
	st_visit_list_release(&l);
	free(tenant_id);
	return 0;
}

/* done and cancel: the same shape. */
static int
close_cmd(struct cmd_ctx *ctx, struct cmd_args *args, bool cancel,
	  struct st_error *err)
{
	struct st_visit v;
	char *tenant_id = NULL;
	int ret;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	ret = cancel ? st_visit_cancel(ctx->db, tenant_id, args->argv[0], &v,
				       err)
		     : st_visit_done(ctx->db, tenant_id, args->argv[0], &v, err);
	if (ret == 0) {
		visit_columns(ctx->out, true);
		visit_row(ctx->out, &v, true);
		ctx->out->single = true;
		st_table_set_message(ctx->out, "visit \"%s\" %s", v.id,
				     cancel ? "cancelled" : "done");
		st_visit_release(&v);
	}
	free(tenant_id);
	return ret;
}

static int
cmd_visit_done(struct cmd_ctx *ctx, struct cmd_args *args,
	       struct st_error *err)
{
	return close_cmd(ctx, args, false, err);
}

static int
cmd_visit_cancel(struct cmd_ctx *ctx, struct cmd_args *args,
		 struct st_error *err)
{
	return close_cmd(ctx, args, true, err);
}

static const struct cmd_flag schedule_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "agent", "EMAIL", "the agent showing it (default: you, else the "
	  "lead's agent)" },
	{ "force", NULL, "schedule even when it clashes with another visit" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag list_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "from", "WHEN", "from this day or time (default: today)" },
	{ "to", "WHEN", "up to this time, or to the end of this day" },
	{ "agent", "EMAIL", "only this agent's visits" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag tenant_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_visit_table[] = {
	{ "visit", "schedule", NULL, "LEAD PROPERTY WHEN", "Schedule a "
	  "property visit for a lead ('YYYY-MM-DD HH:MM' local, or ISO 8601).",
	  3, 3, CMD_MUTATES, schedule_flags, cmd_visit_schedule },
	{ "visit", "list", "ls", "", "List visits in time order, from today "
	  "on.", 0, 0, 0, list_flags, cmd_visit_list },
	{ "visit", "done", NULL, "EVENT", "Mark a pending visit done.",
	  1, 1, CMD_MUTATES, tenant_flags, cmd_visit_done },
	{ "visit", "cancel", NULL, "EVENT", "Cancel a pending visit.",
	  1, 1, CMD_MUTATES, tenant_flags, cmd_visit_cancel },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
