/*
 * ficha.h - property sheets ("fichas") rendered as messages and queued on
 * a lead's conversation.
 *
 * The rendering is pure (unit-tested): WhatsApp text with the title in
 * bold, the operation and the price written the Argentine way ("USD
 * 150.000", "$ 1.200.000", decimals after a comma), the zone, rooms and
 * area, the description cut at a word boundary, and the link. Sending
 * queues one strato.message per property (SALIENTE, QUEUED) on the lead's
 * open conversation, opening a WHATSAPP one when there is none; delivery
 * is the channel's business, later. A lead who opted out gets nothing,
 * and only available properties are sent.
 */
#ifndef STRATO_FICHA_H
#define STRATO_FICHA_H

#include <stdbool.h>
#include <stddef.h>

#include "strato/db.h"
#include "strato/error.h"
#include "strato/property.h"

/* Longest description kept, in characters, before the cut. */
#define ST_FICHA_DESC_MAX 160

/*
 * precio ("150000", "1500.5": digits, an optional point and decimals) in
 * moneda: "USD 150.000", "$ 1.500,50". NULL precio: "a consultar". A new
 * string.
 */
char *st_ficha_price(const char *precio, const char *moneda);
/*
 * s cut to at most max characters (UTF-8), at the last space before the
 * limit, with "…" appended when anything was cut. A new string.
 */
char *st_ficha_truncate(const char *s, size_t max);
/* The sheet of p as message text. A new string. */
char *st_ficha_render(const struct st_property *p);

struct st_ficha_msg {
	char *message_id;
	char *property_id;
	char *contenido;
};

struct st_ficha_sent {
	char *conversation_id;
	bool conversation_new;
	size_t n;
	struct st_ficha_msg *items;
};

void st_ficha_sent_release(struct st_ficha_sent *s);

/*
 * Queue the sheets of props[0..n) (ids or codigos) for lead_id, in one
 * transaction with the audit rows. Nothing is queued when any property is
 * missing or not available (ST_ENOTFOUND, ST_ESTATE), or the lead opted
 * out (ST_ESTATE).
 */
int st_ficha_send(struct st_db *db, const char *tenant_id,
		  const char *lead_id, const char *const *props, size_t n,
		  struct st_ficha_sent *out, struct st_error *err);

#endif
