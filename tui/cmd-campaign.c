/*
 * cmd-campaign.c - campaign list, show, create, update, schedule, pause,
 * resume, cancel, preview, stats.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "strato/campaign.h"

#define CONFIG_FILE_MAX (1024 * 1024)

static void
campaign_columns(struct st_table *t, bool full)
{
	st_table_add_col(t, "nombre", ST_COL_TEXT);
	st_table_add_col(t, "tipo", ST_COL_TEXT);
	st_table_add_col(t, "estado", ST_COL_TEXT);
	st_table_add_col(t, "scheduled_at", ST_COL_TEXT);
	st_table_add_col(t, "recurrence", ST_COL_TEXT);
	if (!full)
		return;
	st_table_add_col(t, "id", ST_COL_TEXT);
	st_table_add_col(t, "config", ST_COL_JSON);
	st_table_add_col(t, "started_at", ST_COL_TEXT);
	st_table_add_col(t, "finished_at", ST_COL_TEXT);
	st_table_add_col(t, "last_run_at", ST_COL_TEXT);
	st_table_add_col(t, "last_error", ST_COL_TEXT);
	st_table_add_col(t, "created_by", ST_COL_TEXT);
	st_table_add_col(t, "created_at", ST_COL_TEXT);
	st_table_add_col(t, "updated_at", ST_COL_TEXT);
}

static void
campaign_row(struct st_table *t, const struct st_campaign *c, bool full)
{
	size_t r = st_table_add_row(t);
	const char *v[] = { c->nombre, c->tipo, c->estado, c->scheduled_at,
			    c->recurrence, c->id, c->config, c->started_at,
			    c->finished_at, c->last_run_at, c->last_error,
			    c->created_by, c->created_at, c->updated_at };

	for (size_t i = 0; i < (full ? ST_ARRAY_SIZE(v) : 5); i++)
		st_table_set(t, r, i, v[i]);
}

/* Show one campaign (after a change), with a message. */
static void
campaign_out(struct cmd_ctx *ctx, struct st_campaign *c, const char *what)
{
	campaign_columns(ctx->out, true);
	campaign_row(ctx->out, c, true);
	ctx->out->single = true;
	st_table_set_message(ctx->out, "campaign \"%s\" %s (%s)", c->nombre,
			     what, c->estado);
	st_campaign_release(c);
}

static int
cmd_campaign_list(struct cmd_ctx *ctx, struct cmd_args *args,
		  struct st_error *err)
{
	struct st_campaign_list l;
	char *tenant_id = NULL;
	bool full = args->format != ST_FORMAT_TABLE;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_campaign_list(ctx->db, tenant_id, cmd_arg(args, "estado"), &l,
			     err) < 0) {
		free(tenant_id);
		return -1;
	}
	campaign_columns(ctx->out, full);
	for (size_t i = 0; i < l.n; i++)
		campaign_row(ctx->out, &l.items[i], full);
	st_campaign_list_release(&l);
	free(tenant_id);
	return 0;
}

static int
cmd_campaign_show(struct cmd_ctx *ctx, struct cmd_args *args,
		  struct st_error *err)
{
	struct st_campaign c;
	char *tenant_id = NULL;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_campaign_get(ctx->db, tenant_id, args->argv[0], &c, err) < 0) {
		free(tenant_id);
		return -1;
	}
	campaign_columns(ctx->out, true);
	campaign_row(ctx->out, &c, true);
	ctx->out->single = true;
	st_campaign_release(&c);
	free(tenant_id);
	return 0;
}

/* The whole of a --config-file ("-": the command's input). */
static char *
read_config(struct cmd_ctx *ctx, const char *path, struct st_error *err)
{
	FILE *f = strcmp(path, "-") == 0 ? ctx->in : fopen(path, "r");
	struct st_buf b = ST_BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f) {
		st_error_set(err, ST_EIO, "cannot open '%s': %s", path,
			     strerror(errno));
		return NULL;
	}
	st_buf_addstr(&b, "");
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
	       b.len <= CONFIG_FILE_MAX)
		st_buf_add(&b, chunk, n);
	if (ferror(f) || b.len > CONFIG_FILE_MAX) {
		st_error_set(err, ST_EIO, ferror(f) ? "cannot read '%s'"
			     : "'%s' is larger than 1 MiB", path);
		st_buf_release(&b);
	}
	if (f != ctx->in)
		fclose(f);
	return b.data ? st_buf_detach(&b) : NULL;
}

/* Create or update, from the same flags. */
static int
create_or_update(struct cmd_ctx *ctx, struct cmd_args *args, bool create,
		 struct st_error *err)
{
	struct st_campaign_spec spec = {
		.nombre = cmd_arg(args, "name"),
		.tipo = cmd_arg(args, "tipo"),
	};
	const char *file = cmd_arg(args, "config-file");
	struct st_campaign c;
	char *tenant_id = NULL, *text = NULL;
	int ret = -1;

