/*
 * ingest.c - strato-etl ingest manychat|uchat|whatsapp: webhook events
 * (JSON lines, or every file of a spool directory) into leads,
 * conversations and messages, with the assistant's reply sent.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "etl.h"
#include "strato/ingest.h"
#include "strato/log.h"
#include "strato/tenant.h"
#include "strato/util.h"

static void
ingest_usage(FILE *f)
{
	fputs("usage: strato-etl ingest manychat|uchat|whatsapp "
	      "[--tenant SLUG]\n"
	      "           [--spool DIR] [--require-signature] [--no-reply | "
	      "--no-send]\n"
	      "           [--rejects PATH] [--json] [FILE | -]\n"
	      "\n"
	      "Reads webhook events, one per line: the raw body, or an "
	      "envelope\n"
	      "{\"headers\": {...}, \"body\": \"<raw body>\"}. --spool DIR "
	      "takes every file of DIR\n"
	      "and moves it to DIR/done (DIR/failed when a line was "
	      "rejected).\n"
	      "WhatsApp events are checked against X-Hub-Signature-256 when "
	      "they carry it;\n"
	      "ManyChat and UChat events need the integration's "
	      "webhook_token.\n"
	      "The assistant's replies are stored as outbound messages and "
	      "sent at once\n"
	      "through the lead's channel (with the master key in "
	      "STRATO_MASTER_KEY_FILE\n"
	      "or STRATO_MASTER_KEY); one that cannot go now stays QUEUED "
	      "for\n"
	      "\"strato-etl outbox run\". --no-send leaves them all QUEUED; "
	      "--no-reply\n"
	      "stores the events without answering.\n"
	      "Exit status: 0 every event taken, 3 some rejected, 1 fatal, 2 "
	      "usage.\n", f);
}

static void
print_summary(const struct st_ingest_summary *s, const char *rejects,
	      bool json)
{
	if (json) {
		printf("{\"events\": %lld, \"messages\": %lld, "
		       "\"duplicates\": %lld, \"statuses\": %lld, "
		       "\"unmatched_statuses\": %lld, "
		       "\"provider_errors\": %lld, \"leads_created\": %lld, "
		       "\"replies_queued\": %lld, \"replies_sent\": %lld, "
		       "\"reply_errors\": %lld, "
		       "\"rejected\": %lld, "
		       "\"rejects_file\": %s%s%s}\n", s->lines, s->messages,
		       s->duplicates, s->statuses, s->unmatched, s->errors,
		       s->leads_new, s->replies, s->replies_sent,
		       s->reply_errors, s->rejected,
		       rejects && s->rejected ? "\"" : "",
		       rejects && s->rejected ? rejects : "null",
		       rejects && s->rejected ? "\"" : "");
		return;
	}
	printf("events %lld, messages %lld, duplicates %lld, statuses %lld "
	       "(unmatched %lld), provider errors %lld, leads created %lld, "
	       "replies %lld (sent %lld), rejected %lld\n", s->lines,
	       s->messages, s->duplicates, s->statuses, s->unmatched,
	       s->errors, s->leads_new, s->replies, s->replies_sent,
	       s->rejected);
	if (s->reply_errors)
		printf("%lld stored event(s) got no reply; the last failure: "
		       "%s\n", s->reply_errors, s->reply_error);
	if (rejects && s->rejected)
		printf("rejected events, with their line and reason: %s\n",
		       rejects);
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
only_files(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Move DIR/name to DIR/sub/name, creating sub. */
static int
archive(const char *dir, const char *sub, const char *name)
{
	char *to = st_xasprintf("%s/%s", dir, sub);
	char *from = st_xasprintf("%s/%s", dir, name);
	char *dest = st_xasprintf("%s/%s/%s", dir, sub, name);
	int ret = 0;

	if ((mkdir(to, 0750) < 0 && errno != EEXIST) ||
	    rename(from, dest) < 0) {
		st_log_error("cannot move \"%s\" to %s/: %s", from, sub,
			     strerror(errno));
		ret = -1;
	}
	free(to);
	free(from);
	free(dest);
	return ret;
}

