/*
 * cmd-integration.c - integration list, show, set, enable, disable, test,
 * rotate-key.
 *
 * Secrets never come from argv, where ps(1) and shell history would show
 * them: a secret field's flag is a switch that names the field, and its
 * value is read from standard input (--secret-stdin) or a prompt without
 * echo. A value left after the provider is refused without being repeated.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "cmd.h"
#include "strato/integration.h"
#include "strato/provider.h"

#define SET_VALUES_MAX 32

/* The master key if one is configured; *key NULL (and 0) if none is. */
static int
load_key(struct st_crypto_key **key, struct st_error *err)
{
	struct st_error kerr;

	st_error_init(&kerr);
	*key = st_crypto_key_from_env(&kerr);
	if (*key || kerr.code == ST_ENOTFOUND)
		return 0;
	if (err)
		*err = kerr;
	return -1;
}

/*
 * One integration: list leaves the secrets out (reading them means
 * decrypting every row), show has them masked.
 */
static void
integ_columns(struct st_table *t, bool full, bool secrets)
{
	st_table_add_col(t, "provider", ST_COL_TEXT);
	st_table_add_col(t, "is_active", ST_COL_BOOL);
	st_table_add_col(t, "config", ST_COL_JSON);
	if (secrets)
		st_table_add_col(t, "secrets", ST_COL_JSON);
	st_table_add_col(t, "key_id", ST_COL_TEXT);
	/* the last test shows everywhere: the TUI's Integrations screen too */
	st_table_add_col(t, "last_test_at", ST_COL_TEXT);
	st_table_add_col(t, "last_test_ok", ST_COL_BOOL);
	st_table_add_col(t, "last_test_message", ST_COL_TEXT);
	if (full) {
		st_table_add_col(t, "id", ST_COL_TEXT);
		st_table_add_col(t, "tenant_id", ST_COL_TEXT);
		st_table_add_col(t, "created_at", ST_COL_TEXT);
		st_table_add_col(t, "updated_at", ST_COL_TEXT);
	}
}

