/*
 * main.c - strato-etl: global options and the subcommand table.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etl.h"
#include "strato/log.h"

#ifndef ST_VERSION
#define ST_VERSION "0.1.0"
#endif

static const struct {
	const char *name;
	int (*fn)(struct etl_ctx *ctx, int argc, char **argv);
	const char *summary;
} subcommands[] = {
	{ "migrate", etl_migrate,
	  "apply or revert schema migrations (status | up | down)" },
	{ "legacy", etl_legacy,
	  "move a single-tenant install into a default tenant" },
	{ "import", etl_import, "import leads from CSV (a file or a pipe)" },
	{ "export", etl_export, "export leads as CSV or JSON lines" },
	{ "ingest", etl_ingest, "take webhook events (manychat | uchat | "
	  "whatsapp)" },
	{ "outbox", etl_outbox, "deliver queued messages (run | requeue)" },
	{ "campaigns", etl_campaigns, "send the due campaigns (run)" },
};

static void
usage(FILE *f)
{
	fputs("usage: strato-etl [--db CONNINFO] [--quiet | --verbose]\n"
	      "                  [--log-format text|json] SUBCOMMAND [ARGS...]\n"
	      "       strato-etl --version\n\nsubcommands:\n", f);
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fputs("\nSee strato-etl(1). \"strato-etl SUBCOMMAND --help\" for "
	      "details.\n", f);
}

struct st_db *
etl_connect(struct etl_ctx *ctx)
{
	struct st_error err;
	struct st_db *db = st_db_connect(ctx->conninfo, &err);

	if (!db)
		st_log_st_error(&err);
	return db;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "log-format", required_argument, NULL, 'L' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct etl_ctx ctx = { NULL };
	enum st_log_level level = ST_LOG_INFO;
	enum st_log_format logfmt = ST_LOG_TEXT;
	int c;

	while ((c = getopt_long(argc, argv, "+qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': ctx.conninfo = optarg; break;
		case 'q': level = ST_LOG_WARN; break;
		case 'v': level = ST_LOG_DEBUG; break;
		case 'L':
			if (st_log_parse_format(optarg, &logfmt) < 0) {
				fprintf(stderr, "strato-etl: invalid log format "
					"\"%s\" (text or json)\n", optarg);
				return ETL_EXIT_USAGE;
			}
			break;
		case 'V':
			printf("strato-etl %s\n", ST_VERSION);
			return ETL_EXIT_OK;
		case 'h':
			usage(stdout);
			return ETL_EXIT_OK;
		default:
			usage(stderr);
			return ETL_EXIT_USAGE;
		}
	}
	st_log_setup("strato-etl", level, logfmt);
	if (optind >= argc) {
		usage(stderr);
		return ETL_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[optind], subcommands[i].name) == 0) {
			char **sub = argv + optind;
			int n = argc - optind;

			optind = 0; /* glibc: start afresh, with its own ordering */
			return subcommands[i].fn(&ctx, n, sub);
		}
	fprintf(stderr, "strato-etl: error: unknown subcommand \"%s\"\n",
		argv[optind]);
	usage(stderr);
	return ETL_EXIT_USAGE;
}
