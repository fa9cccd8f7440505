/*
 * cmd-shell.c - use and quit: commands of the line-by-line front end.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "strato/tenant.h"

/*
 * use [TENANT]: the tenant later commands of this shell work in, for
 * platform admins (a tenant user is pinned to its own). Without an
 * argument, no tenant.
 */
static int
cmd_use(struct cmd_ctx *ctx, struct cmd_args *args, struct st_error *err)
{
	char *id = NULL;

	if (!ctx->shell) {
		st_error_set(err, ST_EUSAGE, "\"use\" works in the shell only");
		st_error_hint(err, "Pass --tenant SLUG before the command.");
		return -1;
	}
	if (args->argc == 0) {
		free(ctx->use_slug);
		ctx->use_slug = NULL;
		ctx->tenant_slug = NULL;
		st_table_set_message(ctx->out, "no tenant selected");
		return 0;
	}
	if (!st_db_is_service(ctx->db)) {
		st_error_set(err, ST_EPERM, "\"use\" is for platform admins");
		st_error_detail(err, "Login \"%s\" works only in its own "
				"tenant.", st_db_login(ctx->db));
		return -1;
	}
	if (st_tenant_resolve(ctx->db, args->argv[0], &id, err) < 0)
		return -1;
	free(id);
	free(ctx->use_slug);
	ctx->use_slug = st_xstrdup(args->argv[0]);
	ctx->tenant_slug = ctx->use_slug;
	st_table_set_message(ctx->out, "working in tenant \"%s\"",
			     ctx->use_slug);
	return 0;
}

/* quit: leave the shell, or stop a script here. */
static int
cmd_quit(struct cmd_ctx *ctx, struct cmd_args *args, struct st_error *err)
{
	(void)args;
	(void)err;
	ctx->quit = true;
	return 0;
}

const struct cmd_entry cmd_shell_table[] = {
	{ "use", NULL, NULL, "[TENANT]", "Work in this tenant from now on "
	  "(shell, platform admins).", 0, 1, 0, NULL, cmd_use },
	{ "quit", NULL, NULL, "", "Leave the shell (Ctrl-D too), or end a "
	  "script.", 0, 0, CMD_NO_DB, NULL, cmd_quit },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
