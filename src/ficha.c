/*
 * ficha.c - rendering property sheets and queueing them for a lead.
 */
#include <stdlib.h>
#include <string.h>

#include "audit-internal.h"
#include "db-internal.h"
#include "strato/audit.h"
#include "strato/ficha.h"
#include "strato/tenant.h"

char *
st_ficha_price(const char *precio, const char *moneda)
{
	struct st_buf b = ST_BUF_INIT;
	size_t whole;
	const char *dec;

	if (!precio || !*precio)
		return st_xstrdup("a consultar");
	if (moneda && strcmp(moneda, "ARS") == 0)
		st_buf_addstr(&b, "$ ");
	else
		st_buf_addf(&b, "%s ", moneda ? moneda : "USD");
	whole = strspn(precio, "0123456789");
	/* thousands with points, from the left: 1.200.000 */
	for (size_t i = 0; i < whole; i++) {
		if (i > 0 && (whole - i) % 3 == 0)
			st_buf_addch(&b, '.');
		st_buf_addch(&b, precio[i]);
	}
	dec = precio[whole] == '.' ? precio + whole + 1 : NULL;
	if (dec && strspn(dec, "0") != strlen(dec)) {
		/* cents: always two digits, after a comma */
		st_buf_addch(&b, ',');
		st_buf_addch(&b, dec[0]);
		st_buf_addch(&b, dec[1] ? dec[1] : '0');
	}
	return st_buf_detach(&b);
}

char *
st_ficha_truncate(const char *s, size_t max)
{
	size_t chars = 0, i = 0, cut = 0, space = 0;

	if (!s)
		return st_xstrdup("");
	/* find the byte offset of character max, and the last space before */
	for (i = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xC0) == 0x80)
			continue; /* a continuation byte: same character */
		if (chars == max)
			break;
		if (s[i] == ' ' || s[i] == '\n')
			space = i;
		chars++;
	}
	if (!s[i])
		return st_xstrdup(s);
	cut = space > 0 ? space : i;
	while (cut > 0 && strchr(" \n,.;:", s[cut - 1]))
		cut--; /* no dangling punctuation before the ellipsis */
	return st_xasprintf("%.*s…", (int)cut, s);
}

/* VENTA -> Venta, ALQUILER -> Alquiler. */
static const char *
operacion_word(const char *op)
{
	if (op && strcmp(op, "VENTA") == 0)
		return "Venta";
	if (op && strcmp(op, "ALQUILER") == 0)
		return "Alquiler";
	return op ? op : "";
}

/* "72.5" -> "72,5": decimals after a comma. */
static void
add_decimal(struct st_buf *b, const char *n)
{
	for (; *n; n++)
		st_buf_addch(b, *n == '.' ? ',' : *n);
}

char *
st_ficha_render(const struct st_property *p)
{
	struct st_buf b = ST_BUF_INIT;
	char *price = st_ficha_price(p->precio, p->moneda);
	char *desc = NULL;

	st_buf_addf(&b, "*%s*\n", p->titulo ? p->titulo : "");
	st_buf_addf(&b, "%s: %s\n", operacion_word(p->operacion), price);
	if (!st_str_empty(p->zona))
		st_buf_addf(&b, "Zona: %s\n", p->zona);
	if (p->ambientes) {
		st_buf_addf(&b, "%s %s", p->ambientes,
			    strcmp(p->ambientes, "1") == 0 ? "ambiente"
							  : "ambientes");
		st_buf_addstr(&b, p->superficie ? " · " : "\n");
	}
	if (p->superficie) {
		add_decimal(&b, p->superficie);
		st_buf_addstr(&b, " m²\n");
	}
	if (!st_str_empty(p->descripcion)) {
		desc = st_ficha_truncate(p->descripcion, ST_FICHA_DESC_MAX);
		st_buf_addf(&b, "%s\n", desc);
	}
	if (!st_str_empty(p->url))
		st_buf_addf(&b, "Ver más: %s\n", p->url);
	/* no trailing newline in a message */
	if (b.len > 0 && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	free(price);
	free(desc);
	return st_buf_detach(&b);
}

void
st_ficha_sent_release(struct st_ficha_sent *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->items[i].message_id);
		free(s->items[i].property_id);
		free(s->items[i].contenido);
	}
	free(s->items);
	free(s->conversation_id);
	memset(s, 0, sizeof(*s));
}

