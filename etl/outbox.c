/*
 * outbox.c - strato-etl outbox run | requeue: deliver queued messages
 * through each lead's channel (cron, every minute), or give a message
 * whose outcome is unknown another try.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "etl.h"
#include "strato/log.h"
#include "strato/outbox.h"
#include "strato/tenant.h"
#include "strato/util.h"

static void
outbox_usage(FILE *f)
{
	fputs("usage: strato-etl outbox run [--tenant SLUG] [--limit N] "
	      "[--json]\n"
	      "       strato-etl outbox requeue --tenant SLUG MESSAGE_ID...\n"
	      "\n"
	      "run: delivers every due QUEUED outbound message of every "
	      "active tenant (or\n"
	      "the one given) through the lead's channel, oldest first. Each "
	      "message is\n"
	      "claimed (SENDING, committed) before the provider is called, "
	      "so none is\n"
	      "ever sent twice: a send that may have gone out without an "
	      "answer is\n"
	      "UNKNOWN and not resent; one left SENDING by a crash for over "
	      "10 minutes\n"
	      "becomes UNKNOWN. Transient failures wait for their next "
	      "attempt (30 s,\n"
	      "doubling, at most an hour; FAILED after 8 attempts).\n"
	      "requeue: an UNKNOWN or FAILED message goes back to QUEUED "
	      "(after you made\n"
	      "sure it did not arrive).\n"
	      "Needs the master key (STRATO_MASTER_KEY_FILE or "
	      "STRATO_MASTER_KEY).\n"
	      "Exit status: 0 done, 3 some message FAILED or UNKNOWN in this "
	      "run, 1 fatal,\n"
	      "2 usage.\n", f);
}

struct outbox_args {
	const char *verb;
	const char *slug;
	long limit;
	bool json;
	int first; /* argv index of the first MESSAGE_ID */
};

static int
parse_args(int argc, char **argv, struct outbox_args *a)
{
	static const struct option opts[] = {
		{ "tenant", required_argument, NULL, 't' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		outbox_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? ETL_EXIT_USAGE : -1;
	}
	a->verb = argv[1];
	if (strcmp(a->verb, "run") != 0 && strcmp(a->verb, "requeue") != 0) {
		st_log_error("unknown outbox verb \"%s\" (run, requeue)",
			     a->verb);
		return ETL_EXIT_USAGE;
	}
	argv[1] = (char *)"strato-etl outbox";
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': a->slug = optarg; break;
		case 'l':
			a->limit = strtol(optarg, &end, 10);
			if (*end || a->limit < 1) {
				st_log_error("invalid --limit \"%s\": a "
					     "positive number", optarg);
				return ETL_EXIT_USAGE;
			}
			break;
		case 'j': a->json = true; break;
		case 'h': outbox_usage(stdout); return -1;
		default: outbox_usage(stderr); return ETL_EXIT_USAGE;
		}
	}
	a->first = optind;
	if (strcmp(a->verb, "requeue") == 0 && (!a->slug || optind >= argc)) {
		st_log_error("requeue needs --tenant and at least one "
			     "MESSAGE_ID");
		return ETL_EXIT_USAGE;
	}
	if (strcmp(a->verb, "run") == 0 && optind < argc) {
		st_log_error("run takes no arguments (\"%s\")", argv[optind]);
		return ETL_EXIT_USAGE;
	}
	return ETL_EXIT_OK;
}

static void
print_summary(const char *slug, const struct st_outbox_summary *s)
{
	if (s->sent || s->queued || s->failed || s->unknown || s->recovered ||
	    s->skipped)
		printf("%s: sent %ld, to retry %ld, failed %ld, unknown %ld "
		       "(of which left by an interrupted run %ld), taken by "
		       "another run %ld\n", slug, s->sent, s->queued,
		       s->failed, s->unknown + s->recovered, s->recovered,
		       s->skipped);
}

