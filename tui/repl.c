/*
 * repl.c - scripts and the interactive shell.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "repl.h"
#include "strato/log.h"

void
repl_words_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

int
repl_split(const char *line, char ***out, struct st_error *err)
{
	char **argv = NULL;
	int argc = 0;
	const char *p = line;

	*out = NULL;
	for (;;) {
		struct st_buf w = ST_BUF_INIT;
		char quote = 0;
		bool any = false;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			break;
		for (; *p; p++) {
			if (quote) {
				if (*p == quote) {
					quote = 0;
				} else if (*p == '\\' && quote == '"' && p[1]) {
					st_buf_addch(&w, *++p);
				} else {
					st_buf_addch(&w, *p);
				}
				continue;
			}
			if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
				break;
			if (*p == '\'' || *p == '"') {
				quote = *p;
				any = true;
			} else if (*p == '\\' && p[1]) {
				st_buf_addch(&w, *++p);
			} else {
				st_buf_addch(&w, *p);
			}
		}
		if (quote) {
			st_buf_release(&w);
			repl_words_free(argv);
			st_error_set(err, ST_EUSAGE, "unterminated %s quote",
				     quote == '"' ? "double" : "single");
			return -1;
		}
		argv = st_xrealloc(argv, (size_t)(argc + 2) * sizeof(char *));
		argv[argc++] = any || w.len ? st_buf_detach(&w) : st_xstrdup("");
		argv[argc] = NULL;
		st_buf_release(&w);
	}
	if (!argv) {
		argv = st_xcalloc(1, sizeof(char *));
	}
	*out = argv;
	return argc;
}

int
repl_run_line(struct cmd_ctx *ctx, const char *line)
{
	struct st_table out;
	struct st_error err;
	enum st_format fmt = ST_FORMAT_TABLE;
	char **argv = NULL;
	int argc;
	int ret = -1;

	st_error_init(&err);
	st_table_init(&out);
	argc = repl_split(line, &argv, &err);
	if (argc == 0) {
		ret = 0;
		goto done;
	}
	if (argc > 0) {
		ctx->out = &out;
		if (cmd_run(ctx, argc, argv, &fmt, &err) == 0) {
			if (st_table_print(&out, out.ncols ? fmt : ST_FORMAT_TABLE,
					   stdout) == 0 && fflush(stdout) == 0)
				ret = 0;
			else
				st_error_set(&err, ST_EIO, "cannot write the output");
		}
	}
done:
	if (ret < 0)
		st_log_st_error(&err);
	st_table_release(&out);
	repl_words_free(argv);
	ctx->out = NULL;
	return ret;
}

int
repl_script(struct cmd_ctx *ctx, FILE *f, const char *name)
{
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	int failed = 0;

	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		if (repl_run_line(ctx, line) < 0) {
			failed = 1;
			st_log_error("%s:%ld: the command above failed", name, lineno);
		}
	}
	if (ferror(f)) {
		st_log_error("cannot read %s: %s", name, strerror(errno));
		failed = 1;
	}
	free(line);
	return failed;
}

/* ---- readline ---- */

static char **completion_words;

/* Words that may come next, from the command table and the line so far. */
static void
collect_words(const char *before)
{
	size_t n;
	const struct cmd_entry *const *all = cmd_all(&n);
	char **argv = NULL;
	struct st_error err;
	int argc = repl_split(before, &argv, &err);
	size_t count = 0;

	repl_words_free(completion_words);
	completion_words = st_xcalloc(n * 24 + 2, sizeof(char *));
	for (size_t i = 0; i < n && argc >= 0; i++) {
		const struct cmd_entry *e = all[i];
		bool dup = false;

		if (argc == 0) {
			for (size_t k = 0; k < count && !dup; k++)
				dup = strcmp(completion_words[k], e->noun) == 0;
			if (!dup)
				completion_words[count++] = st_xstrdup(e->noun);
		} else if (argc == 1 && e->verb && strcmp(argv[0], e->noun) == 0) {
			completion_words[count++] = st_xstrdup(e->verb);
		} else if (argc >= 2 && e->verb && strcmp(argv[0], e->noun) == 0 &&
			   strcmp(argv[1], e->verb) == 0) {
			for (const struct cmd_flag *f = e->flags; f && f->name; f++)
				completion_words[count++] =
					st_xasprintf("--%s", f->name);
			completion_words[count++] = st_xstrdup("--json");
			completion_words[count++] = st_xstrdup("--csv");
			completion_words[count++] = st_xstrdup("--help");
		}
	}
	repl_words_free(argv);
}

static char *
next_word(const char *text, int state)
{
	static size_t i;
	size_t len = strlen(text);

	if (state == 0)
		i = 0;
	while (completion_words && completion_words[i]) {
		const char *w = completion_words[i++];

		if (strncmp(w, text, len) == 0)
			return st_xstrdup(w);
	}
	return NULL;
}

static char **
complete(const char *text, int start, int end)
{
	char *before = st_xstrndup(rl_line_buffer, (size_t)start);
	char **m;

	(void)end;
	collect_words(before);
	free(before);
	rl_attempted_completion_over = 1;
	m = rl_completion_matches(text, next_word);
	return m;
}

static char *
history_path(void)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char *dir;

	if (state && *state)
		dir = st_xasprintf("%s/strato", state);
	else if (home && *home)
		dir = st_xasprintf("%s/.local/state/strato", home);
	else
		return NULL;
	/* mkdir -p, quietly: no history is no reason to fail */
	for (char *p = dir + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	mkdir(dir, 0700);
	{
		char *path = st_xasprintf("%s/history", dir);

		free(dir);
		return path;
	}
}

int
repl_interactive(struct cmd_ctx *ctx)
{
	char *hist = history_path();
	char *line;
	int failed = 0;

	rl_readline_name = "strato";
	rl_attempted_completion_function = complete;
	rl_initialize(); /* before rl_reset_screen_size() */
	using_history();
	if (hist && read_history(hist) != 0)
		write_history(hist); /* create it, so appends work */
	printf("strato %s: \"help\" lists the commands, Ctrl-D quits.\n",
	       st_db_login(ctx->db));
	for (;;) {
		char *prompt = st_xasprintf("%s%s%s> ", st_db_login(ctx->db),
					    ctx->tenant_slug ? "@" : "",
					    ctx->tenant_slug ? ctx->tenant_slug : "");

		rl_reset_screen_size();
		line = readline(prompt);
		free(prompt);
		if (!line) {
			putchar('\n');
			break;
		}
		if (strcmp(line, "quit") == 0 || strcmp(line, "exit") == 0) {
			free(line);
			break;
		}
		if (*line && *line != ' ') {
			add_history(line);
			if (hist)
				append_history(1, hist);
		}
		if (repl_run_line(ctx, line) < 0)
			failed = 1;
		free(line);
	}
	repl_words_free(completion_words);
	completion_words = NULL;
	free(hist);
	return failed;
}
