/*
 * cmd-send.c - send fichas: property sheets queued for a lead.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "strato/ficha.h"

static int
cmd_send_fichas(struct cmd_ctx *ctx, struct cmd_args *args,
		struct st_error *err)
{
	struct st_ficha_sent s;
	char *tenant_id = NULL;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_ficha_send(ctx->db, tenant_id, args->argv[0],
			  (const char *const *)args->argv + 1,
			  (size_t)args->argc - 1, &s, err) < 0) {
		free(tenant_id);
		return -1;
	}
	st_table_add_col(ctx->out, "message_id", ST_COL_TEXT);
	st_table_add_col(ctx->out, "property_id", ST_COL_TEXT);
	st_table_add_col(ctx->out, "conversation_id", ST_COL_TEXT);
	st_table_add_col(ctx->out, "estado", ST_COL_TEXT);
	st_table_add_col(ctx->out, "contenido", ST_COL_TEXT);
	for (size_t i = 0; i < s.n; i++) {
		size_t r = st_table_add_row(ctx->out);

		st_table_set(ctx->out, r, 0, s.items[i].message_id);
		st_table_set(ctx->out, r, 1, s.items[i].property_id);
		st_table_set(ctx->out, r, 2, s.conversation_id);
		st_table_set(ctx->out, r, 3, "QUEUED");
		st_table_set(ctx->out, r, 4, s.items[i].contenido);
	}
	st_table_set_message(ctx->out, "%zu ficha%s queued on %s conversation "
			     "\"%s\"", s.n, s.n == 1 ? "" : "s",
			     s.conversation_new ? "new WHATSAPP" : "open",
			     s.conversation_id);
	st_ficha_sent_release(&s);
	free(tenant_id);
	return 0;
}

static const struct cmd_flag fichas_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_send_table[] = {
	{ "send", "fichas", NULL, "LEAD PROPERTY...", "Queue the sheets of "
	  "properties (ids or codigos) on a lead's conversation.",
	  2, -1, CMD_MUTATES, fichas_flags, cmd_send_fichas },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
