/*
 * complete.c - live-data candidates for tab completion.
 */
#include <stdlib.h>

#include "db-internal.h"
#include "strato/complete.h"
#include "strato/tenant.h"

/* $1 tenant, $2 prefix (LIKE-escaped), $3 the cap. */
static const char *const queries[] = {
	[ST_COMPLETE_TENANT] =
		"SELECT slug FROM strato.tenant WHERE ($1::uuid IS NULL"
		" OR id = $1) AND starts_with(slug, $2)"
		" ORDER BY slug LIMIT $3::int",
	[ST_COMPLETE_USER] =
		"SELECT email FROM strato.app_user WHERE tenant_id = $1"
		" AND starts_with(email, lower($2)) ORDER BY email"
		" LIMIT $3::int",
	[ST_COMPLETE_LEAD] =
		"SELECT id FROM strato.lead WHERE tenant_id = $1"
		" AND deleted_at IS NULL AND (starts_with(id, $2)"
		"  OR search LIKE strato.f_unaccent(lower($2)) || '%'"
		"  OR search LIKE '% ' || strato.f_unaccent(lower($2)) || '%')"
		" ORDER BY last_activity_at DESC NULLS LAST, id LIMIT $3::int",
	[ST_COMPLETE_PROPERTY] =
		"SELECT id FROM strato.property WHERE tenant_id = $1"
		" AND (starts_with(id, $2) OR starts_with(lower(codigo),"
		"  lower($2)) OR starts_with(lower(titulo), lower($2)))"
		" ORDER BY publicado_at DESC, id LIMIT $3::int",
	[ST_COMPLETE_CAMPAIGN] =
		"SELECT nombre FROM strato.campaign WHERE tenant_id = $1"
		" AND starts_with(lower(nombre), lower($2)) ORDER BY nombre"
		" LIMIT $3::int",
	[ST_COMPLETE_EVENT] =
		"SELECT id FROM strato.event WHERE tenant_id = $1"
		" AND tipo = 'VISITA' AND starts_with(id, $2)"
		" ORDER BY fecha DESC LIMIT $3::int",
};

void
st_complete_free(char **words)
{
	if (!words)
		return;
	for (char **w = words; *w; w++)
		free(*w);
	free(words);
}

/*
 * LIKE's wildcards in the prefix are literal; the search column (for
 * leads) is matched with LIKE, the others with starts_with().
 */
static char *
like_escape(const char *s)
{
	struct st_buf b = ST_BUF_INIT;

	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			st_buf_addch(&b, '\\');
		st_buf_addch(&b, *s);
	}
	return st_buf_detach(&b);
}

char **
st_complete(struct st_db *db, const char *tenant_id,
	    enum st_complete_kind kind, const char *prefix,
	    struct st_error *err)
{
	char cap[16];
	char *esc = NULL;
	char **words = NULL;
	PGresult *res = NULL;
	int n;

	if (kind == ST_COMPLETE_TENANT)
		tenant_id = NULL; /* the policy decides which tenants show */
	else if (!tenant_id)
		return st_xcalloc(1, sizeof(char *));
	snprintf(cap, sizeof(cap), "%d", ST_COMPLETE_MAX);
	esc = kind == ST_COMPLETE_LEAD ? like_escape(prefix)
				       : st_xstrdup(prefix);
	if (tenant_id ? st_tenant_begin(db, tenant_id, err) < 0
		      : st_db_begin(db, err) < 0)
		goto cleanup;
	res = st_db_query(db, queries[kind], 3,
			  (const char *const[]){ tenant_id, esc, cap }, err);
	st_db_rollback(db); /* read only: nothing to keep */
	if (!res)
		goto cleanup;
	n = PQntuples(res);
	words = st_xcalloc((size_t)n + 1, sizeof(char *));
	for (int i = 0; i < n; i++)
		words[i] = st_db_dup(res, i, 0);
cleanup:
	PQclear(res);
	free(esc);
	return words;
}
