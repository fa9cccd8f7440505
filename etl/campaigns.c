/*
 * campaigns.c - strato-etl campaigns run: send every due campaign (see
 * campaign-run.h), with progress on a terminal, a line per campaign for
 * cron, or a JSON summary.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "etl.h"
#include "strato/campaign-run.h"
#include "strato/crypto.h"
#include "strato/log.h"
#include "strato/tenant.h"
#include "strato/util.h"

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void
campaigns_usage(FILE *f)
{
	fputs("usage: strato-etl campaigns run [--tenant SLUG] "
	      "[--campaign ID|NAME]\n"
	      "           [--max-sends N] [--concurrency N] "
	      "[--deadline DURATION]\n"
	      "           [--dry-run] [--resend-unknown] [--json] [--quiet]\n"
	      "\n"
	      "Sends every due campaign (SCHEDULED and due, or RUNNING) of "
	      "every tenant,\n"
	      "or of --tenant; each under a lock of its own, so runs may "
	      "overlap.\n"
	      "DURATION: 90, 90s, 4m or 1h. SIGTERM and SIGINT stop "
	      "cleanly: sends in\n"
	      "flight finish and are recorded.\n"
	      "Exit status: 0 done, 3 a campaign FAILED or the run stopped "
	      "with work\n"
	      "left (deadline, signal, --max-sends), 1 fatal, 2 usage.\n",
	      f);
}

struct run_args {
	struct st_campaign_run_opts o;
	const char *slug;
	bool json, quiet;
};

/* "90", "90s", "4m", "1h" in seconds; -1 when it is none of them. */
static double
parse_duration(const char *s)
{
	char *end = NULL;
	double v = strtod(s, &end);

	if (end == s || v <= 0)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return v;
	if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		return v * 60;
	if (strcmp(end, "h") == 0)
		return v * 3600;
	return -1;
}

/* A whole number >= min, or -1. */
static long long
parse_count(const char *s, long long min)
{
	char *end = NULL;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || end == s || *end || v < min ? -1 : v;
}

static int
bad_value(const char *opt, const char *v, const char *want)
{
	st_log_error("invalid %s \"%s\": %s", opt, v, want);
	return ETL_EXIT_USAGE;
}

/* Parse argv into a; ETL_EXIT_OK to go on, -1 for --help, else status. */
static int
parse_args(int argc, char **argv, struct run_args *a)
{
	static const struct option opts[] = {
		{ "tenant", required_argument, NULL, 't' },
		{ "campaign", required_argument, NULL, 'c' },
		{ "max-sends", required_argument, NULL, 'm' },
		{ "concurrency", required_argument, NULL, 'n' },
		{ "deadline", required_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "resend-unknown", no_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long long v;
	int c;

	if (argc < 2 || strcmp(argv[1], "run") != 0) {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
			campaigns_usage(stdout);
			return -1;
		}
		st_log_error("campaigns what? (run)");
		campaigns_usage(stderr);
		return ETL_EXIT_USAGE;
	}
	argc--;
	argv++;
	argv[0] = (char *)"strato-etl campaigns run";
	while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		switch (c) {
		case 't': a->slug = optarg; break;
		case 'c': a->o.campaign = optarg; break;
		case 'm':
			if ((v = parse_count(optarg, 1)) < 0)
				return bad_value("--max-sends", optarg,
						 "a whole number from 1");
			a->o.max_sends = v;
			break;
		case 'n':
			if ((v = parse_count(optarg, 1)) < 0 || v > 1024)
				return bad_value("--concurrency", optarg,
						 "a whole number from 1 to "
						 "1024");
			a->o.concurrency = (int)v;
			break;
		case 'd':
			if ((a->o.deadline = parse_duration(optarg)) < 0)
				return bad_value("--deadline", optarg,
						 "seconds, or 30s, 4m, 1h");
			break;
		case 'D': a->o.dry_run = true; break;
		case 'R': a->o.resend_unknown = true; break;
		case 'j': a->json = true; break;
		case 'q': a->quiet = true; break;
		case 'h': campaigns_usage(stdout); return -1;
		default: campaigns_usage(stderr); return ETL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		st_log_error("unexpected argument \"%s\"", argv[optind]);
		return ETL_EXIT_USAGE;
	}
	return ETL_EXIT_OK;
}

/* On a terminal: one line per campaign, rewritten in place. */
static void
show_progress(const struct st_campaign_report *r, bool done, void *arg)
{
	double rate = r->seconds > 0 ? (double)(r->sent + r->failed +
		r->unknown) / r->seconds : 0;

	(void)arg;
	fprintf(stderr, "\r\033[K%s: sent %lld, failed %lld, skipped %lld, "
		"%.0f/s", r->nombre ? r->nombre : r->campaign_id, r->sent,
		r->failed, r->skipped, rate);
	if (!done && r->eta_seconds >= 0)
		fprintf(stderr, ", ETA %.0f s", r->eta_seconds);
	if (done)
		fputc('\n', stderr);
	fflush(stderr);
}

static json_t *
report_json(const struct st_campaign_report *r)
{
	return json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:b, s:I, s:I, s:I, "
			 "s:I, s:I, s:I, s:I, s:I, s:I, s:f}",
			 "tenant_id", r->tenant_id, "campaign_id",
			 r->campaign_id, "nombre", r->nombre, "estado",
			 r->estado, "note", r->note, "locked", r->locked,
			 "audience", (json_int_t)r->audience,
			 "sent", (json_int_t)r->sent,
			 "failed", (json_int_t)r->failed,
			 "skipped", (json_int_t)r->skipped,
			 "unknown", (json_int_t)r->unknown,
			 "pending", (json_int_t)r->pending,
			 "retries", (json_int_t)r->retries,
			 "voice_chars", (json_int_t)r->voice_chars,
			 "voice_hits", (json_int_t)r->voice_hits,
			 "seconds", r->seconds);
}

