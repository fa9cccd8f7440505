/*
 * import.c - strato-etl import leads / export leads.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "etl.h"
#include "strato/import.h"
#include "strato/log.h"
#include "strato/tenant.h"

static void
import_usage(FILE *f)
{
	fputs("usage: strato-etl import leads --tenant SLUG [FILE | -]\n"
	      "           [--map 'Header=field,...'] [--default field=value]...\n"
	      "           [--mode create|update|upsert] [--match phone,email]\n"
	      "           [--delimiter auto|,|;|tab||] [--encoding auto|utf-8|"
	      "utf-16|windows-1252|latin1]\n"
	      "           [--rejects PATH] [--ignore-unknown] [--region CC]\n"
	      "           [--batch-size N] [--resume RUN_ID] [--dry-run] "
	      "[--json] [--quiet]\n"
	      "\n"
	      "Reads CSV from FILE or standard input. Exit status: 0 every row "
	      "imported,\n"
	      "3 some rows rejected (the rest imported), 1 fatal (nothing "
	      "imported), 2 usage.\n", f);
}

static void
export_usage(FILE *f)
{
	fputs("usage: strato-etl export leads --tenant SLUG [FILE | -]\n"
	      "           [--format csv|jsonl] [--where estado=E,tag=T,"
	      "since=DATE,origen=O]\n", f);
}

/* "<input>.rejects.csv" beside a file input (its .csv/.tsv/.txt dropped). */
static char *
rejects_beside(const char *path)
{
	size_t n = strlen(path);

	if (n > 4 && (strcmp(path + n - 4, ".csv") == 0 ||
		      strcmp(path + n - 4, ".tsv") == 0 ||
		      strcmp(path + n - 4, ".txt") == 0))
		n -= 4;
	return st_xasprintf("%.*s.rejects.csv", (int)n, path);
}

static void
on_progress(long long records, void *arg)
{
	(void)arg;
	if (isatty(STDERR_FILENO) && st_log_get_level() >= ST_LOG_INFO)
		fprintf(stderr, "\r%lld records read", records);
}

static void
print_summary(const struct st_import_summary *s, bool json, bool dry_run)
{
	if (json) {
		printf("{\"run_id\": %s%s%s, \"dry_run\": %s, \"read\": %lld, "
		       "\"inserted\": %lld, \"updated\": %lld, \"unchanged\": %lld, "
		       "\"skipped\": %lld, \"duplicates\": %lld, \"rejected\": %lld, "
		       "\"rejects_file\": %s%s%s, \"resumed_after_line\": %lld, "
		       "\"delimiter\": \"%s\", \"encoding\": \"%s\"}\n",
		       s->run_id[0] ? "\"" : "", s->run_id[0] ? s->run_id : "null",
		       s->run_id[0] ? "\"" : "", dry_run ? "true" : "false",
		       s->read, s->inserted, s->updated, s->unchanged, s->skipped,
		       s->duplicates, s->rejected,
		       s->rejects_written ? "\"" : "",
		       s->rejects_written ? s->rejects_path : "null",
		       s->rejects_written ? "\"" : "", s->resumed_after,
		       s->delimiter == '\t' ? "\\t" : (char[]){ (char)s->delimiter, 0 },
		       st_csv_encoding_name(s->encoding));
		return;
	}
	printf("%sread %lld, inserted %lld, updated %lld, unchanged %lld, "
	       "skipped %lld, duplicates in file %lld, rejected %lld\n",
	       dry_run ? "dry run (nothing changed): " : "", s->read, s->inserted,
	       s->updated, s->unchanged, s->skipped, s->duplicates, s->rejected);
	if (s->rejects_written)
		printf("rejected rows, with their line and reason: %s\n",
		       s->rejects_path);
	if (s->run_id[0])
		printf("import run %s (%s, %s)\n", s->run_id,
		       st_csv_encoding_name(s->encoding),
		       s->delimiter == '\t' ? "tab" :
		       (char[]){ (char)s->delimiter, 0 });
}

static int
parse_long(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < 1)
		return -1;
	*out = v;
	return 0;
}

