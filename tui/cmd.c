/*
 * cmd.c - finding a command in the table, parsing its flags, running it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"
#include "strato/tenant.h"

static const struct cmd_entry *const tables[] = {
	cmd_tenant_table,
	cmd_user_table,
	cmd_lead_table,
	cmd_property_table,
	cmd_visit_table,
	cmd_send_table,
	cmd_audit_table,
	cmd_campaign_table,
	cmd_template_table,
	cmd_assistant_table,
	cmd_integration_table,
	cmd_help_table,
	cmd_shell_table,
};

const struct cmd_entry *const *
cmd_all(size_t *n)
{
	static const struct cmd_entry **all;
	static size_t count;

	if (!all) {
		for (size_t t = 0; t < ST_ARRAY_SIZE(tables); t++)
			for (const struct cmd_entry *e = tables[t]; e->noun; e++)
				count++;
		all = st_xcalloc(count, sizeof(*all));
		count = 0;
		for (size_t t = 0; t < ST_ARRAY_SIZE(tables); t++)
			for (const struct cmd_entry *e = tables[t]; e->noun; e++)
				all[count++] = e;
	}
	*n = count;
	return all;
}

/* Matches of word among the distinct nouns; exact wins over prefix. */
static const char *
find_noun(const char *word, struct st_buf *cands)
{
	size_t n;
	const struct cmd_entry *const *all = cmd_all(&n);
	const char *found = NULL;
	int matches = 0;

	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i]->noun, word) == 0)
			return all[i]->noun;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(all[i]->noun, word, strlen(word)) != 0)
			continue;
		if (found && strcmp(found, all[i]->noun) == 0)
			continue;
		if (matches++)
			st_buf_addstr(cands, ", ");
		st_buf_addstr(cands, all[i]->noun);
		found = all[i]->noun;
	}
	return matches == 1 ? found : NULL;
}

static const struct cmd_entry *
find_verb(const char *noun, const char *word, struct st_buf *cands)
{
	size_t n;
	const struct cmd_entry *const *all = cmd_all(&n);
	const struct cmd_entry *found = NULL;
	int matches = 0;

	for (size_t i = 0; i < n; i++) {
		const struct cmd_entry *e = all[i];
		if (strcmp(e->noun, noun) == 0 && e->verb &&
		    (strcmp(e->verb, word) == 0 ||
		     (e->alias && strcmp(e->alias, word) == 0)))
			return e;
	}
	for (size_t i = 0; i < n; i++) {
		const struct cmd_entry *e = all[i];
		if (strcmp(e->noun, noun) != 0 || !e->verb ||
		    strncmp(e->verb, word, strlen(word)) != 0)
			continue;
		if (matches++)
			st_buf_addstr(cands, ", ");
		st_buf_addstr(cands, e->verb);
		found = e;
	}
	return matches == 1 ? found : NULL;
}

/* The entry of a noun without verbs (help), if it is one. */
static const struct cmd_entry *
verbless(const char *noun)
{
	size_t n;
	const struct cmd_entry *const *all = cmd_all(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i]->noun, noun) == 0 && !all[i]->verb)
			return all[i];
	return NULL;
}

static void
verbs_of(const char *noun, struct st_buf *b)
{
	size_t n;
	const struct cmd_entry *const *all = cmd_all(&n);
	int k = 0;

	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i]->noun, noun) == 0 && all[i]->verb)
			st_buf_addf(b, "%s%s", k++ ? ", " : "", all[i]->verb);
}

void
cmd_usage(const struct cmd_entry *e, struct st_buf *b)
{
	st_buf_addf(b, "usage: strato %s", e->noun);
	if (e->verb)
		st_buf_addf(b, " %s", e->verb);
	for (const struct cmd_flag *f = e->flags; f && f->name; f++) {
		if (f->arg)
			st_buf_addf(b, " [--%s %s]", f->name, f->arg);
		else
			st_buf_addf(b, " [--%s]", f->name);
	}
	if (e->args && *e->args)
		st_buf_addf(b, " %s", e->args);
	st_buf_addf(b, "\n\n%s\n", e->summary);
	if (e->flags && e->flags->name) {
		st_buf_addstr(b, "\noptions:\n");
		for (const struct cmd_flag *f = e->flags; f->name; f++) {
			char head[64];

			snprintf(head, sizeof(head), "--%s%s%s", f->name,
				 f->arg ? " " : "", f->arg ? f->arg : "");
			st_buf_addf(b, "  %-24s %s\n", head, f->help);
		}
	}
	st_buf_addstr(b, "  --json | --csv            output format\n");
}

