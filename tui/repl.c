/*
 * repl.c - scripts and the interactive shell.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "complete.h"
#include "output.h"
#include "repl.h"
#include "strato/log.h"
#include "strato/tenant.h"

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
		int r;

		ctx->out = &out;
		output_sigint_arm(ctx->db);
		r = cmd_run(ctx, argc, argv, &fmt, &err);
		output_sigint_arm(NULL);
		if (r == 0) {
			if (output_render(&out, fmt) == 0)
				ret = 0;
			else
				st_error_set(&err, ST_EIO, "cannot write the output");
		}
	}
done:
	if (ret < 0) {
		st_log_st_error(&err);
		ctx->last_error = err.code;
	}
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

	while (!ctx->quit && getline(&line, &cap, f) >= 0) {
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

static struct cmd_ctx *shell_ctx;
static char **completion_words; /* of the completion in progress */
static size_t ncompletion;

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

/* Live candidates may not start with text (a lead typed by name, completed
 * to its id): offer every candidate then, readline shows them. */
static char *
next_any(const char *text, int state)
{
	static size_t i;

	(void)text;
	if (state == 0)
		i = 0;
	if (completion_words && completion_words[i])
		return st_xstrdup(completion_words[i++]);
	return NULL;
}

static char **
complete(const char *text, int start, int end)
{
	char *before = st_xstrndup(rl_line_buffer, (size_t)start);
	char **m;

	(void)end;
	complete_free(completion_words);
	completion_words = complete_words(shell_ctx->db, shell_ctx->tenant_slug,
					  before, text);
	ncompletion = 0;
	while (completion_words[ncompletion])
		ncompletion++;
	free(before);
	rl_attempted_completion_over = 1;
	m = rl_completion_matches(text, next_word);
	if (!m && ncompletion && *text)
		m = rl_completion_matches(text, next_any);
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

/* login@tenant, then psql's transaction mark, then "> ". */
static char *
make_prompt(const struct cmd_ctx *ctx)
{
	return st_xasprintf("%s%s%s%s> ", st_db_login(ctx->db),
			    ctx->tenant_slug ? "@" : "",
			    ctx->tenant_slug ? ctx->tenant_slug : "",
			    st_db_state_marker(ctx->db));
}

static char *got_line;
static bool line_ready;

static void
on_line(char *line)
{
	got_line = line;
	line_ready = true;
	rl_callback_handler_remove(); /* no new prompt before the output */
}

/*
 * One line through readline's callback interface, so that Ctrl-C at the
 * prompt (a signal that interrupts select) clears the line and shows a new
 * prompt instead of ending the shell. NULL at end of input.
 */
static char *
read_line(const char *prompt)
{
	sigset_t block, old;

	/* SIGINT waits while readline works (a completion may be querying)
	 * and arrives only inside pselect, so no Ctrl-C is ever missed */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	line_ready = false;
	got_line = NULL;
	rl_callback_handler_install(prompt, on_line);
	while (!line_ready) {
		fd_set fds;
		int fd = fileno(rl_instream);

		FD_ZERO(&fds);
		FD_SET(fd, &fds);
		if (pselect(fd + 1, &fds, NULL, NULL, NULL, &old) < 0) {
			if (errno != EINTR)
				break;
			if (output_sigint_take()) {
				rl_free_line_state();
				rl_callback_sigcleanup();
				rl_replace_line("", 0);
				rl_crlf();
				rl_on_new_line();
				rl_redisplay();
			}
			continue;
		}
		rl_callback_read_char();
	}
	if (!line_ready)
		rl_callback_handler_remove();
	sigprocmask(SIG_SETMASK, &old, NULL);
	return got_line;
}

int
repl_interactive(struct cmd_ctx *ctx)
{
	char *hist = history_path();
	char *line;
	int failed = 0;

	shell_ctx = ctx;
	ctx->shell = true;
	rl_readline_name = "strato";
	rl_attempted_completion_function = complete;
	rl_catch_signals = 0; /* SIGINT is ours: it cancels queries */
	rl_initialize();      /* before rl_reset_screen_size() */
	using_history();
	if (hist && read_history(hist) != 0)
		write_history(hist); /* create it, so appends work */
	printf("strato %s: \"help\" lists the commands, Ctrl-C cancels, "
	       "Ctrl-D quits.\n", st_db_login(ctx->db));
	while (!ctx->quit) {
		char *prompt = make_prompt(ctx);

		rl_reset_screen_size();
		line = read_line(prompt);
		free(prompt);
		if (!line) {
			putchar('\n');
			break;
		}
		if (strcmp(line, "exit") == 0) {
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
		output_sigint_take(); /* a Ctrl-C that cancelled is spent */
		free(line);
	}
	complete_free(completion_words);
	completion_words = NULL;
	shell_ctx = NULL;
	free(hist);
	return failed;
}