	spec.sets = cmd_arg_all(args, "set", &spec.nsets);
	if (create && !spec.nombre) {
		st_error_set(err, ST_EUSAGE, "campaign create needs --name");
		return -1;
	}
	if (!create && !spec.nombre && !spec.tipo && !file && !spec.nsets) {
		st_error_set(err, ST_EUSAGE, "nothing to change");
		st_error_hint(err, "Give --name, --tipo, --config-file or "
			      "--set.");
		return -1;
	}
	if (file && !(text = read_config(ctx, file, err)))
		return -1;
	spec.config_json = text;
	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		goto cleanup;
	if (create ? st_campaign_create(ctx->db, tenant_id, &spec, &c, err)
		   : st_campaign_update(ctx->db, tenant_id, args->argv[0],
					&spec, &c, err))
		goto cleanup;
	campaign_out(ctx, &c, create ? "created" : "updated");
	ret = 0;
cleanup:
	free(text);
	free(tenant_id);
	return ret;
}

static int
cmd_campaign_create(struct cmd_ctx *ctx, struct cmd_args *args,
		    struct st_error *err)
{
	return create_or_update(ctx, args, true, err);
}

static int
cmd_campaign_update(struct cmd_ctx *ctx, struct cmd_args *args,
		    struct st_error *err)
{
	return create_or_update(ctx, args, false, err);
}

static int
cmd_campaign_schedule(struct cmd_ctx *ctx, struct cmd_args *args,
		      struct st_error *err)
{
	struct st_campaign c;
	char *tenant_id = NULL;
	int ret = -1;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_campaign_schedule(ctx->db, tenant_id, args->argv[0],
				 args->argv[1], cmd_arg(args, "every"), &c,
				 err) == 0) {
		campaign_out(ctx, &c, "scheduled");
		ret = 0;
	}
	free(tenant_id);
	return ret;
}

static int
move(struct cmd_ctx *ctx, struct cmd_args *args, enum st_campaign_move m,
     const char *done, struct st_error *err)
{
	struct st_campaign c;
	char *tenant_id = NULL;
	int ret = -1;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_campaign_move(ctx->db, tenant_id, args->argv[0], m, &c,
			     err) == 0) {
		campaign_out(ctx, &c, done);
		ret = 0;
	}
	free(tenant_id);
	return ret;
}

static int
cmd_campaign_pause(struct cmd_ctx *ctx, struct cmd_args *args,
		   struct st_error *err)
{
	return move(ctx, args, ST_CAMPAIGN_PAUSE, "paused", err);
}

static int
cmd_campaign_resume(struct cmd_ctx *ctx, struct cmd_args *args,
		    struct st_error *err)
{
	return move(ctx, args, ST_CAMPAIGN_RESUME, "resumed", err);
}

static int
cmd_campaign_cancel(struct cmd_ctx *ctx, struct cmd_args *args,
		    struct st_error *err)
{
	return move(ctx, args, ST_CAMPAIGN_CANCEL, "cancelled", err);
}

static int
cmd_campaign_preview(struct cmd_ctx *ctx, struct cmd_args *args,
		     struct st_error *err)
{
	struct st_campaign_preview p;
	struct st_table *t = ctx->out;
	char *tenant_id = NULL;
	const char *names[] = { "campaign", "lead_id", "lead", "in_audience",
				"channel", "text", "template", "variables",
				"voice" };
	enum st_col_type types[] = { ST_COL_TEXT, ST_COL_TEXT, ST_COL_TEXT,
				     ST_COL_BOOL, ST_COL_TEXT, ST_COL_TEXT,
				     ST_COL_TEXT, ST_COL_JSON, ST_COL_BOOL };
	size_t r;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_campaign_preview(ctx->db, tenant_id, args->argv[0],
				cmd_arg(args, "lead"), &p, err) < 0) {
		free(tenant_id);
		return -1;
	}
	for (size_t i = 0; i < ST_ARRAY_SIZE(names); i++)
		st_table_add_col(t, names[i], types[i]);
	r = st_table_add_row(t);
	st_table_set(t, r, 0, p.campaign);
	st_table_set(t, r, 1, p.lead_id);
	st_table_set(t, r, 2, p.lead);
	st_table_set(t, r, 3, p.in_audience ? "t" : "f");
	st_table_set(t, r, 4, p.channel);
	st_table_set(t, r, 5, p.text);
	st_table_set(t, r, 6, p.template_nombre);
	st_table_set(t, r, 7, p.variables);
	st_table_set(t, r, 8, p.voice ? "t" : "f");
	t->single = true;
	if (!p.in_audience)
		st_table_set_message(t, "note: lead \"%s\" is not in the "
				     "campaign's audience", p.lead);
	st_campaign_preview_release(&p);
	free(tenant_id);
	return 0;
}