/* Every regular file of dir, in name order; archived as it goes. */
static int
run_spool(struct st_ingest *in, const char *dir,
	  struct st_ingest_summary *sum, struct st_error *err)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, only_files, by_name);
	int ret = 0;

	if (n < 0) {
		st_error_set(err, ST_EIO, "cannot read spool \"%s\": %s", dir,
			     strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *path = st_xasprintf("%s/%s", dir, names[i]->d_name);
		long long before = sum->rejected;
		struct stat stt;
		FILE *f = NULL;

		if (ret == 0 && stat(path, &stt) == 0 && S_ISREG(stt.st_mode) &&
		    (f = fopen(path, "rb"))) {
			st_ingest_set_input(in, names[i]->d_name);
			ret = st_ingest_stream(in, f, sum, err);
			fclose(f);
			if (ret == 0 && archive(dir, sum->rejected > before ?
				"failed" : "done", names[i]->d_name) < 0)
				ret = -1;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return ret;
}

struct ingest_args {
	struct st_ingest_opts o;
	const char *slug, *spool, *rejects, *input;
	bool json;
};

/* Parse argv into a; ETL_EXIT_OK to go on, else the exit status. */
static int
parse_args(int argc, char **argv, struct ingest_args *a)
{
	static const struct option opts[] = {
		{ "tenant", required_argument, NULL, 't' },
		{ "spool", required_argument, NULL, 's' },
		{ "require-signature", no_argument, NULL, 'S' },
		{ "no-reply", no_argument, NULL, 'n' },
		{ "no-send", no_argument, NULL, 'N' },
		{ "rejects", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		ingest_usage(stdout);
		return -1;
	}
	if (argc < 2 || st_ingest_source_parse(argv[1], &a->o.source) < 0) {
		st_log_error("ingest from where? (manychat, uchat or "
			     "whatsapp)");
		ingest_usage(stderr);
		return ETL_EXIT_USAGE;
	}
	argc--;
	argv++;
	argv[0] = (char *)"strato-etl ingest";
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': a->slug = optarg; break;
		case 's': a->spool = optarg; break;
		case 'S': a->o.require_signature = true; break;
		case 'n': a->o.no_reply = true; break;
		case 'N': a->o.no_send = true; break;
		case 'r': a->rejects = optarg; break;
		case 'j': a->json = true; break;
		case 'h': ingest_usage(stdout); return -1;
		default: ingest_usage(stderr); return ETL_EXIT_USAGE;
		}
	}
	if (optind < argc - 1 || (a->spool && optind < argc)) {
		st_log_error("one input at most: a FILE, \"-\" or --spool DIR");
		return ETL_EXIT_USAGE;
	}
	a->input = optind < argc ? argv[optind] : "-";
	return ETL_EXIT_OK;
}

static int
run_input(struct st_ingest *in, const struct ingest_args *a,
	  struct st_ingest_summary *sum, struct st_error *err)
{
	FILE *f = stdin;
	int ret;

	if (a->spool)
		return run_spool(in, a->spool, sum, err);
	if (strcmp(a->input, "-") != 0 && !(f = fopen(a->input, "rb"))) {
		st_error_set(err, ST_EIO, "cannot open \"%s\": %s", a->input,
			     strerror(errno));
		return -1;
	}
	ret = st_ingest_stream(in, f, sum, err);
	if (f != stdin)
		fclose(f);
	return ret;
}

/* strato-etl ingest SOURCE ...: options, connect, run, summary. */
int
etl_ingest(struct etl_ctx *ctx, int argc, char **argv)
{
	struct ingest_args a;
	struct st_ingest_summary sum;
	struct st_error err;
	struct st_db *db = NULL;
	struct st_ingest *in = NULL;
	char *tenant_id = NULL;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&sum, 0, sizeof(sum));
	st_error_init(&err);
	rc = parse_args(argc, argv, &a);
	if (rc != ETL_EXIT_OK)
		return rc < 0 ? ETL_EXIT_OK : rc;
	rc = ETL_EXIT_ERROR;
	if (a.rejects && !(a.o.rejects = fopen(a.rejects, "w"))) {
		st_log_error("cannot create \"%s\": %s", a.rejects,
			     strerror(errno));
		goto done;
	}
	db = etl_connect(ctx);
	if (!db)
		goto done;
	if (a.slug && st_tenant_resolve(db, a.slug, &tenant_id, &err) < 0)
		goto done;
	a.o.tenant_id = tenant_id;
	in = st_ingest_new(db, &a.o, &err);
	if (!in || run_input(in, &a, &sum, &err) < 0)
		goto done;
	print_summary(&sum, a.rejects, a.json);
	if (fflush(stdout) != 0) {
		st_error_set(&err, ST_EIO, "cannot write the summary");
		goto done;
	}
	rc = sum.rejected ? ETL_EXIT_PARTIAL : ETL_EXIT_OK;
done:
	if (rc == ETL_EXIT_ERROR && err.message[0])
		st_log_st_error(&err);
	if (a.o.rejects && fclose(a.o.rejects) != 0 && rc != ETL_EXIT_ERROR) {
		st_log_error("cannot write \"%s\"", a.rejects);
		rc = ETL_EXIT_ERROR;
	}
	st_ingest_free(in);
	st_db_close(db);
	free(tenant_id);
	return rc;
}