const char *
cmd_arg(const struct cmd_args *a, const char *name)
{
	const struct cmd_flag *f = a->entry->flags;

	for (int i = 0; f && f[i].name; i++)
		if (strcmp(f[i].name, name) == 0)
			return a->values[i];
	return NULL;
}

const char *const *
cmd_arg_all(const struct cmd_args *a, const char *name, size_t *n)
{
	const struct cmd_flag *f = a->entry->flags;

	*n = 0;
	for (int i = 0; f && f[i].name; i++)
		if (strcmp(f[i].name, name) == 0) {
			*n = a->nall[i];
			return a->all[i];
		}
	return NULL;
}

int
cmd_tenant(struct cmd_ctx *ctx, const struct cmd_args *args, char **tenant_id,
	   struct st_error *err)
{
	const char *slug = cmd_arg(args, "tenant");

	return st_tenant_resolve(ctx->db, slug ? slug : ctx->tenant_slug,
				 tenant_id, err);
}

static int usage_error(const struct cmd_entry *e, struct st_error *err,
		       const char *fmt, ...) ST_PRINTF(3, 4);

static int
usage_error(const struct cmd_entry *e, struct st_error *err, const char *fmt,
	    ...)
{
	struct st_buf b = ST_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	st_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	st_error_set(err, ST_EUSAGE, "%s", b.data);
	st_buf_reset(&b);
	cmd_usage(e, &b);
	st_error_hint(err, "%.*s", (int)strcspn(b.data, "\n"), b.data);
	st_buf_release(&b);
	return -1;
}

/*
 * The server's "permission denied for table lead" names a table, not what
 * the user lacks: say which kind of login the command needs, and what this
 * one is.
 */
static void
explain_refusal(struct cmd_ctx *ctx, const struct cmd_entry *e,
		struct st_error *err)
{
	const char *is;

	if (!err || strcmp(err->sqlstate, "42501") != 0 || err->hint[0] ||
	    !ctx->db)
		return;
	if (st_db_is_service(ctx->db))
		is = "a platform admin";
	else if (st_db_is_tenant_admin(ctx->db))
		is = "a tenant admin";
	else if (st_db_login_tenant(ctx->db))
		is = "an agent";
	else
		is = "not a STRATO user";
	st_error_hint(err, "\"%s %s\" needs %s; login \"%s\" is %s.",
		      e->noun, e->verb ? e->verb : "",
		      st_db_login_tenant(ctx->db) && !st_db_is_tenant_admin(ctx->db)
		      ? "a tenant admin" : "more privileges",
		      st_db_login(ctx->db), is);
}

/* Flag k's value v; a repeatable flag ("TAG...") given again joins. */
static void
set_value(const struct cmd_entry *e, struct cmd_args *a, int k, const char *v)
{
	const char *m = e->flags[k].arg;
	size_t n = strlen(m);
	char *j;

	if (!a->values[k] || n < 3 || strcmp(m + n - 3, "...") != 0) {
		a->values[k] = v;
		return;
	}
	j = st_xasprintf("%s,%s", a->values[k], v);
	free(a->joined[k]);
	a->joined[k] = j;
	a->values[k] = j;
}

/* Parse flags and positional arguments after the verb. */
static int
parse_args(const struct cmd_entry *e, int argc, char **argv,
	   struct cmd_args *a, bool *help, struct st_error *err)
{
	bool only_pos = false;

	a->argv = st_xcalloc((size_t)argc + 1, sizeof(char *));
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		const char *eq;
		size_t len;
		int k;

