/*
 * cmd-help.c - help, generated from the command table.
 */
#include <string.h>

#include "cmd.h"

static int
cmd_help(struct cmd_ctx *ctx, struct cmd_args *args, struct st_error *err)
{
	size_t n;
	const struct cmd_entry *const *all = cmd_all(&n);
	struct st_table *t = ctx->out;
	bool any = false;

	if (args->argc == 0) {
		st_table_add_col(t, "command", ST_COL_TEXT);
		st_table_add_col(t, "arguments", ST_COL_TEXT);
		st_table_add_col(t, "summary", ST_COL_TEXT);
		for (size_t i = 0; i < n; i++) {
			size_t r = st_table_add_row(t);

			st_table_setf(t, r, 0, "%s%s%s", all[i]->noun,
				      all[i]->verb ? " " : "",
				      all[i]->verb ? all[i]->verb : "");
			st_table_set(t, r, 1, all[i]->args);
			st_table_set(t, r, 2, all[i]->summary);
		}
		st_table_set_message(t, "\"strato help NOUN [VERB]\" or "
				     "\"strato NOUN VERB --help\" for details");
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct st_buf b = ST_BUF_INIT;

		if (strcmp(all[i]->noun, args->argv[0]) != 0)
			continue;
		if (args->argc > 1 && (!all[i]->verb ||
				       strcmp(all[i]->verb, args->argv[1]) != 0))
			continue;
		cmd_usage(all[i], &b);
		st_table_set_message(t, "%s%s%s", t->message ? t->message : "",
				     t->message ? "\n" : "", b.data);
		st_buf_release(&b);
		any = true;
	}
	if (!any) {
		st_error_set(err, ST_EUSAGE, "no help for \"%s%s%s\"",
			     args->argv[0], args->argc > 1 ? " " : "",
			     args->argc > 1 ? args->argv[1] : "");
		st_error_hint(err, "\"strato help\" lists every command.");
		return -1;
	}
	return 0;
}

const struct cmd_entry cmd_help_table[] = {
	{ "help", NULL, NULL, "[NOUN [VERB]]",
	  "List the commands, or explain one.", 0, 2, CMD_NO_DB, NULL,
	  cmd_help },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
