/*
 * cmd-assistant.c - assistant list, show, create, update.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "strato/assistant.h"

static void
assistant_columns(struct st_table *t, bool full)
{
	st_table_add_col(t, "nombre", ST_COL_TEXT);
	st_table_add_col(t, "is_active", ST_COL_BOOL);
	st_table_add_col(t, "voice_id", ST_COL_TEXT);
	st_table_add_col(t, "greeting", ST_COL_TEXT);
	st_table_add_col(t, "ranking", ST_COL_JSON);
	if (!full)
		return;
	st_table_add_col(t, "id", ST_COL_TEXT);
	st_table_add_col(t, "prompt", ST_COL_TEXT);
	st_table_add_col(t, "config", ST_COL_JSON);
	st_table_add_col(t, "created_at", ST_COL_TEXT);
	st_table_add_col(t, "updated_at", ST_COL_TEXT);
}

static void
assistant_row(struct st_table *t, const struct st_assistant *a, bool full)
{
	size_t r = st_table_add_row(t);
	const char *v[] = { a->nombre, a->is_active ? "t" : "f", a->voice_id,
			    a->greeting, a->ranking, a->id, a->prompt,
			    a->config, a->created_at, a->updated_at };

	for (size_t i = 0; i < (full ? ST_ARRAY_SIZE(v) : 5); i++)
		st_table_set(t, r, i, v[i]);
}

static void
assistant_out(struct cmd_ctx *ctx, struct st_assistant *a, const char *what)
{
	assistant_columns(ctx->out, true);
	assistant_row(ctx->out, a, true);
	ctx->out->single = true;
	if (what)
		st_table_set_message(ctx->out, "assistant \"%s\" %s%s",
				     a->nombre, what, a->is_active ?
				     " (the active one)" : "");
	st_assistant_release(a);
}

static int
cmd_assistant_list(struct cmd_ctx *ctx, struct cmd_args *args,
		   struct st_error *err)
{
	struct st_assistant_list l;
	char *tenant_id = NULL;
	bool full = args->format != ST_FORMAT_TABLE;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_assistant_list(ctx->db, tenant_id, &l, err) < 0) {
		free(tenant_id);
		return -1;
	}
	assistant_columns(ctx->out, full);
	for (size_t i = 0; i < l.n; i++)
		assistant_row(ctx->out, &l.items[i], full);
	st_assistant_list_release(&l);
	free(tenant_id);
	return 0;
}

static int
cmd_assistant_show(struct cmd_ctx *ctx, struct cmd_args *args,
		   struct st_error *err)
{
	struct st_assistant a;
	char *tenant_id = NULL;
	int ret = -1;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_assistant_get(ctx->db, tenant_id, args->argv[0], &a, err) == 0) {
		assistant_out(ctx, &a, NULL);
		ret = 0;
	}
	free(tenant_id);
	return ret;
}

static int
create_or_update(struct cmd_ctx *ctx, struct cmd_args *args, bool create,
		 struct st_error *err)
{
	struct st_assistant_spec spec = {
		.nombre = cmd_arg(args, "name"),
		.prompt = cmd_arg(args, "prompt"),
		.greeting = cmd_arg(args, "greeting"),
		.voice_id = cmd_arg(args, "voice"),
		.weights = cmd_arg(args, "weight"),
		.active = cmd_arg(args, "active") ? 1 : -1,
	};
	struct st_assistant a;
	char *tenant_id = NULL;
	int ret = -1;

	if (!create && cmd_arg(args, "inactive")) {
		if (spec.active == 1) {
			st_error_set(err, ST_EUSAGE, "--active and --inactive "
				     "contradict each other");
			return -1;
		}
		spec.active = 0;
	}
	if (create && !spec.nombre) {
		st_error_set(err, ST_EUSAGE, "assistant create needs --name");
		return -1;
	}
	if (!create && !spec.nombre && !spec.prompt && !spec.greeting &&
	    !spec.voice_id && !spec.weights && spec.active < 0) {
		st_error_set(err, ST_EUSAGE, "nothing to change");
		return -1;
	}
	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if ((create ? st_assistant_create(ctx->db, tenant_id, &spec, &a, err)
		    : st_assistant_update(ctx->db, tenant_id, args->argv[0],
					  &spec, &a, err)) == 0) {
		assistant_out(ctx, &a, create ? "created" : "updated");
		ret = 0;
	}
	free(tenant_id);
	return ret;
}

static int
cmd_assistant_create(struct cmd_ctx *ctx, struct cmd_args *args,
		     struct st_error *err)
{
	return create_or_update(ctx, args, true, err);
}

static int
cmd_assistant_update(struct cmd_ctx *ctx, struct cmd_args *args,
		     struct st_error *err)
{
	return create_or_update(ctx, args, false, err);
}

static const struct cmd_flag tenant_flag[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ NULL, NULL, NULL },
};

#define EDIT_FLAGS \
	{ "tenant", "SLUG", "the tenant (platform admins)" }, \
	{ "name", "NAME", "the assistant's name (Astor)" }, \
	{ "greeting", "TEXT", "the first message (config.greeting)" }, \
	{ "prompt", "TEXT", "the instructions it follows" }, \
	{ "voice", "VOICE_ID", "its ElevenLabs voice (\"\" for none)" }, \
	{ "weight", "KEY=N,...", "ranking weights: zona, precio, ambientes, " \
	  "recencia (0 or more)" }, \
	{ "active", NULL, "make it the tenant's active assistant" }

static const struct cmd_flag create_flags[] = {
	EDIT_FLAGS,
	{ NULL, NULL, NULL },
};

static const struct cmd_flag update_flags[] = {
	EDIT_FLAGS,
	{ "inactive", NULL, "deactivate it" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_assistant_table[] = {
	{ "assistant", "list", "ls", "", "List the tenant's assistants, the "
	  "active one first.", 0, 0, 0, tenant_flag, cmd_assistant_list },
	{ "assistant", "show", NULL, "ASSISTANT", "Show one assistant (by id "
	  "or name).", 1, 1, 0, tenant_flag, cmd_assistant_show },
	{ "assistant", "create", NULL, "", "Create an assistant.",
	  0, 0, CMD_MUTATES, create_flags, cmd_assistant_create },
	{ "assistant", "update", NULL, "ASSISTANT", "Change an assistant, or "
	  "make it the active one.", 1, 1, CMD_MUTATES, update_flags,
	  cmd_assistant_update },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