/* The lead must exist and accept messages. */
static int
check_lead(struct st_db *db, const char *tenant_id, const char *lead_id,
	   struct st_error *err)
{
	PGresult *res = st_db_query(db, "SELECT opt_out FROM strato.lead"
		" WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL", 2,
		(const char *const[]){ tenant_id, lead_id }, err);
	int ret = -1;

	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "lead \"%s\" does not exist",
			     lead_id);
	} else if (st_db_bool(res, 0, 0)) {
		st_error_set(err, ST_ESTATE, "lead \"%s\" has opted out of "
			     "messages", lead_id);
		st_error_detail(err, "Nothing was queued.");
	} else {
		ret = 0;
	}
	PQclear(res);
	return ret;
}

/* Render every sheet into out->items, refusing unavailable properties. */
static int
render_all(struct st_db *db, const char *tenant_id, const char *const *props,
	   size_t n, struct st_ficha_sent *out, struct st_error *err)
{
	out->items = st_xcalloc(n ? n : 1, sizeof(*out->items));
	for (size_t i = 0; i < n; i++) {
		struct st_property p;

		if (st_property_fetch(db, tenant_id, props[i], &p, err) < 0)
			return -1;
		out->n++;
		if (strcmp(p.estado, "DISPONIBLE") != 0) {
			st_error_set(err, ST_ESTATE, "property \"%s\" is %s, "
				     "not available", props[i], p.estado);
			st_error_detail(err, "Nothing was queued.");
			st_property_release(&p);
			return -1;
		}
		out->items[i].property_id = p.id;
		p.id = NULL;
		out->items[i].contenido = st_ficha_render(&p);
		st_property_release(&p);
	}
	return 0;
}

/* The lead's open conversation, else a new WHATSAPP one. */
static int
conversation_for(struct st_db *db, const char *tenant_id, const char *lead_id,
		 struct st_ficha_sent *out, struct st_error *err)
{
	const char *p[2] = { tenant_id, lead_id };
	PGresult *res = st_db_query(db, "SELECT id FROM strato.conversation"
		" WHERE tenant_id = $1 AND lead_id = $2 AND abierta"
		" ORDER BY canal = 'WHATSAPP' DESC,"
		" last_message_at DESC NULLS LAST, created_at DESC, id LIMIT 1",
		2, p, err);

	if (!res)
		return -1;
	if (PQntuples(res) == 1) {
		out->conversation_id = st_db_dup(res, 0, 0);
		PQclear(res);
		return 0;
	}
	PQclear(res);
	out->conversation_new = true;
	return st_audit_rows(db, tenant_id, "conversation.create",
		"conversation",
		"WITH n AS (INSERT INTO strato.conversation (tenant_id, lead_id,"
		"  canal) VALUES ($1, $2, 'WHATSAPP') RETURNING *)"
		" SELECT n.id, strato.jsonb_diff(NULL, to_jsonb(n))::text"
		" FROM n",
		2, p, &out->conversation_id, NULL, err) < 0 ? -1 : 0;
}

int
st_ficha_send(struct st_db *db, const char *tenant_id, const char *lead_id,
	      const char *const *props, size_t n, struct st_ficha_sent *out,
	      struct st_error *err)
{
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (check_lead(db, tenant_id, lead_id, err) < 0 ||
	    render_all(db, tenant_id, props, n, out, err) < 0 ||
	    conversation_for(db, tenant_id, lead_id, out, err) < 0)
		goto cleanup;
	for (size_t i = 0; i < n; i++)
		if (st_audit_rows(db, tenant_id, "message.queue", "message",
			"WITH n AS (INSERT INTO strato.message (tenant_id,"
			"  conversation_id, direccion, contenido, tipo, estado)"
			"  VALUES ($1, $2, 'SALIENTE', $3, 'TEXT', 'QUEUED')"
			"  RETURNING *)"
			" SELECT n.id, strato.jsonb_diff(NULL, to_jsonb(n))::text"
			" FROM n", 3, (const char *const[]){ tenant_id,
			out->conversation_id, out->items[i].contenido },
			&out->items[i].message_id, NULL, err) < 0)
			goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_ficha_sent_release(out);
	}
	return ret;
}
