/*
 * audit.h - the per-tenant record of who did what to which row.
 *
 * Written inside the caller's tenant transaction, so an audit row commits or
 * rolls back with the change it describes. The actor's login is taken by the
 * server (session_user), never from the client. Diffs are JSON text and must
 * already have secrets redacted: strato.jsonb_diff(old, new) computes them
 * on the server from the rows before and after.
 */
#ifndef STRATO_AUDIT_H
#define STRATO_AUDIT_H

#include <stddef.h>

#include "strato/db.h"
#include "strato/error.h"

int st_audit_add(struct st_db *db, const char *tenant_id, const char *action,
		 const char *entity, const char *entity_id,
		 const char *diff_json, struct st_error *err);

struct st_audit_entry {
	char *id;
	char *at;          /* ISO 8601 */
	char *actor_login; /* the PostgreSQL login */
	char *actor_email; /* its app user, or NULL for platform admins */
	char *action;      /* "lead.update" */
	char *entity;      /* "lead" */
	char *entity_id;
	char *diff;        /* JSON text, or NULL */
};

struct st_audit_filter {
	const char *entity;    /* "lead", or "lead:ID" for one row */
	const char *actor;     /* a login or an app user's e-mail */
	const char *action;    /* exact, or a prefix ending in "." */
	const char *since;     /* a timestamp, or an interval back ("7d") */
	const char *before_id; /* keyset: entries older than this one */
	int limit;             /* 0: 50 */
};

struct st_audit_list {
	size_t n;
	struct st_audit_entry *items;
	bool more; /* entries past limit exist (page on with before_id) */
};

/*
 * The tenant's audit entries, newest first, filtered by f (NULL fields do
 * not filter). Returns 0 or -1; *out is released by st_audit_list_release.
 */
int st_audit_list(struct st_db *db, const char *tenant_id,
		  const struct st_audit_filter *f, struct st_audit_list *out,
		  struct st_error *err);
void st_audit_list_release(struct st_audit_list *l);

#endif