int
etl_import(struct etl_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tenant", required_argument, NULL, 't' },
		{ "map", required_argument, NULL, 'm' },
		{ "default", required_argument, NULL, 'D' },
		{ "mode", required_argument, NULL, 'M' },
		{ "match", required_argument, NULL, 'k' },
		{ "delimiter", required_argument, NULL, 'd' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "rejects", required_argument, NULL, 'r' },
		{ "ignore-unknown", no_argument, NULL, 'i' },
		{ "region", required_argument, NULL, 'R' },
		{ "batch-size", required_argument, NULL, 'b' },
		{ "resume", required_argument, NULL, 'u' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct st_import_opts o;
	struct st_import_summary sum;
	struct st_error err;
	struct st_db *db = NULL;
	const char **defaults = NULL;
	const char *slug = NULL, *input = NULL;
	char *rejects = NULL, *tenant_id = NULL;
	bool json = false;
	int rc = ETL_EXIT_USAGE;
	int c;

	memset(&o, 0, sizeof(o));
	st_error_init(&err);
	o.match[0] = ST_MATCH_PHONE;
	o.match[1] = ST_MATCH_EMAIL;
	if (argc < 2 || strcmp(argv[1], "leads") != 0) {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
			import_usage(stdout);
			return ETL_EXIT_OK;
		}
		st_log_error("import what? (only \"import leads\" exists)");
		import_usage(stderr);
		return ETL_EXIT_USAGE;
	}
	argc--;
	argv++;
	argv[0] = (char *)"strato-etl import leads";
	defaults = st_xcalloc((size_t)argc + 1, sizeof(char *));
	while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		switch (c) {
		case 't': slug = optarg; break;
		case 'm': o.map = optarg; break;
		case 'D': defaults[o.ndefaults++] = optarg; break;
		case 'M':
			if (st_import_mode_parse(optarg, &o.mode) < 0) {
				st_log_error("--mode is create, update or upsert");
				goto done;
			}
			break;
		case 'k':
			if (st_import_match_parse(optarg, o.match) < 0) {
				st_log_error("--match takes phone, email or both "
					     "in order");
				goto done;
			}
			break;
		case 'd':
			if (st_csv_delimiter_parse(optarg, &o.csv.delimiter) < 0) {
				st_log_error("--delimiter is auto, ',', ';', tab "
					     "or '|'");
				goto done;
			}
			break;
		case 'e':
			if (st_csv_encoding_parse(optarg, &o.csv.encoding) < 0) {
				st_log_error("unknown encoding \"%s\"", optarg);
				goto done;
			}
			break;
		case 'r': rejects = st_xstrdup(optarg); break;
		case 'i': o.ignore_unknown = true; break;
		case 'R': o.region = optarg; break;
		case 'b':
			if (parse_long(optarg, &o.batch_size) < 0) {
				st_log_error("--batch-size takes a positive number");
				goto done;
			}
			break;
		case 'u': o.resume_run = optarg; break;
		case 'n': o.dry_run = true; break;
		case 'j': json = true; break;
		case 'q':
			st_log_setup("strato-etl", ST_LOG_WARN, st_log_get_format());
			break;
		case 'h': import_usage(stdout); rc = ETL_EXIT_OK; goto done;
		default: import_usage(stderr); goto done;
		}
	}
	if (optind < argc - 1) {
		st_log_error("one input at most (\"%s\" and \"%s\" given)",
			     argv[optind], argv[optind + 1]);
		goto done;
	}
	if (!slug) {
		st_log_error("import leads needs --tenant SLUG");
		goto done;
	}
	input = optind < argc ? argv[optind] : "-";
	o.defaults = defaults;
	if (strcmp(input, "-") == 0) {
		o.in = stdin;
		o.source = "stdin";
	} else {
		o.in = fopen(input, "rb");
		if (!o.in) {
			st_log_error("cannot open \"%s\": %s", input,
				     strerror(errno));
			rc = ETL_EXIT_ERROR;
			goto done;
		}
		o.source = input;
		if (!rejects && !o.dry_run)
			rejects = rejects_beside(input);
	}
	o.rejects_path = rejects;
	o.progress = on_progress;
	rc = ETL_EXIT_ERROR;
	db = etl_connect(ctx);
	if (!db)
		goto done;
	if (st_tenant_resolve(db, slug, &tenant_id, &err) < 0)
		goto done;
	if (st_import_leads(db, tenant_id, &o, &sum, &err) < 0) {
		if (isatty(STDERR_FILENO))
			fputc('\n', stderr);
		goto done;
	}
	if (isatty(STDERR_FILENO) && sum.read >= 10000 &&
	    st_log_get_level() >= ST_LOG_INFO)
		fputc('\n', stderr);
	print_summary(&sum, json, o.dry_run);
	if (fflush(stdout) != 0) {
		st_error_set(&err, ST_EIO, "cannot write the summary");
		goto done;
	}
	rc = sum.rejected ? ETL_EXIT_PARTIAL : ETL_EXIT_OK;