/* The masked secrets as a JSON object, NULL when they were not read. */
static char *
secrets_json(const struct st_integration *in)
{
	json_t *o;
	char *s;

	if (!in->secrets_visible || (!in->secrets && in->key_id))
		return NULL;
	o = json_object();
	for (size_t i = 0; i < in->nsecrets; i++)
		json_object_set_new(o, in->secrets[i].name,
				    json_string(in->secrets[i].masked));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

static void
integ_row(struct st_table *t, const struct st_integration *in, bool full,
	  bool secrets)
{
	size_t r = st_table_add_row(t);
	size_t c = 0;
	char *masked = secrets ? secrets_json(in) : NULL;

	st_table_set(t, r, c++, in->provider);
	st_table_set(t, r, c++, in->is_active ? "t" : "f");
	st_table_set(t, r, c++, in->config);
	if (secrets)
		st_table_set(t, r, c++, masked);
	st_table_set(t, r, c++, in->key_id);
	st_table_set(t, r, c++, in->last_test_at);
	st_table_set(t, r, c++, in->last_test_ok);
	st_table_set(t, r, c++, in->last_test_message);
	if (full) {
		st_table_set(t, r, c++, in->id);
		st_table_set(t, r, c++, in->tenant_id);
		st_table_set(t, r, c++, in->created_at);
		st_table_set(t, r, c++, in->updated_at);
	}
	free(masked);
}

static int
cmd_integration_list(struct cmd_ctx *ctx, struct cmd_args *args,
		     struct st_error *err)
{
	struct st_integration_list l;
	char *tenant_id = NULL;
	bool full = args->format != ST_FORMAT_TABLE;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (st_integration_list(ctx->db, tenant_id, &l, err) < 0) {
		free(tenant_id);
		return -1;
	}
	integ_columns(ctx->out, full, false);
	for (size_t i = 0; i < l.n; i++)
		integ_row(ctx->out, &l.items[i], full, false);
	st_integration_list_release(&l);
	free(tenant_id);
	return 0;
}

/* Fill ctx->out with one integration, secrets masked; untouched on error. */
static int
show_one(struct cmd_ctx *ctx, const char *tenant_id, const char *provider,
	 struct st_error *err)
{
	struct st_crypto_key *key = NULL;
	struct st_integration in;
	int ret = -1;

	if (load_key(&key, err) < 0)
		return -1;
	if (st_integration_get(ctx->db, tenant_id, provider, key, &in,
			       err) < 0)
		goto cleanup;
	integ_columns(ctx->out, true, true);
	integ_row(ctx->out, &in, true, true);
	ctx->out->single = true;
	st_integration_release(&in);
	ret = 0;
cleanup:
	st_crypto_key_free(key);
	return ret;
}

static int
cmd_integration_show(struct cmd_ctx *ctx, struct cmd_args *args,
		     struct st_error *err)
{
	char *tenant_id = NULL;
	int ret;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	ret = show_one(ctx, tenant_id, args->argv[0], err);
	free(tenant_id);
	return ret;
}

/* The flag that names a field: api_token <-> --api-token. */
static char *
field_of_flag(const char *flag)
{
	char *s = st_xstrdup(flag);

	for (char *p = s; *p; p++)
		if (*p == '-')
			*p = '_';
	return s;
}

static int
no_field(const char *p, const char *name, struct st_error *err)
{
	char *names = st_integration_field_names(p);

	st_error_set(err, ST_EUSAGE, "%s has no field \"%s\"", p, name);
	st_error_hint(err, "Its fields are: %s.", names);
	free(names);
	return -1;
}

/*
 * One "field=value" line: *f gets the secret field, and the value (inside
 * line) is returned. Nothing of the line is repeated in an error unless
 * it named a field exactly: the line may be a bare secret with an '='.
 */
static char *
secret_line(const char *p, char *line,
	    const struct st_integration_field **f, struct st_error *err)
{
	char *eq = strchr(line, '=');
	char *names = NULL;

	if (!eq) {
		st_error_set(err, ST_EUSAGE, "a line of standard input is not "
			     "FIELD=VALUE");
		st_error_hint(err, "Name one secret switch (e.g. --api-token) "
			      "to give a bare value.");
		return NULL;
	}
	*eq = '\0';
	*f = st_integration_field(p, line);
	if (!*f) {
		names = st_integration_field_names(p);
		st_error_set(err, ST_EUSAGE, "a line of standard input names "
			     "no field of %s", p);
		st_error_hint(err, "Its fields are: %s.", names);
		free(names);
		return NULL;
	}
	if (!(*f)->secret) {
		st_error_set(err, ST_EUSAGE, "%s is not a secret", line);
		st_error_hint(err, "Pass it as --%s VALUE.", line);
		return NULL;
	}
	return eq + 1;
}

/*
 * Secrets as "field=value" lines (blank lines skipped). Each value is a new
 * string appended to owned[], which the caller wipes.
 */
static int
read_secret_lines(FILE *in, const char *p, struct st_integration_value *vals,
		  size_t *n, char **owned, size_t *nowned,
		  struct st_error *err)
{
	const struct st_integration_field *f = NULL;
	char *line = NULL, *value;
	size_t cap = 0, before = *n;
	ssize_t len;
	int ret = -1;

	while ((len = getline(&line, &cap, in)) >= 0) {
		while (len > 0 && strchr("\r\n", line[len - 1]))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (!(value = secret_line(p, line, &f, err)))
			goto cleanup;
		if (*n == SET_VALUES_MAX) {
			st_error_set(err, ST_EUSAGE, "too many lines on "
				     "standard input");
			goto cleanup;
		}
		owned[*nowned] = st_xstrdup(value);
		vals[(*n)++] = (struct st_integration_value){
			f->name, owned[(*nowned)++] };
	}
	if (*n == before) {
		st_error_set(err, ST_EUSAGE, "no secrets on standard input");
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (line) {
		OPENSSL_cleanse(line, cap);
		free(line);
	}
	return ret;
}

/* Read each named secret: one bare line, lines, or a prompt each. */
static int
read_secrets(struct cmd_ctx *ctx, const char *p, bool from_stdin,
	     const char **named, size_t nnamed,
	     struct st_integration_value *vals, size_t *n, char **owned,
	     size_t *nowned, struct st_error *err)
{
	if (from_stdin && nnamed == 0)
		return read_secret_lines(ctx->in, p, vals, n, owned, nowned,
					 err);
	if (from_stdin && nnamed > 1) {
		st_error_set(err, ST_EUSAGE, "--secret-stdin reads one bare "
			     "value: name at most one secret switch");
		st_error_hint(err, "For several secrets name none and give "
			      "FIELD=VALUE lines on standard input.");
		return -1;
	}
	for (size_t i = 0; i < nnamed; i++) {
		char prompt[96];
		char *v;

		snprintf(prompt, sizeof(prompt), "%s %s: ", p, named[i]);
		v = cmd_read_secret(ctx->in, prompt, err);
		if (!v)
			return -1;
		owned[(*nowned)++] = v;
		vals[(*n)++] = (struct st_integration_value){ named[i], v };
	}
	return 0;
}

/*
 * Collect the field flags: plain ones with their values into vals, secret
 * switches into named[] (names from the field table).
 */
static int
collect_fields(struct cmd_args *args, const char *p,
	       struct st_integration_value *vals, size_t *n,
	       const char **named, size_t *nnamed, struct st_error *err)
{
	const struct cmd_flag *fl = args->entry->flags;

	for (int i = 0; fl[i].name; i++) {
		const struct st_integration_field *f;
		char *name;

		if (!args->values[i] || strcmp(fl[i].name, "tenant") == 0 ||
		    strcmp(fl[i].name, "secret-stdin") == 0)
			continue;
		name = field_of_flag(fl[i].name);
		f = st_integration_field(p, name);
		if (!f) {
			no_field(p, name, err);
			free(name);
			return -1;
		}
		free(name);
		if (f->secret)
			named[(*nnamed)++] = f->name;
		else
			vals[(*n)++] = (struct st_integration_value){
				f->name, args->values[i] };
	}
	return 0;
}

static int
cmd_integration_set(struct cmd_ctx *ctx, struct cmd_args *args,
		    struct st_error *err)
{
	struct st_integration_value vals[SET_VALUES_MAX];
	const char *named[SET_VALUES_MAX];
	char *owned[SET_VALUES_MAX];
	size_t n = 0, nnamed = 0, nowned = 0;
	struct st_crypto_key *key = NULL;
	const char *p = st_integration_provider(args->argv[0]);
	char *tenant_id = NULL;
	int ret = -1;

	if (!p) {
		st_error_set(err, ST_EUSAGE, "unknown provider \"%s\"",
			     args->argv[0]);
		st_error_hint(err, "Use one of " ST_INTEGRATION_PROVIDERS ".");
		return -1;
	}
	if (args->argc > 1) {
		/* never repeat the stray word: it may well be a secret */
		st_error_set(err, ST_EUSAGE, "integration set takes no value "
			     "after the provider");
		st_error_detail(err, "Secrets are read from standard input or "
				"a prompt, never from the command line, where "
				"ps(1) shows them.");
		st_error_hint(err, "Name the secret with its switch (e.g. "
			      "--api-token) and add --secret-stdin.");
		return -1;
	}
	if (collect_fields(args, p, vals, &n, named, &nnamed, err) < 0)
		return -1;
	if (n == 0 && nnamed == 0 && !cmd_arg(args, "secret-stdin")) {
		char *names = st_integration_field_names(p);

		st_error_set(err, ST_EUSAGE, "integration set needs at least "
			     "one field");
		st_error_hint(err, "The fields of %s are: %s.", p, names);
		free(names);
		return -1;
	}
	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		goto cleanup;
	if (read_secrets(ctx, p, cmd_arg(args, "secret-stdin") != NULL, named,
			 nnamed, vals, &n, owned, &nowned, err) < 0)
		goto cleanup;
	if (nowned && load_key(&key, err) < 0)
		goto cleanup;
	if (st_integration_set(ctx->db, tenant_id, p, vals, n, key, err) < 0)
		goto cleanup;
	/*
	 * The change is committed: if the result cannot be shown (a plain
	 * change made without the master key), the confirmation must not
	 * turn into a failure.
	 */
	if (show_one(ctx, tenant_id, p, err) < 0)
		st_error_init(err);
	st_table_set_message(ctx->out, "integration %s updated", p);
	ret = 0;
cleanup:
	for (size_t i = 0; i < nowned; i++)
		st_free_secret(owned[i]);
	st_crypto_key_free(key);
	free(tenant_id);
	return ret;
}

static int
set_active(struct cmd_ctx *ctx, struct cmd_args *args, bool active,
	   struct st_error *err)
{
	struct st_crypto_key *key = NULL;
	const char *p = st_integration_provider(args->argv[0]);
	char *tenant_id = NULL;
	bool changed = false;
	int ret = -1;

	if (cmd_tenant(ctx, args, &tenant_id, err) < 0)
		return -1;
	if (active && load_key(&key, err) < 0)
		goto cleanup;
	if (st_integration_set_active(ctx->db, tenant_id, args->argv[0],
				      active, key, &changed, err) < 0)
		goto cleanup;
	st_table_set_message(ctx->out, "integration %s %s%s", p,
			     changed ? "" : "was already ",
			     active ? "enabled" : "disabled");
	ret = 0;
cleanup:
	st_crypto_key_free(key);
	free(tenant_id);
	return ret;
}

static int
cmd_integration_enable(struct cmd_ctx *ctx, struct cmd_args *args,
		       struct st_error *err)
{
	return set_active(ctx, args, true, err);
}

static int
cmd_integration_disable(struct cmd_ctx *ctx, struct cmd_args *args,
			struct st_error *err)
{
	return set_active(ctx, args, false, err);
}

static void
test_table(struct st_table *t, const char *p, bool ok, const char *msg)
{
	st_table_add_col(t, "provider", ST_COL_TEXT);
	st_table_add_col(t, "ok", ST_COL_BOOL);
	st_table_add_col(t, "message", ST_COL_TEXT);
	st_table_add_row(t);
	st_table_set(t, 0, 0, p);
	st_table_set(t, 0, 1, ok ? "t" : "f");
	st_table_set(t, 0, 2, msg);
	t->single = true;
}

/*
 * A harmless authenticated call; its outcome is recorded in the
 * integration (last_test_*) whether it passed or not. A failure is the
 * command's error, carrying the provider's own message.
 */
static int
cmd_integration_test(struct cmd_ctx *ctx, struct cmd_args *args,
		     struct st_error *err)
{
	const char *p = st_integration_provider(args->argv[0]);
	struct st_crypto_key *key = NULL;
	struct st_provider prov = { 0 };
	struct st_error rerr;
	char *tenant_id = NULL, *summary = NULL;
	int ret = -1;

	if (!p) {
		st_error_set(err, ST_EUSAGE, "unknown provider \"%s\"",
			     args->argv[0]);
		st_error_hint(err, "Use one of " ST_INTEGRATION_PROVIDERS ".");
		return -1;
	}
	if (cmd_tenant(ctx, args, &tenant_id, err) < 0 ||
	    load_key(&key, err) < 0 ||
	    st_provider_open(ctx->db, tenant_id, p, key, &prov, err) < 0)
		goto cleanup;
	ret = st_provider_test(&prov, &summary, err);
	st_error_init(&rerr);
	if (st_integration_record_test(ctx->db, tenant_id, p, ret == 0,
				       ret == 0 ? summary : err->message,
				       &rerr) < 0) {
		if (ret == 0)
			*err = rerr;
		ret = -1;
		goto cleanup;
	}
	if (ret == 0) {
		test_table(ctx->out, p, true, summary);
		st_table_set_message(ctx->out, "integration %s test passed: %s",
				     p, summary);
	}
cleanup:
	st_provider_close(&prov);
	st_crypto_key_free(key);
	free(summary);
	free(tenant_id);
	return ret;
}

/* The new key: --new-key-file, else STRATO_NEW_MASTER_KEY_FILE. */
static struct st_crypto_key *
new_key_of(struct cmd_args *args, struct st_error *err)
{
	const char *path = cmd_arg(args, "new-key-file");

	if (!path)
		path = getenv("STRATO_NEW_MASTER_KEY_FILE");
	if (!path || !*path) {
		st_error_set(err, ST_EUSAGE, "integration rotate-key needs the "
			     "new key");
		st_error_hint(err, "Pass --new-key-file PATH or set "
			      "STRATO_NEW_MASTER_KEY_FILE.");
		return NULL;
	}
	return st_crypto_key_read_file(path, err);
}

static int
cmd_integration_rotate_key(struct cmd_ctx *ctx, struct cmd_args *args,
			   struct st_error *err)
{
	struct st_crypto_key *old_key = NULL, *new_key = NULL;
	size_t rotated = 0, skipped = 0;
	struct st_table *t = ctx->out;
	int ret = -1;

	old_key = st_crypto_key_from_env(err);
	if (!old_key || !(new_key = new_key_of(args, err)))
		goto cleanup;
	if (strcmp(old_key->id, new_key->id) == 0) {
		st_error_set(err, ST_EUSAGE, "the new key is the configured "
			     "key %s", old_key->id);
		goto cleanup;
	}
	if (st_integration_rotate_key(ctx->db, old_key, new_key, &rotated,
				      &skipped, err) < 0)
		goto cleanup;
	st_table_add_col(t, "rotated", ST_COL_NUMBER);
	st_table_add_col(t, "skipped", ST_COL_NUMBER);
	st_table_add_col(t, "old_key_id", ST_COL_TEXT);
	st_table_add_col(t, "new_key_id", ST_COL_TEXT);
	st_table_add_row(t);
	st_table_setf(t, 0, 0, "%zu", rotated);
	st_table_setf(t, 0, 1, "%zu", skipped);
	st_table_set(t, 0, 2, old_key->id);
	st_table_set(t, 0, 3, new_key->id);
	t->single = true;
	st_table_set_message(t, "re-encrypted %zu integration%s from key %s to "
			     "%s (%zu already under it); configure the new key "
			     "now", rotated, rotated == 1 ? "" : "s",
			     old_key->id, new_key->id, skipped);
	ret = 0;
cleanup:
	st_crypto_key_free(old_key);
	st_crypto_key_free(new_key);
	return ret;
}

static const struct cmd_flag tenant_flag[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ NULL, NULL, NULL },
};

/*
 * Every provider's fields, as flags: plain ones take a VALUE, secret ones
 * are switches whose value is read from standard input or a prompt.
 */
static const struct cmd_flag set_flags[] = {
	{ "tenant", "SLUG", "the tenant (platform admins)" },
	{ "secret-stdin", NULL, "read the secrets from standard input" },
	{ "api-token", NULL, "secret: MANYCHAT, UCHAT API token" },
	{ "webhook-token", NULL, "secret: MANYCHAT, UCHAT webhook token" },
	{ "api-key", NULL, "secret: ELEVENLABS API key" },
	{ "access-token", NULL, "secret: WHATSAPP access token" },
	{ "app-secret", NULL, "secret: WHATSAPP app secret" },
	{ "verify-token", NULL, "secret: WHATSAPP webhook verify token" },
	{ "voice-id", "ID", "ELEVENLABS voice" },
	{ "model-id", "ID", "ELEVENLABS model" },
	{ "output-format", "FMT", "ELEVENLABS audio format" },
	{ "phone-number-id", "ID", "WHATSAPP phone number id" },
	{ "waba-id", "ID", "WHATSAPP business account id" },
	{ "api-version", "VER", "WHATSAPP Graph API version" },
	{ "base-url", "URL", "any provider: API base URL (\"\" resets)" },
	{ "add-tag-path", "PATH", "UCHAT tag endpoint (unconfirmed)" },
	{ "remove-tag-path", "PATH", "UCHAT untag endpoint (unconfirmed)" },
	{ "media-type-field", "yes|no", "WHATSAPP upload sends \"type\"" },
	{ "max-per-second", "N", "campaign sends a second (0: no limit)" },
	{ "pair-burst", "N", "WHATSAPP messages to one recipient at once" },
	{ "pair-interval-s", "S", "WHATSAPP seconds per more to one recipient" },
	{ NULL, NULL, NULL },
};

static const struct cmd_flag rotate_flags[] = {
	{ "new-key-file", "PATH", "file with the new master key" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_integration_table[] = {
	{ "integration", "list", "ls", "", "List the tenant's provider "
	  "integrations.", 0, 0, 0, tenant_flag, cmd_integration_list },
	{ "integration", "show", NULL, "PROVIDER", "Show one integration, its "
	  "secrets masked.", 1, 1, 0, tenant_flag, cmd_integration_show },
	{ "integration", "set", NULL, "PROVIDER", "Set fields of an "
	  "integration; secrets come from standard input or a prompt.",
	  1, -1, CMD_MUTATES, set_flags, cmd_integration_set },
	{ "integration", "enable", NULL, "PROVIDER", "Enable an integration "
	  "whose required fields are set.", 1, 1, CMD_MUTATES, tenant_flag,
	  cmd_integration_enable },
	{ "integration", "disable", NULL, "PROVIDER", "Disable an "
	  "integration.", 1, 1, CMD_MUTATES, tenant_flag,
	  cmd_integration_disable },
	{ "integration", "test", NULL, "PROVIDER", "Check an integration "
	  "with a harmless call to its provider and record the result.",
	  1, 1, CMD_MUTATES, tenant_flag, cmd_integration_test },
	{ "integration", "rotate-key", NULL, "", "Re-encrypt every tenant's "
	  "secrets under a new master key (platform admins).", 0, 0,
	  CMD_MUTATES, rotate_flags, cmd_integration_rotate_key },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL },
};