static int
cmd_campaign_stats(struct cmd_ctx *ctx, struct cmd_args *args,
		   struct st_error *err)
{
	struct st_campaign_stats s;
	struct st_table *t = ctx->out;
	char *tenant_id = NULL;
	const char *names[] = { "audience", "total", "pending", "sending",
				"sent", "failed", "skipped", "unknown",
				"retries", "voice_chars", "voice_hits" };
	long long v[11];
	size_t r;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_campaign_stats(ctx->db, tenant_id, args->argv[0], &s,
			      err) < 0) {
		free(tenant_id);
		return -1;
	}
	memcpy(v, (long long[]){ s.audience, s.total, s.pending, s.sending,
				 s.sent, s.failed, s.skipped, s.unknown,
				 s.retries, s.voice_chars, s.voice_hits },
	       sizeof(v));
	st_table_add_col(t, "campaign", ST_COL_TEXT);
	st_table_add_col(t, "estado", ST_COL_TEXT);
	for (size_t i = 0; i < ST_ARRAY_SIZE(names); i++)
		st_table_add_col(t, names[i], ST_COL_NUMBER);
	st_table_add_col(t, "reasons", ST_COL_JSON);
	r = st_table_add_row(t);
	st_table_set(t, r, 0, s.campaign);
	st_table_set(t, r, 1, s.estado);
	for (size_t i = 0; i < ST_ARRAY_SIZE(v); i++)
		st_table_setf(t, r, i + 2, "%lld", v[i]);
	st_table_set(t, r, ST_ARRAY_SIZE(v) + 2, s.reasons);
	t->single = true;
	st_campaign_stats_release(&s);
	free(tenant_id);
	return 0;
}

static const struct cmd_flag tenant_flag[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag list_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "estado", "ESTADO", "DRAFT, SCHEDULED, RUNNING, PAUSED, ... (any "
	  "case)" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag edit_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "name", "NAME", "the campaign's name, unique in the tenant" },
	{ "tipo", "TIPO", "OPORTUNIDADES, FIDELIZACION, REACTIVACION or "
	  "PERSONALIZADA" },
	{ "config-file", "PATH", "the whole config, JSON (- for stdin); see "
	  "strato-campaign(5)" },
	{ "set", "KEY=VALUE", "set one config key, e.g. audience.estado="
	  "NUEVO,CONTACTADO (repeatable)" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag schedule_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "every", "INTERVAL", "run again every INTERVAL (1 day, 1 week; at "
	  "least 1 hour)" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag preview_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "lead", "LEAD", "render for this lead (default: the audience's "
	  "first)" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_campaign_table[] = {
	{ "campaign", "list", "ls", "", "List the tenant's campaigns.",
	  0, 0, 0, list_flags, cmd_campaign_list },
	{ "campaign", "show", NULL, "CAMPAIGN", "Show one campaign (by id or "
	  "name), its config included.", 1, 1, 0, tenant_flag,
	  cmd_campaign_show },
	{ "campaign", "create", NULL, "", "Create a DRAFT campaign.",
	  0, 0, CMD_MUTATES, edit_flags, cmd_campaign_create },
	{ "campaign", "update", NULL, "CAMPAIGN", "Change a campaign's name, "
	  "tipo or config.", 1, 1, CMD_MUTATES, edit_flags,
	  cmd_campaign_update },
	{ "campaign", "schedule", NULL, "CAMPAIGN WHEN", "Schedule a campaign "
	  "to run at WHEN (ISO 8601 or now).", 2, 2, CMD_MUTATES,
	  schedule_flags, cmd_campaign_schedule },
	{ "campaign", "pause", NULL, "CAMPAIGN", "Pause a scheduled or running "
	  "campaign.", 1, 1, CMD_MUTATES, tenant_flag, cmd_campaign_pause },
	{ "campaign", "resume", NULL, "CAMPAIGN", "Resume a paused campaign.",
	  1, 1, CMD_MUTATES, tenant_flag, cmd_campaign_resume },
	{ "campaign", "cancel", NULL, "CAMPAIGN", "Cancel a campaign for good.",
	  1, 1, CMD_MUTATES, tenant_flag, cmd_campaign_cancel },
	{ "campaign", "preview", NULL, "CAMPAIGN", "Render the message one "
	  "lead would get.", 1, 1, 0, preview_flags, cmd_campaign_preview },
	{ "campaign", "stats", NULL, "CAMPAIGN", "Count the campaign's sends "
	  "by estado, and its audience.", 1, 1, 0, tenant_flag,
	  cmd_campaign_stats },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
