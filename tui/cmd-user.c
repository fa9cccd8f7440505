/*
 * cmd-user.c - user create, list, update, role, disable.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "strato/user.h"

static void
user_columns(struct st_table *t, bool full)
{
	st_table_add_col(t, "email", ST_COL_TEXT);
	st_table_add_col(t, "nombre", ST_COL_TEXT);
	st_table_add_col(t, "role", ST_COL_TEXT);
	st_table_add_col(t, "login", ST_COL_TEXT);
	st_table_add_col(t, "is_active", ST_COL_BOOL);
	if (full) {
		st_table_add_col(t, "id", ST_COL_TEXT);
		st_table_add_col(t, "tenant_id", ST_COL_TEXT);
		st_table_add_col(t, "created_at", ST_COL_TEXT);
	}
}

static void
user_row(struct st_table *t, const struct st_user *u, bool full)
{
	size_t r = st_table_add_row(t);

	st_table_set(t, r, 0, u->email);
	st_table_set(t, r, 1, u->nombre);
	st_table_set(t, r, 2, u->role);
	st_table_set(t, r, 3, u->login);
	st_table_set(t, r, 4, u->is_active ? "t" : "f");
	if (full) {
		st_table_set(t, r, 5, u->id);
		st_table_set(t, r, 6, u->tenant_id);
		st_table_set(t, r, 7, u->created_at);
	}
}

static int
cmd_user_create(struct cmd_ctx *ctx, struct cmd_args *args,
		struct st_error *err)
{
	struct st_user_new spec = {
		.email = cmd_arg(args, "email"),
		.nombre = cmd_arg(args, "name"),
		.role = cmd_arg(args, "role"),
		.login = cmd_arg(args, "login"),
		.password = NULL,
	};
	struct st_user u;
	char *tenant_id = NULL;
	char *password = NULL;
	int ret = -1;

	if (!spec.email || !spec.nombre || !spec.role) {
		st_error_set(err, ST_EUSAGE, "user create needs --email, --name "
			     "and --role");
		return -1;
	}
	if (cmd_arg(args, "password-stdin")) {
		if (!spec.login) {
			st_error_set(err, ST_EUSAGE, "--password-stdin needs "
				     "--login");
			return -1;
		}
		password = cmd_read_secret(ctx->in, "Password: ", err);
		if (!password)
			return -1;
		spec.password = password;
	}
	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		goto cleanup;
	if (st_user_create(ctx->db, tenant_id, &spec, &u, err) < 0)
		goto cleanup;
	user_columns(ctx->out, true);
	user_row(ctx->out, &u, true);
	ctx->out->single = true;
	st_table_set_message(ctx->out, "user \"%s\" created%s%s%s", u.email,
			     u.login ? " with login \"" : "",
			     u.login ? u.login : "", u.login ? "\"" : "");
	st_user_release(&u);
	ret = 0;
cleanup:
	st_free_secret(password);
	free(tenant_id);
	return ret;
}

static int
cmd_user_list(struct cmd_ctx *ctx, struct cmd_args *args,
	      struct st_error *err)
{
	struct st_user_list l;
	char *tenant_id = NULL;
	bool full = args->format != ST_FORMAT_TABLE;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_user_list(ctx->db, tenant_id, &l, err) < 0) {
		free(tenant_id);
		return -1;
	}
	user_columns(ctx->out, full);
	for (size_t i = 0; i < l.n; i++)
		user_row(ctx->out, &l.items[i], full);
	st_user_list_release(&l);
	free(tenant_id);
	return 0;
}

static int
cmd_user_disable(struct cmd_ctx *ctx, struct cmd_args *args,
		 struct st_error *err)
{
	char *tenant_id = NULL;
	int ret;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	ret = st_user_disable(ctx->db, tenant_id, args->argv[0], err);
	if (ret == 0)
		st_table_set_message(ctx->out, "user \"%s\" disabled; its "
				     "login can no longer connect",
				     args->argv[0]);
	free(tenant_id);
	return ret;
}

/* Show the user a change left, as a record. */
static int
user_changed(struct cmd_ctx *ctx, struct st_user *u, const char *what)
{
	user_columns(ctx->out, true);
	user_row(ctx->out, u, true);
	ctx->out->single = true;
	st_table_set_message(ctx->out, "user \"%s\" %s", u->email, what);
	st_user_release(u);
	return 0;
}

static int
cmd_user_update(struct cmd_ctx *ctx, struct cmd_args *args,
		struct st_error *err)
{
	struct st_user u;
	char *tenant_id = NULL;
	int ret;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	ret = st_user_update(ctx->db, tenant_id, args->argv[0],
			     cmd_arg(args, "email"), cmd_arg(args, "name"), &u,
			     err);
	free(tenant_id);
	return ret < 0 ? -1 : user_changed(ctx, &u, "updated");
}

static int
cmd_user_role(struct cmd_ctx *ctx, struct cmd_args *args, struct st_error *err)
{
	struct st_user u;
	char *tenant_id = NULL;
	int ret;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	ret = st_user_set_role(ctx->db, tenant_id, args->argv[0], args->argv[1],
			       &u, err);
	free(tenant_id);
	if (ret < 0)
		return -1;
	return user_changed(ctx, &u, strcmp(u.role, "ADMIN") == 0
			    ? "is now a tenant admin" : "is now an agent");
}

static const struct cmd_flag tenant_flag[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag create_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "email", "EMAIL", "the user's e-mail, unique in the tenant" },
	{ "name", "NAME", "the user's full name" },
	{ "role", "ROLE", "admin or agent" },
	{ "login", "PGROLE", "create this PostgreSQL login for the user" },
	{ "password-stdin", NULL, "read the login's password from stdin" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag update_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "email", "EMAIL", "the user's new e-mail" },
	{ "name", "NAME", "the user's new name" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_user_table[] = {
	{ "user", "create", NULL, "", "Create a user of the tenant, and its "
	  "login.", 0, 0, CMD_MUTATES, create_flags, cmd_user_create },
	{ "user", "list", "ls", "", "List the tenant's users.",
	  0, 0, 0, tenant_flag, cmd_user_list },
	{ "user", "update", NULL, "USER", "Change a user's e-mail or name "
	  "(USER: e-mail or id).", 1, 1, CMD_MUTATES, update_flags,
	  cmd_user_update },
	{ "user", "role", NULL, "USER admin|agent", "Make a user a tenant "
	  "admin or an agent; its login follows.", 2, 2, CMD_MUTATES,
	  tenant_flag, cmd_user_role },
	{ "user", "disable", NULL, "EMAIL", "Disable a user: the login can no "
	  "longer connect, its history stays.",
	  1, 1, CMD_MUTATES, tenant_flag, cmd_user_disable },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