done:
	if (rc == ETL_EXIT_ERROR && err.message[0])
		st_log_st_error(&err);
	if (o.in && o.in != stdin)
		fclose(o.in);
	st_db_close(db);
	free(defaults);
	free(rejects);
	free(tenant_id);
	return rc;
}

/* --where estado=E,tag=T,since=D,origen=O */
static int
parse_where(char *w, struct st_export_opts *o)
{
	char *save = NULL;

	for (char *item = strtok_r(w, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');

		if (!eq)
			return -1;
		*eq = '\0';
		if (strcmp(item, "estado") == 0)
			o->estado = eq + 1;
		else if (strcmp(item, "tag") == 0)
			o->tag = eq + 1;
		else if (strcmp(item, "since") == 0)
			o->since = eq + 1;
		else if (strcmp(item, "origen") == 0)
			o->origen = eq + 1;
		else
			return -1;
	}
	return 0;
}

int
etl_export(struct etl_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tenant", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "where", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct st_export_opts o;
	struct st_error err;
	struct st_db *db = NULL;
	const char *slug = NULL;
	char *where = NULL, *tenant_id = NULL;
	long long rows = 0;
	int rc = ETL_EXIT_USAGE;
	int c;

	memset(&o, 0, sizeof(o));
	st_error_init(&err);
	if (argc < 2 || strcmp(argv[1], "leads") != 0) {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
			export_usage(stdout);
			return ETL_EXIT_OK;
		}
		st_log_error("export what? (only \"export leads\" exists)");
		export_usage(stderr);
		return ETL_EXIT_USAGE;
	}
	argc--;
	argv++;
	argv[0] = (char *)"strato-etl export leads";
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': slug = optarg; break;
		case 'f':
			if (strcmp(optarg, "csv") == 0)
				o.format = ST_EXPORT_CSV;
			else if (strcmp(optarg, "jsonl") == 0)
				o.format = ST_EXPORT_JSONL;
			else {
				st_log_error("--format is csv or jsonl");
				goto done;
			}
			break;
		case 'w':
			free(where);
			where = st_xstrdup(optarg);
			if (parse_where(where, &o) < 0) {
				st_log_error("--where takes estado=, tag=, since= "
					     "and origen=, comma-separated");
				goto done;
			}
			break;
		case 'h': export_usage(stdout); rc = ETL_EXIT_OK; goto done;
		default: export_usage(stderr); goto done;
		}
	}
	if (!slug) {
		st_log_error("export leads needs --tenant SLUG");
		goto done;
	}
	if (optind < argc - 1) {
		st_log_error("one output at most");
		goto done;
	}
	rc = ETL_EXIT_ERROR;
	if (optind < argc && strcmp(argv[optind], "-") != 0) {
		o.out = fopen(argv[optind], "w");
		if (!o.out) {
			st_log_error("cannot create \"%s\": %s", argv[optind],
				     strerror(errno));
			goto done;
		}
	} else {
		o.out = stdout;
	}
	db = etl_connect(ctx);
	if (!db)
		goto done;
	if (st_tenant_resolve(db, slug, &tenant_id, &err) < 0 ||
	    st_export_leads(db, tenant_id, &o, &rows, &err) < 0)
		goto done;
	st_log_info("exported %lld lead%s", rows, rows == 1 ? "" : "s");
	rc = ETL_EXIT_OK;
done:
	if (rc == ETL_EXIT_ERROR && err.message[0])
		st_log_st_error(&err);
	if (o.out && o.out != stdout && fclose(o.out) != 0 && rc == ETL_EXIT_OK) {
		st_log_error("cannot write \"%s\": %s", argv[optind],
			     strerror(errno));
		rc = ETL_EXIT_ERROR;
	}
	st_db_close(db);
	free(where);
	free(tenant_id);
	return rc;
}
