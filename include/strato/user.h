/*
 * user.h - the people of a tenant (app_user) and their PostgreSQL logins.
 *
 * A user is a row in strato.app_user; giving it a login creates a PostgreSQL
 * role through strato.create_login(), a SECURITY DEFINER function, so tenant
 * admins need no CREATEROLE. The password, when given, is turned into a
 * SCRAM-SHA-256 verifier on the client (PQencryptPasswordConn): the plain
 * text never crosses the wire and never reaches a server log.
 */
#ifndef STRATO_USER_H
#define STRATO_USER_H

#include <stdbool.h>
#include <stddef.h>

#include "strato/db.h"
#include "strato/error.h"

struct st_user {
	char *id;
	char *tenant_id;
	char *email;
	char *nombre;
	char *role;  /* ADMIN or AGENT */
	char *login; /* PostgreSQL role, or NULL */
	bool is_active;
	char *created_at;
};

struct st_user_list {
	size_t n;
	struct st_user *items;
};

struct st_user_new {
	const char *email;
	const char *nombre;
	const char *role;     /* "admin" or "agent", any case */
	const char *login;    /* may be NULL: a user without a login */
	const char *password; /* may be NULL: login without password */
};

void st_user_release(struct st_user *u);
void st_user_list_release(struct st_user_list *l);

/* Lower-case and validate a role name; returns "ADMIN"/"AGENT" or NULL. */
const char *st_user_role_parse(const char *s);
/* Validate a login name: [a-z_][a-z0-9_]{0,62}, not pg_ / strato_. */
bool st_user_login_valid(const char *login);
/* Light e-mail validation: one @, non-empty local and dotted domain. */
bool st_user_email_valid(const char *email);

/* Create a user in tenant_id (and its login). Runs its own transaction. */
int st_user_create(struct st_db *db, const char *tenant_id,
		   const struct st_user_new *spec, struct st_user *out,
		   struct st_error *err);
int st_user_list(struct st_db *db, const char *tenant_id,
		 struct st_user_list *out, struct st_error *err);
/* Disable by e-mail: is_active false and the role can no longer log in. */
int st_user_disable(struct st_db *db, const char *tenant_id,
		    const char *email, struct st_error *err);

/*
 * Change a user's e-mail and/or name (NULL keeps a field); who is its
 * e-mail or id. *out is the user afterwards. Audited with the diff.
 */
int st_user_update(struct st_db *db, const char *tenant_id, const char *who,
		   const char *email, const char *nombre, struct st_user *out,
		   struct st_error *err);

/*
 * Make a user "admin" or "agent" (any case); its login changes group in the
 * same transaction. Nobody changes their own role.
 */
int st_user_set_role(struct st_db *db, const char *tenant_id, const char *who,
		     const char *role, struct st_user *out,
		     struct st_error *err);

#endif