		if (only_pos || w[0] != '-' || w[1] != '-' ) {
			if (!only_pos && w[0] == '-' && w[1] != '\0' &&
			    !(e->opts & CMD_DASH_ARGS))
				return usage_error(e, err, "unknown option "
						   "\"%s\"", w);
			a->argv[a->argc++] = argv[i];
			continue;
		}
		if (w[2] == '\0') {
			only_pos = true;
			continue;
		}
		w += 2;
		if (strcmp(w, "help") == 0) {
			*help = true;
			continue;
		}
		if (strcmp(w, "json") == 0 || strcmp(w, "csv") == 0) {
			a->format = w[0] == 'j' ? ST_FORMAT_JSON : ST_FORMAT_CSV;
			continue;
		}
		eq = strchr(w, '=');
		len = eq ? (size_t)(eq - w) : strlen(w);
		for (k = 0; e->flags && e->flags[k].name; k++)
			if (strlen(e->flags[k].name) == len &&
			    strncmp(e->flags[k].name, w, len) == 0)
				break;
		if (!e->flags || !e->flags[k].name)
			return usage_error(e, err, "unknown option \"%s\"",
					   argv[i]);
		if (!e->flags[k].arg) {
			if (eq)
				return usage_error(e, err, "option \"--%s\" takes "
						   "no value", e->flags[k].name);
			a->values[k] = "";
		} else if (!eq && i + 1 >= argc) {
			return usage_error(e, err, "option \"--%s\" needs a "
					   "value", e->flags[k].name);
		} else {
			const char *v = eq ? eq + 1 : argv[++i];

			set_value(e, a, k, v);
			a->all[k] = st_xrealloc(a->all[k], (a->nall[k] + 1) *
						sizeof(*a->all[k]));
			a->all[k][a->nall[k]++] = v;
		}
	}
	return 0;
}

bool
cmd_needs_db(int argc, char **argv)
{
	struct st_buf cands = ST_BUF_INIT;
	const char *noun;
	const struct cmd_entry *e;
	bool needs = true;

	if (argc < 1)
		return false;
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0)
			return false;
	noun = find_noun(argv[0], &cands);
	if (!noun) {
		needs = false; /* an error, reported without connecting */
	} else if ((e = verbless(noun)) != NULL) {
		needs = !(e->opts & CMD_NO_DB);
	} else if (argc < 2) {
		needs = false;
	} else {
		st_buf_reset(&cands);
		e = find_verb(noun, argv[1], &cands);
		needs = e && !(e->opts & CMD_NO_DB);
	}
	st_buf_release(&cands);
	return needs;
}

int
cmd_run(struct cmd_ctx *ctx, int argc, char **argv, enum st_format *format,
	struct st_error *err)
{
	struct st_buf cands = ST_BUF_INIT;
	struct cmd_args a;
	const struct cmd_entry *e = NULL;
	const char *noun;
	bool help = false;
	int rest;
	int ret = -1;

