/*
 * cmd-send.c - send fichas: property sheets for a lead, sent at once
 * through its channel when this login can, else queued for the outbox.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "strato/ficha.h"
#include "strato/outbox.h"
#include "strato/util.h"

/*
 * Send the queued sheets at once when this login may open the tenant's
 * channel (a tenant admin or a service login, with the master key);
 * otherwise they wait for `strato-etl outbox run`. A row per sheet.
 */
static void
deliver(struct cmd_ctx *ctx, const char *tenant_id,
	const struct st_ficha_sent *s)
{
	struct st_crypto_key *key = NULL;
	struct st_outbox *ob = NULL;
	struct st_error err;
	size_t sent = 0;

	if (st_outbox_may_send(ctx->db) && (key = st_crypto_key_from_env(&err)))
		ob = st_outbox_open(ctx->db, tenant_id, key);
	st_table_add_col(ctx->out, "message_id", ST_COL_TEXT);
	st_table_add_col(ctx->out, "property_id", ST_COL_TEXT);
	st_table_add_col(ctx->out, "conversation_id", ST_COL_TEXT);
	st_table_add_col(ctx->out, "estado", ST_COL_TEXT);
	st_table_add_col(ctx->out, "provider", ST_COL_TEXT);
	st_table_add_col(ctx->out, "error", ST_COL_TEXT);
	st_table_add_col(ctx->out, "contenido", ST_COL_TEXT);
	for (size_t i = 0; i < s->n; i++) {
		struct st_outbox_result r = { 0 };
		size_t row = st_table_add_row(ctx->out);

		if (ob && st_outbox_deliver(ob, s->items[i].message_id, &r,
					    &err) < 0) {
			/* stored and queued: the outbox will try again */
			st_outbox_result_release(&r);
			r.error = st_xstrdup(err.message);
		}
		sent += r.estado && strcmp(r.estado, "SENT") == 0;
		st_table_set(ctx->out, row, 0, s->items[i].message_id);
		st_table_set(ctx->out, row, 1, s->items[i].property_id);
		st_table_set(ctx->out, row, 2, s->conversation_id);
		st_table_set(ctx->out, row, 3, r.estado ? r.estado : "QUEUED");
		st_table_set(ctx->out, row, 4, r.provider);
		st_table_set(ctx->out, row, 5, r.error);
		st_table_set(ctx->out, row, 6, s->items[i].contenido);
		st_outbox_result_release(&r);
	}
	if (!ob)
		st_table_set_message(ctx->out, "%zu ficha%s queued on %s "
			"conversation \"%s\"; strato-etl outbox run delivers "
			"them", s->n, s->n == 1 ? "" : "s",
			s->conversation_new ? "new WHATSAPP" : "open",
			s->conversation_id);
	else
		st_table_set_message(ctx->out, "%zu of %zu ficha%s sent on %s "
			"conversation \"%s\"", sent, s->n, s->n == 1 ? "" : "s",
			s->conversation_new ? "new WHATSAPP" : "open",
			s->conversation_id);
	st_outbox_close(ob);
	st_crypto_key_free(key);
}

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
	deliver(ctx, tenant_id, &s);
	st_ficha_sent_release(&s);
	free(tenant_id);
	return 0;
}

static const struct cmd_flag fichas_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_send_table[] = {
	{ "send", "fichas", NULL, "LEAD PROPERTY...", "Send the sheets of "
	  "properties (ids or codigos) to a lead through its channel.",
	  2, -1, CMD_MUTATES, fichas_flags, cmd_send_fichas },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
