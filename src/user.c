/*
 * user.c - tenant users (app_user) and their PostgreSQL logins.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db-internal.h"
#include "strato/audit.h"
#include "strato/tenant.h"
#include "strato/user.h"

/* The audited fields (agents may not read every column of app_user). */
#define USER_JSON \
	"jsonb_build_object('email', email, 'nombre', nombre, 'role', role," \
	" 'login', login, 'is_active', is_active)"

#define USER_COLS \
	"id, tenant_id::text, email, nombre, role, login, is_active, " \
	ST_SQL_TS("created_at")

void
st_user_release(struct st_user *u)
{
	if (!u)
		return;
	free(u->id);
	free(u->tenant_id);
	free(u->email);
	free(u->nombre);
	free(u->role);
	free(u->login);
	free(u->created_at);
	memset(u, 0, sizeof(*u));
}

void
st_user_list_release(struct st_user_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		st_user_release(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static void
user_from_row(struct st_user *u, const PGresult *res, int row)
{
	u->id = st_db_dup(res, row, 0);
	u->tenant_id = st_db_dup(res, row, 1);
	u->email = st_db_dup(res, row, 2);
	u->nombre = st_db_dup(res, row, 3);
	u->role = st_db_dup(res, row, 4);
	u->login = st_db_dup(res, row, 5);
	u->is_active = st_db_bool(res, row, 6);
	u->created_at = st_db_dup(res, row, 7);
}

const char *
st_user_role_parse(const char *s)
{
	if (st_str_ieq(s, "admin"))
		return "ADMIN";
	if (st_str_ieq(s, "agent"))
		return "AGENT";
	return NULL;
}

bool
st_user_login_valid(const char *login)
{
	size_t n;

	if (!login)
		return false;
	n = strlen(login);
	if (n == 0 || n > 63 || isdigit((unsigned char)login[0]))
		return false;
	if (strncmp(login, "pg_", 3) == 0 || strncmp(login, "strato_", 7) == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = login[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

bool
st_user_email_valid(const char *email)
{
	const char *at, *dot;

	if (!email || strpbrk(email, " \t\r\n,;<>\"") != NULL)
		return false;
	at = strchr(email, '@');
	if (!at || at == email || strchr(at + 1, '@'))
		return false;
	dot = strrchr(at + 1, '.');
	return dot && dot > at + 1 && dot[1] != '\0';
}

/* A copy of s without surrounding white space. */
static char *
trimmed(const char *s)
{
	size_t n;

	if (!s)
		return NULL;
	s += strspn(s, " \t\r\n");
	n = strlen(s);
	while (n > 0 && strchr(" \t\r\n", s[n - 1]))
		n--;
	return st_xstrndup(s, n);
}

static int
validate_new(const struct st_user_new *spec, const char **role,
	     struct st_error *err)
{
	char *email = trimmed(spec->email);
	bool ok = st_user_email_valid(email);

	free(email);
	if (!ok) {
		st_error_set(err, ST_EINVAL, "invalid e-mail \"%s\"",
			     spec->email ? spec->email : "");
		return -1;
	}
	if (st_str_empty(spec->nombre)) {
		st_error_set(err, ST_EINVAL, "user name must not be empty");
		return -1;
	}
	*role = st_user_role_parse(spec->role);
	if (!*role) {
		st_error_set(err, ST_EINVAL, "invalid role \"%s\"",
			     spec->role ? spec->role : "");
		st_error_hint(err, "Use admin or agent.");
		return -1;
	}
	if (spec->login && !st_user_login_valid(spec->login)) {
		st_error_set(err, ST_EINVAL, "invalid login name \"%s\"",
			     spec->login);
		st_error_hint(err, "Use 1 to 63 of a-z, 0-9 and _, not starting "
			      "with a digit, pg_ or strato_.");
		return -1;
	}
	if (spec->password && !spec->login) {
		st_error_set(err, ST_EINVAL, "a password needs a login");
		return -1;
	}
	return 0;
}

/* The audit diff of a new user: what was set, never the password. */
static char *
create_diff(const struct st_user_new *spec, const char *role)
{
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "email", json_string(spec->email));
	json_object_set_new(o, "nombre", json_string(spec->nombre));
	json_object_set_new(o, "role", json_string(role));
	json_object_set_new(o, "login", spec->login ? json_string(spec->login)
						    : json_null());
	json_object_set_new(o, "password", json_string(spec->password ?
						       "[redacted]" : "none"));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

/*
 * Create a user, and its login when spec->login is set, in one tenant
 * transaction with its audit row. The password becomes a SCRAM verifier
 * here, on the client; the plain text is not sent.
 */
int
st_user_create(struct st_db *db, const char *tenant_id,
	       const struct st_user_new *spec, struct st_user *out,
	       struct st_error *err)
{
	const char *role = NULL;
	PGresult *res = NULL;
	char *verifier = NULL;
	char *diff = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (validate_new(spec, &role, err) < 0)
		return -1;
	if (spec->password) {
		verifier = PQencryptPasswordConn(db->conn, spec->password,
						 spec->login, "scram-sha-256");
		if (!verifier) {
			st_error_set(err, ST_EINTERNAL,
				     "cannot encrypt the password");
			return -1;
		}
	}
	if (st_tenant_begin(db, tenant_id, err) < 0)
		goto cleanup;
	res = st_db_query(db,
		"INSERT INTO strato.app_user (tenant_id, email, nombre, role)"
		" VALUES ($1, lower(btrim($2)), btrim($3), $4)"
		" RETURNING id",
		4, (const char *const[]){ tenant_id, spec->email, spec->nombre,
					  role }, err);
	if (!res) {
		if (err && err->code == ST_EEXIST)
			st_error_set(err, ST_EEXIST, "user \"%s\" already exists "
				     "in this tenant", spec->email);
		goto cleanup;
	}
	out->id = st_db_dup(res, 0, 0);
	PQclear(res);
	res = NULL;
	if (spec->login &&
	    st_db_run(db, "SELECT strato.create_login($1, $2, $3, $4)", 4,
		      (const char *const[]){ tenant_id, out->id, spec->login,
					     verifier }, err) < 0)
		goto cleanup;
	diff = create_diff(spec, role);
	if (st_audit_add(db, tenant_id, "user.create", "app_user", out->id,
			 diff, err) < 0)
		goto cleanup;
	res = st_db_query(db, "SELECT " USER_COLS " FROM strato.app_user"
			  " WHERE tenant_id = $1 AND id = $2", 2,
			  (const char *const[]){ tenant_id, out->id }, err);
	if (!res)
		goto cleanup;
	free(out->id);
	user_from_row(out, res, 0);
	ret = st_db_commit(db, err);
cleanup:
	if (ret < 0) {
		st_db_rollback(db);
		st_user_release(out);
	}
	PQclear(res);
	if (verifier)
		PQfreemem(verifier);
	free(diff);
	return ret;
}

int
st_user_list(struct st_db *db, const char *tenant_id,
	     struct st_user_list *out, struct st_error *err)
{
	PGresult *res = NULL;
	int ret = -1;
	int n;

	out->n = 0;
	out->items = NULL;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT " USER_COLS " FROM strato.app_user"
			  " WHERE tenant_id = $1 ORDER BY email", 1, &tenant_id,
			  err);
	if (!res)
		goto cleanup;
	n = PQntuples(res);
	out->items = st_xcalloc(n ? (size_t)n : 1, sizeof(*out->items));
	for (int i = 0; i < n; i++)
		user_from_row(&out->items[i], res, i);
	out->n = (size_t)n;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_user_list_release(out);
	}
	PQclear(res);
	return ret;
}

/*
 * Disable a user: is_active goes false and its role loses LOGIN, through
 * strato.set_user_active(); its rows and history stay.
 */
int
st_user_disable(struct st_db *db, const char *tenant_id, const char *email,
		struct st_error *err)
{
	PGresult *res = NULL;
	char *id = NULL;
	int ret = -1;

	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	res = st_db_query(db, "SELECT id FROM strato.app_user"
			  " WHERE tenant_id = $1 AND email = lower(btrim($2))",
			  2, (const char *const[]){ tenant_id, email }, err);
	if (!res)
		goto cleanup;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "user \"%s\" does not exist",
			     email);
		goto cleanup;
	}
	id = st_db_dup(res, 0, 0);
	if (st_db_run(db, "SELECT strato.set_user_active($1, $2, false)", 2,
		      (const char *const[]){ tenant_id, id }, err) < 0)
		goto cleanup;
	if (st_audit_add(db, tenant_id, "user.disable", "app_user", id,
			 "{\"is_active\": false}", err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0)
		st_tenant_rollback(db);
	PQclear(res);
	free(id);
	return ret;
}

/* The id of the user named by email or id; a new string, NULL if none. */
static char *
user_id(struct st_db *db, const char *tenant_id, const char *who,
	struct st_error *err)
{
	PGresult *res;
	char *id = NULL;

	res = st_db_query(db, "SELECT id FROM strato.app_user"
			  " WHERE tenant_id = $1 AND (id = $2"
			  " OR email = lower(btrim($2)))", 2,
			  (const char *const[]){ tenant_id, who }, err);
	if (!res)
		return NULL;
	if (PQntuples(res) == 0)
		st_error_set(err, ST_ENOTFOUND, "user \"%s\" does not exist",
			     who);
	else
		id = st_db_dup(res, 0, 0);
	PQclear(res);
	return id;
}

/* Read the user back into *out and audit the change, diff from the server. */
static int
finish_change(struct st_db *db, const char *tenant_id, const char *id,
	      const char *action, const char *before, struct st_user *out,
	      struct st_error *err)
{
	PGresult *res;
	int ret = -1;

	res = st_db_query(db, "SELECT " USER_COLS ", strato.jsonb_diff($3, "
			  USER_JSON ")::text FROM strato.app_user u"
			  " WHERE tenant_id = $1 AND id = $2", 3,
			  (const char *const[]){ tenant_id, id, before }, err);
	if (!res)
		return -1;
	user_from_row(out, res, 0);
	ret = st_audit_add(db, tenant_id, action, "app_user", id,
			   PQgetvalue(res, 0, 8), err);
	PQclear(res);
	return ret;
}

/* The row as JSON, for the diff; a new string. */
static char *
user_json(struct st_db *db, const char *tenant_id, const char *id,
	  struct st_error *err)
{
	PGresult *res = st_db_query(db, "SELECT " USER_JSON "::text FROM"
				    " strato.app_user u WHERE tenant_id = $1"
				    " AND id = $2 FOR UPDATE", 2,
				    (const char *const[]){ tenant_id, id }, err);
	char *s = res ? st_db_dup(res, 0, 0) : NULL;

	PQclear(res);
	return s;
}

/*
 * Change a user's e-mail and/or name (NULL keeps a field). who is the
 * user's e-mail or id.
 */
int
st_user_update(struct st_db *db, const char *tenant_id, const char *who,
	       const char *email, const char *nombre, struct st_user *out,
	       struct st_error *err)
{
	char *id = NULL, *before = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!email && !nombre) {
		st_error_set(err, ST_EUSAGE, "nothing to update");
		st_error_hint(err, "Pass --email or --name.");
		return -1;
	}
	if (email && !st_user_email_valid(email)) {
		st_error_set(err, ST_EINVAL, "invalid e-mail \"%s\"", email);
		return -1;
	}
	if (nombre && strspn(nombre, " \t") == strlen(nombre)) {
		st_error_set(err, ST_EINVAL, "user name must not be empty");
		return -1;
	}
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (!(id = user_id(db, tenant_id, who, err)) ||
	    !(before = user_json(db, tenant_id, id, err)))
		goto cleanup;
	if (st_db_run(db, "UPDATE strato.app_user SET"
		      " email = coalesce(lower(btrim($3)), email),"
		      " nombre = coalesce(btrim($4), nombre)"
		      " WHERE tenant_id = $1 AND id = $2", 4,
		      (const char *const[]){ tenant_id, id, email, nombre },
		      err) < 0) {
		if (err && err->code == ST_EEXIST)
			st_error_set(err, ST_EEXIST, "user \"%s\" already "
				     "exists in this tenant", email);
		goto cleanup;
	}
	if (finish_change(db, tenant_id, id, "user.update", before, out,
			  err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_user_release(out);
	}
	free(id);
	free(before);
	return ret;
}

/*
 * Make a user an admin or an agent ("admin"/"agent", any case): app_user.role
 * and its login's group change together, in strato.set_user_role().
 */
int
st_user_set_role(struct st_db *db, const char *tenant_id, const char *who,
		 const char *role, struct st_user *out, struct st_error *err)
{
	const char *r = st_user_role_parse(role);
	char *id = NULL, *before = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!r) {
		st_error_set(err, ST_EINVAL, "invalid role \"%s\"", role);
		st_error_hint(err, "Use admin or agent.");
		return -1;
	}
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (!(id = user_id(db, tenant_id, who, err)) ||
	    !(before = user_json(db, tenant_id, id, err)))
		goto cleanup;
	if (st_db_run(db, "SELECT strato.set_user_role($1, $2, $3)", 3,
		      (const char *const[]){ tenant_id, id, r }, err) < 0)
		goto cleanup;
	if (finish_change(db, tenant_id, id, "user.role", before, out, err) < 0)
		goto cleanup;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_user_release(out);
	}
	free(id);
	free(before);
	return ret;
}
