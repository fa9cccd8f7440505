/*
 * main.c - strato, the STRATO console: global options, connection, one
 * command, its rendering and the exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "output.h"
#include "repl.h"
#include "tui.h"
#include "strato/db.h"
#include "strato/log.h"
#include "strato/table.h"

#ifndef ST_VERSION
#define ST_VERSION "0.1.0"
#endif

enum { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

static void
usage(FILE *f)
{
	fputs("usage: strato [--db CONNINFO] [--tenant SLUG] [--readonly]\n"
	      "              [--quiet | --verbose] [--log-format text|json]\n"
	      "              COMMAND [ARGS...] [--json | --csv]\n"
	      "       strato [options] [tui]        the full-screen console\n"
	      "       strato [options] shell        the interactive shell\n"
	      "       strato [options] -c 'COMMAND' | -f FILE | < FILE\n"
	      "       strato help [NOUN [VERB]]\n"
	      "       strato --version\n"
	      "\n"
	      "The STRATO console. Commands are NOUN VERB, e.g. \"strato tenant "
	      "list\".\n"
	      "The connection comes from --db, else DATABASE_URL, else libpq's "
	      "PG*\n"
	      "variables, ~/.pgpass and PGSERVICE. See strato(1).\n", f);
}

/* -c, -f, a script on standard input, the shell, or the TUI. */
static int
run_lines(struct cmd_ctx *ctx, const char *conninfo, const char *command,
	  const char *script, bool shell)
{
	struct st_error err;
	int ret;

	ctx->shell = true; /* "use" works in scripts too */
	ctx->db = st_db_connect(conninfo, &err);
	if (!ctx->db) {
		st_log_st_error(&err);
		return EXIT_ERROR;
	}
	if (command) {
		/* one line: the exit status of a one-shot command */
		output_sigint_take();
		ret = repl_run_line(ctx, command) < 0 ? EXIT_ERROR : EXIT_OK;
		if (ret && ctx->last_error == ST_EUSAGE)
			ret = EXIT_USAGE;
		if (ret && output_sigint_take())
			ret = EXIT_INTERRUPTED;
		st_db_close(ctx->db);
		free(ctx->use_slug);
		return ret;
	} else if (script) {
		FILE *f = strcmp(script, "-") == 0 ? stdin : fopen(script, "r");

		if (!f) {
			st_log_error("cannot open \"%s\": %s", script,
				     strerror(errno));
			ret = EXIT_ERROR;
		} else {
			ret = repl_script(ctx, f, script);
			if (f != stdin)
				fclose(f);
		}
	} else if (isatty(STDIN_FILENO) && (shell || !isatty(STDOUT_FILENO))) {
		ret = repl_interactive(ctx);
	} else if (isatty(STDIN_FILENO)) {
		ret = tui_run(ctx) < 0;
		if (ret)
			st_log_error("cannot start the full-screen console "
				     "(TERM=%s)", getenv("TERM") ? getenv("TERM")
				     : "unset");
	} else {
		ret = repl_script(ctx, stdin, "stdin");
	}
	st_db_close(ctx->db);
	free(ctx->use_slug);
	return ret ? EXIT_ERROR : EXIT_OK;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "tenant", required_argument, NULL, 't' },
		{ "readonly", no_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "log-format", required_argument, NULL, 'L' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ "command", required_argument, NULL, 'c' },
		{ "file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *command = NULL, *script = NULL;
	const char *conninfo = NULL;
	enum st_log_level level = ST_LOG_WARN;
	enum st_log_format logfmt = ST_LOG_TEXT;
	struct cmd_ctx ctx;
	struct st_table out;
	struct st_error err;
	enum st_format fmt = ST_FORMAT_TABLE;
	int c;
	int ret = EXIT_ERROR;

	memset(&ctx, 0, sizeof(ctx));
	st_error_init(&err);
	while ((c = getopt_long(argc, argv, "+qvhc:f:", opts, NULL)) != -1) {
		switch (c) {
		case 'd': conninfo = optarg; break;
		case 't': ctx.tenant_slug = optarg; break;
		case 'r': ctx.readonly = true; break;
		case 'q': level = ST_LOG_ERROR; break;
		case 'v': level = ST_LOG_DEBUG; break;
		case 'L':
			if (st_log_parse_format(optarg, &logfmt) < 0) {
				fprintf(stderr, "strato: invalid log format "
					"\"%s\" (text or json)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c': command = optarg; break;
		case 'f': script = optarg; break;
		case 'V':
			printf("strato %s\n", ST_VERSION);
			return EXIT_OK;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	st_log_setup("strato", level, logfmt);
	argc -= optind;
	argv += optind;
	ctx.in = stdin;
	output_sigint_install();
	/* Line by line: -c, -f, "shell", "tui", or no command at all. */
	if (argc == 1 && strcmp(argv[0], "tui") == 0 &&
	    (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		st_log_error("\"strato tui\" needs a terminal");
		return EXIT_USAGE;
	}
	if (command || script || argc == 0 ||
	    (argc == 1 && (strcmp(argv[0], "shell") == 0 ||
			   strcmp(argv[0], "tui") == 0)))
		return run_lines(&ctx, conninfo, command, script,
				 argc == 1 && strcmp(argv[0], "shell") == 0);
	st_table_init(&out);
	ctx.out = &out;
	if (cmd_needs_db(argc, argv)) {
		ctx.db = st_db_connect(conninfo, &err);
		if (!ctx.db)
			goto cleanup;
	}
	output_sigint_arm(ctx.db);
	if (cmd_run(&ctx, argc, argv, &fmt, &err) < 0)
		goto cleanup;
	output_sigint_arm(NULL);
	if (output_render(&out, fmt) < 0) {
		st_error_set(&err, ST_EIO, "cannot write the output");
		goto cleanup;
	}
	ret = EXIT_OK;
cleanup:
	if (ret != EXIT_OK) {
		output_sigint_arm(NULL);
		st_log_st_error(&err);
		if (err.code == ST_EUSAGE)
			ret = EXIT_USAGE;
		if (output_sigint_take())
			ret = EXIT_INTERRUPTED;
	}
	st_table_release(&out);
	st_db_close(ctx.db);
	return ret;
}