	memset(&a, 0, sizeof(a));
	*format = ST_FORMAT_TABLE;
	if (argc < 1) {
		st_error_set(err, ST_EUSAGE, "no command given");
		st_error_hint(err, "Try \"strato help\".");
		goto cleanup;
	}
	noun = find_noun(argv[0], &cands);
	if (!noun) {
		st_error_set(err, ST_EUSAGE, cands.len ? "ambiguous command "
			     "\"%s\"" : "unknown command \"%s\"", argv[0]);
		if (cands.len)
			st_error_hint(err, "It could be: %s.", cands.data);
		else
			st_error_hint(err, "Try \"strato help\".");
		goto cleanup;
	}
	e = verbless(noun);
	rest = 1;
	if (!e) {
		if (argc < 2 || strcmp(argv[1], "--help") == 0) {
			st_buf_reset(&cands);
			verbs_of(noun, &cands);
			st_error_set(err, ST_EUSAGE, "\"%s\" needs a verb", noun);
			st_error_hint(err, "One of: %s.", cands.data);
			goto cleanup;
		}
		st_buf_reset(&cands);
		e = find_verb(noun, argv[1], &cands);
		if (!e) {
			st_error_set(err, ST_EUSAGE, "%s \"%s %s\"", cands.len ?
				     "ambiguous command" : "unknown command",
				     noun, argv[1]);
			if (!cands.len)
				verbs_of(noun, &cands);
			st_error_hint(err, "%s: %s.", cands.len ? "It could be"
				      : "Verbs", cands.data);
			goto cleanup;
		}
		rest = 2;
	}
	a.entry = e;
	if (parse_args(e, argc - rest, argv + rest, &a, &help, err) < 0)
		goto cleanup;
	*format = a.format;
	if (help) {
		st_buf_reset(&cands);
		cmd_usage(e, &cands);
		st_table_set_message(ctx->out, "%s", cands.data);
		ret = 0;
		goto cleanup;
	}
	if (a.argc < e->min_args || (e->max_args >= 0 && a.argc > e->max_args)) {
		usage_error(e, err, "too %s arguments for \"%s\"",
			    a.argc < e->min_args ? "few" : "many",
			    e->verb ? e->verb : e->noun);
		goto cleanup;
	}
	if ((e->opts & CMD_MUTATES) && ctx->readonly) {
		st_error_set(err, ST_EPERM, "\"%s %s\" changes data and the "
			     "console is read-only", e->noun, e->verb);
		goto cleanup;
	}
	if (!(e->opts & CMD_NO_DB) && !ctx->db) {
		st_error_set(err, ST_EINTERNAL, "no database connection");
		goto cleanup;
	}
	ret = e->exec(ctx, &a, err);
	if (ret < 0)
		explain_refusal(ctx, e, err);
cleanup:
	free(a.argv);
	for (int i = 0; i < CMD_FLAGS_MAX; i++) {
		free(a.joined[i]);
		free(a.all[i]);
	}
	st_buf_release(&cands);
	return ret;
}

/*
 * Read one line from f. On a terminal, echo is turned off and the prompt
 * goes to stderr. The trailing newline is dropped; an empty line is an
 * error, since an empty secret is never what anyone means.
 */
char *
cmd_read_secret(FILE *f, const char *prompt, struct st_error *err)
{
	struct termios old, quiet;
	bool tty = isatty(fileno(f));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		/*
		 * Echo off (dropping any typeahead) before the prompt shows:
		 * what is typed once it is visible must not be flushed.
		 */
		tcgetattr(fileno(f), &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(f), TCSAFLUSH, &quiet);
		fprintf(stderr, "%s", prompt);
		fflush(stderr);
	}
	n = getline(&line, &cap, f);
	if (tty) {
		tcsetattr(fileno(f), TCSANOW, &old);
		fputc('\n', stderr);
	}
	if (n < 0) {
		free(line);
		st_error_set(err, ST_EIO, "no secret on standard input");
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n == 0) {
		st_free_secret(line);
		st_error_set(err, ST_EINVAL, "the secret read is empty");
		return NULL;
	}
	return line;
}

/*
 * The --limit flag as a number from 1 to max in *out (0 when absent);
 * anything else is a usage error naming the range.
 */
int
cmd_limit(const struct cmd_args *args, int max, int *out,
	  struct st_error *err)
{
	const char *s = cmd_arg(args, "limit");
	char *end = NULL;
	long v;

	*out = 0;
	if (!s)
		return 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end || v < 1 || v > max) {
		st_error_set(err, ST_EUSAGE, "--limit takes 1 to %d", max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/*
 * The entry argv names (noun and verb by name, alias or unique prefix),
 * or NULL: for a front end that must know what a line would run before
 * running it (the TUI's confirmations).
 */
const struct cmd_entry *
cmd_find(int argc, char **argv)
{
	struct st_buf cands = ST_BUF_INIT;
	const struct cmd_entry *e = NULL;
	const char *noun;

	if (argc < 1)
		return NULL;
	noun = find_noun(argv[0], &cands);
	if (noun)
		e = verbless(noun);
	if (noun && !e && argc >= 2)
		e = find_verb(noun, argv[1], &cands);
	st_buf_release(&cands);
	return e;
}