/* {"sent": …, …, "tenants": [{"tenant": slug, "sent": …}, …]} */
static json_t *
summary_json(const struct st_outbox_summary *s)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "sent",
			 (json_int_t)s->sent, "queued", (json_int_t)s->queued,
			 "failed", (json_int_t)s->failed, "unknown",
			 (json_int_t)s->unknown, "recovered",
			 (json_int_t)s->recovered, "skipped",
			 (json_int_t)s->skipped);
}

static void
add_up(struct st_outbox_summary *total, const struct st_outbox_summary *s)
{
	total->sent += s->sent;
	total->queued += s->queued;
	total->failed += s->failed;
	total->unknown += s->unknown;
	total->recovered += s->recovered;
	total->skipped += s->skipped;
}

/* Every tenant (or the one asked) in turn; a summary line each. */
static int
run_all(struct st_db *db, const struct outbox_args *a,
	const struct st_crypto_key *key, struct st_error *err)
{
	struct st_outbox_summary total = { 0 };
	json_t *tenants = json_array(), *doc;
	struct st_tenant_list t = { 0 };
	int rc = ETL_EXIT_OK;

	if (st_tenant_list(db, &t, err) < 0)
		rc = ETL_EXIT_ERROR;
	for (size_t i = 0; i < t.n && rc != ETL_EXIT_ERROR; i++) {
		const struct st_tenant *tn = &t.items[i];
		struct st_outbox_summary sum = { 0 };
		struct st_outbox *ob;

		if (!tn->is_active || (a->slug && strcmp(tn->slug, a->slug)))
			continue;
		ob = st_outbox_open(db, tn->id, key);
		if (st_outbox_run(ob, a->limit, &sum, err) < 0)
			rc = ETL_EXIT_ERROR;
		else if (sum.failed || sum.unknown || sum.recovered)
			rc = ETL_EXIT_PARTIAL;
		st_outbox_close(ob);
		add_up(&total, &sum);
		if (a->json) {
			doc = summary_json(&sum);
			json_object_set_new(doc, "tenant", json_string(tn->slug));
			json_array_append_new(tenants, doc);
		} else if (rc != ETL_EXIT_ERROR) {
			print_summary(tn->slug, &sum);
		}
	}
	if (a->json && rc != ETL_EXIT_ERROR) {
		doc = summary_json(&total);
		json_object_set(doc, "tenants", tenants);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
	}
	json_decref(tenants);
	st_tenant_list_release(&t);
	return rc;
}

/* strato-etl outbox run | requeue. */
int
etl_outbox(struct etl_ctx *ctx, int argc, char **argv)
{
	struct outbox_args a = { 0 };
	struct st_crypto_key *key = NULL;
	struct st_error err;
	struct st_db *db = NULL;
	char *tenant_id = NULL;
	int rc;

	st_error_init(&err);
	rc = parse_args(argc, argv, &a);
	if (rc != ETL_EXIT_OK)
		return rc < 0 ? ETL_EXIT_OK : rc;
	rc = ETL_EXIT_ERROR;
	db = etl_connect(ctx);
	if (!db)
		goto done;
	if (a.slug && st_tenant_resolve(db, a.slug, &tenant_id, &err) < 0)
		goto done;
	if (strcmp(a.verb, "requeue") == 0) {
		for (int i = a.first; i < argc; i++)
			if (st_outbox_requeue(db, tenant_id, argv[i], &err) < 0)
				goto done;
		rc = ETL_EXIT_OK;
		goto done;
	}
	key = st_crypto_key_from_env(&err);
	if (!key)
		goto done;
	rc = run_all(db, &a, key, &err);
	if (fflush(stdout) != 0 && rc != ETL_EXIT_ERROR) {
		st_error_set(&err, ST_EIO, "cannot write the summary");
		rc = ETL_EXIT_ERROR;
	}
done:
	if (rc == ETL_EXIT_ERROR && err.message[0])
		st_log_st_error(&err);
	st_crypto_key_free(key);
	st_db_close(db);
	free(tenant_id);
	return rc;
}
