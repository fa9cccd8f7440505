/*
 * lead-query.c - the lead browse statement for one filter: only the
 * conditions the filter uses, so that a prepared statement of that shape
 * keeps a plan with its index conditions (the keyset, the trigram index)
 * instead of one that has to allow for every filter being NULL.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "lead-sql.h"
#include "strato/util.h"

/* Each "$?" in a condition stands for its one parameter. */
static const struct {
	size_t field; /* a const char * in struct st_lead_filter */
	const char *cond;
} conds[] = {
	{ offsetof(struct st_lead_filter, estado), "l.estado = upper($?)" },
	{ offsetof(struct st_lead_filter, tipo), "l.tipo = upper($?)" },
	{ offsetof(struct st_lead_filter, tag), "l.tags @> ARRAY[$?::text]" },
	{ offsetof(struct st_lead_filter, origen), "l.origen = $?" },
	{ offsetof(struct st_lead_filter, zona),
	  "(EXISTS (SELECT 1 FROM unnest(l.zonas) z WHERE lower(z) ="
	  " lower($?::text)) OR lower(l.zona_interes) = lower($?::text))" },
	{ offsetof(struct st_lead_filter, assigned), "u.email = lower($?)" },
	{ offsetof(struct st_lead_filter, search),
	  "l.search LIKE '%' || replace(replace(replace("
	  "strato.f_unaccent(lower($?::text)), '\\', '\\\\'), '%', '\\%'),"
	  " '_', '\\_') || '%'" },
};

/* " AND cond" with its "$?" as the next parameter, value. */
static void
add_cond(struct lead_query *q, struct st_buf *b, const char *cond,
	 const char *value)
{
	q->params[q->n++] = value;
	st_buf_addstr(b, " AND ");
	for (const char *p = cond; *p; p++) {
		if (p[0] == '$' && p[1] == '?') {
			st_buf_addf(b, "$%d", q->n);
			p++;
		} else {
			st_buf_addch(b, *p);
		}
	}
}

void
lead_query_build(struct lead_query *q, const char *tenant_id,
		 const struct st_lead_filter *f, bool by_name,
		 const char *after_key, const char *after_id,
		 const char *limit)
{
	struct st_buf b;
	unsigned shape = by_name ? 1u : 0u;

	st_buf_init(&b);
	q->n = 0;
	q->params[q->n++] = tenant_id;
	st_buf_addstr(&b, "SELECT " LEAD_COLS
		      " WHERE l.tenant_id = $1 AND l.deleted_at IS NULL");
	for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++) {
		const char *v = *(const char *const *)(const void *)
			((const char *)f + conds[i].field);

		if (!v)
			continue;
		shape |= 2u << i;
		add_cond(q, &b, conds[i].cond, v);
	}
	if (after_key) {
		shape |= 2u << (sizeof(conds) / sizeof(conds[0]));
		q->params[q->n++] = after_key;
		q->params[q->n++] = after_id;
		st_buf_addf(&b, by_name ?
			    " AND (l.nombre, l.id) > ($%d::text, $%d::text)" :
			    " AND (l.created_at, l.id) < ($%d::timestamptz,"
			    " $%d::text)", q->n - 1, q->n);
	}
	q->params[q->n++] = limit;
	st_buf_addf(&b, by_name ? " ORDER BY l.nombre, l.id LIMIT $%d::int" :
		    " ORDER BY l.created_at DESC, l.id DESC LIMIT $%d::int",
		    q->n);
	snprintf(q->name, sizeof(q->name), "st_lead_list_%03x", shape);
	/* a search's best plan depends on how common its text is (a common
	 * one walks the newest leads, a rare one reads the trigram index):
	 * planned each time; the other shapes have one good plan */
	q->generic = !f->search;
	q->sql = st_buf_detach(&b);
}

void
lead_query_release(struct lead_query *q)
{
	free(q->sql);
	q->sql = NULL;
}