/* The summary: JSON, or one line per campaign. */
static void
print_summary(const struct st_campaign_run_summary *s, const struct run_args *a)
{
	if (a->json) {
		json_t *arr = json_array();
		json_t *j;

		for (size_t i = 0; i < s->n; i++)
			json_array_append_new(arr, report_json(&s->items[i]));
		j = json_pack("{s:o, s:b, s:b}", "campaigns", arr, "stopped",
			      s->stopped, "dry_run", a->o.dry_run);
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
		return;
	}
	if (s->n == 0 && !a->quiet)
		printf("no campaign is due\n");
	for (size_t i = 0; i < s->n; i++) {
		const struct st_campaign_report *r = &s->items[i];

		printf("%s: %s, sent %lld, failed %lld, skipped %lld, unknown "
		       "%lld, pending %lld, retries %lld", r->nombre ?
		       r->nombre : r->campaign_id, r->estado ? r->estado : "?",
		       r->sent, r->failed, r->skipped, r->unknown, r->pending,
		       r->retries);
		if (r->voice_chars || r->voice_hits)
			printf(", voice %lld chars, %lld cached",
			       r->voice_chars, r->voice_hits);
		printf(", %.1f s%s%s\n", r->seconds, r->note ? "; " : "",
		       r->note ? r->note : "");
	}
}

static bool
any_failed(const struct st_campaign_run_summary *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].estado &&
		    strcmp(s->items[i].estado, "FAILED") == 0 &&
		    s->items[i].note && strncmp(s->items[i].note, "failed",
						6) == 0)
			return true;
	return false;
}

static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* strato-etl campaigns run ...: options, key, connect, run, summary. */
int
etl_campaigns(struct etl_ctx *ctx, int argc, char **argv)
{
	struct run_args a;
	struct st_campaign_run_summary sum;
	struct st_error err;
	struct st_crypto_key *key = NULL;
	struct st_db *db = NULL;
	char *tenant_id = NULL;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&sum, 0, sizeof(sum));
	st_error_init(&err);
	rc = parse_args(argc, argv, &a);
	if (rc != ETL_EXIT_OK)
		return rc < 0 ? ETL_EXIT_OK : rc;
	rc = ETL_EXIT_ERROR;
	if (!(key = st_crypto_key_from_env(&err)) && !a.o.dry_run)
		goto done;
	st_error_init(&err);
	if (!(db = etl_connect(ctx)))
		goto done;
	if (a.slug && st_tenant_resolve(db, a.slug, &tenant_id, &err) < 0)
		goto done;
	catch_signals();
	a.o.tenant_id = tenant_id;
	a.o.key = key;
	a.o.stop = &stop_flag;
	if (!a.quiet && !a.json && isatty(STDERR_FILENO))
		a.o.progress = show_progress;
	if (st_campaign_run(db, &a.o, &sum, &err) < 0)
		goto done;
	if (a.o.campaign && sum.n == 0) {
		/* named, yet matched by no campaign of the tenants looked at */
		st_error_set(&err, ST_ENOTFOUND, "campaign \"%s\" not found%s%s",
			     a.o.campaign, a.slug ? " in tenant " : "",
			     a.slug ? a.slug : "");
		st_error_hint(&err, "Give its name or id as \"strato campaign "
			      "list\" shows it.");
		goto done;
	}
	print_summary(&sum, &a);
	if (fflush(stdout) != 0) {
		st_error_set(&err, ST_EIO, "cannot write the summary");
		goto done;
	}
	rc = sum.stopped || any_failed(&sum) ? ETL_EXIT_PARTIAL : ETL_EXIT_OK;
done:
	if (rc == ETL_EXIT_ERROR && err.message[0])
		st_log_st_error(&err);
	st_campaign_run_summary_release(&sum);
	st_crypto_key_free(key);
	st_db_close(db);
	free(tenant_id);
	return rc;
}
