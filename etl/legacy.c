/*
 * legacy.c - strato-etl legacy (status | copy | verify | cutover | rollback).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "etl.h"
#include "strato/legacy.h"
#include "strato/log.h"
#include "strato/migrate.h"
#include "strato/table.h"

static void
usage(FILE *f)
{
	fputs("usage: strato-etl legacy (status | copy | verify | cutover | "
	      "rollback)\n"
	      "           --tenant-slug SLUG [--tenant-name NAME]\n"
	      "           [--legacy-schema SCHEMA] [--region CC] "
	      "[--chunk-rows N] [--json]\n"
	      "\n"
	      "Moves a single-tenant install (its ORM's tables in SCHEMA, "
	      "default public)\n"
	      "into the tenant SLUG: copy (again to catch up), verify, cutover; "
	      "rollback\n"
	      "undoes a copy before cut-over. The legacy tables are never "
	      "written.\n", f);
}

struct progress {
	bool tty;
	const char *table;
	double start;
};

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A bar on a terminal; nothing otherwise (the summary says it all). */
static void
on_progress(const char *table, long long done, long long total, void *arg)
{
	struct progress *p = arg;
	double el;
	int width = 24, fill;

	if (p->table != table) {
		p->table = table;
		p->start = mono();
	}
	if (!p->tty || st_log_get_level() < ST_LOG_INFO) {
		/* For logs: one line per table as it completes. */
		if (done >= total && st_log_get_level() >= ST_LOG_INFO)
			st_log_info("%s: %lld rows in %.1f s", table, done,
				    mono() - p->start);
		return;
	}
	el = mono() - p->start;
	fill = total > 0 ? (int)(width * (double)done / (double)total) : width;
	if (fill > width)
		fill = width;
	fprintf(stderr, "\r%-17s [%.*s%*s] %lld/%lld  %.0f rows/s ", table, fill,
		"########################", width - fill, "", done, total,
		el > 0 ? (double)done / el : 0.0);
	if (done >= total)
		fputc('\n', stderr);
	fflush(stderr);
}

static void
on_conflict(const char *table, const char *what, void *arg)
{
	(void)arg;
	st_log_warn("conflict in \"%s\": %s", table, what);
}

static int
print_table(struct st_table *t, enum st_format fmt)
{
	int r = st_table_print(t, fmt, stdout);

	st_table_release(t);
	if (r < 0 || fflush(stdout) != 0) {
		st_log_error("cannot write the output");
		return -1;
	}
	return 0;
}

static int
show_verify(const struct st_legacy_verify *v, enum st_format fmt)
{
	struct st_table t;

	st_table_init(&t);
	st_table_add_col(&t, "table", ST_COL_TEXT);
	st_table_add_col(&t, "legacy_rows", ST_COL_NUMBER);
	st_table_add_col(&t, "strato_rows", ST_COL_NUMBER);
	st_table_add_col(&t, "match", ST_COL_BOOL);
	st_table_add_col(&t, "legacy_checksum", ST_COL_TEXT);
	st_table_add_col(&t, "strato_checksum", ST_COL_TEXT);
	for (size_t i = 0; i < ST_LEGACY_NTABLES; i++) {
		const struct st_legacy_check *c = &v->tables[i];
		size_t r = st_table_add_row(&t);

		st_table_set(&t, r, 0, c->table);
		st_table_setf(&t, r, 1, "%lld", c->legacy_rows);
		st_table_setf(&t, r, 2, "%lld", c->new_rows);
		st_table_set(&t, r, 3, c->ok ? "true" : "false");
		st_table_set(&t, r, 4, c->legacy_sum);
		st_table_set(&t, r, 5, c->new_sum);
	}
	st_table_set_message(&t, v->ok ? "verified: every table matches"
				       : "VERIFY FAILED: see the rows with "
					 "match false");
	return print_table(&t, fmt);
}

static int
do_status(struct st_db *db, const struct st_legacy_opts *o, enum st_format fmt,
	  struct st_error *err)
{
	struct st_legacy_status s;
	struct st_table t;
	size_t r;

	if (st_legacy_status(db, o, &s, err) < 0)
		return -1;
	st_table_init(&t);
	if (fmt == ST_FORMAT_TABLE) {
		printf("legacy install: %s (schema \"%s\")\n",
		       s.installed ? "present" : "not found",
		       o->schema ? o->schema : "public");
		printf("tenant \"%s\": %s\n", o->slug, !s.tenant_id ? "does not "
		       "exist" : s.tenant_created ? "created by the copy" :
		       "exists");
		printf("copied:   %s\n", s.copied_at ? s.copied_at : "no");
		printf("verified: %s%s\n", s.verified_at ? s.verified_at : "no",
		       s.verified_at ? (s.verify_ok ? " (passed)" : " (FAILED)")
				     : "");
		printf("cut over: %s\n\n", s.cutover_at ? s.cutover_at : "no");
	} else {
		t.single = true;
		st_table_add_col(&t, "installed", ST_COL_BOOL);
		st_table_add_col(&t, "tenant_id", ST_COL_TEXT);
		st_table_add_col(&t, "copied_at", ST_COL_TEXT);
		st_table_add_col(&t, "verified_at", ST_COL_TEXT);
		st_table_add_col(&t, "verify_ok", ST_COL_BOOL);
		st_table_add_col(&t, "cutover_at", ST_COL_TEXT);
		st_table_add_col(&t, "tables", ST_COL_JSON);
		r = st_table_add_row(&t);
		st_table_set(&t, r, 0, s.installed ? "t" : "f");
		st_table_set(&t, r, 1, s.tenant_id);
		st_table_set(&t, r, 2, s.copied_at);
		st_table_set(&t, r, 3, s.verified_at);
		st_table_set(&t, r, 4, s.verify_ok ? "t" : "f");
		st_table_set(&t, r, 5, s.cutover_at);
		{
			struct st_buf b = ST_BUF_INIT;

			st_buf_addch(&b, '[');
			for (size_t i = 0; i < ST_LEGACY_NTABLES; i++)
				st_buf_addf(&b, "%s{\"table\": \"%s\", \"present\": "
					    "%s, \"legacy_rows\": %lld, "
					    "\"strato_rows\": %lld}", i ? ", " : "",
					    s.tables[i].legacy,
					    s.tables[i].present ? "true" : "false",
					    s.tables[i].legacy_rows,
					    s.tables[i].new_rows);
			st_buf_addch(&b, ']');
			st_table_set(&t, r, 6, b.data);
			st_buf_release(&b);
		}
		st_legacy_status_release(&s);
		return print_table(&t, fmt);
	}
	st_table_add_col(&t, "table", ST_COL_TEXT);
	st_table_add_col(&t, "legacy_rows", ST_COL_NUMBER);
	st_table_add_col(&t, "strato_rows", ST_COL_NUMBER);
	for (size_t i = 0; i < ST_LEGACY_NTABLES; i++) {
		r = st_table_add_row(&t);
		st_table_set(&t, r, 0, s.tables[i].legacy);
		if (s.tables[i].present)
			st_table_setf(&t, r, 1, "%lld", s.tables[i].legacy_rows);
		if (s.tables[i].new_rows >= 0)
			st_table_setf(&t, r, 2, "%lld", s.tables[i].new_rows);
	}
	st_legacy_status_release(&s);
	return print_table(&t, fmt);
}

static int
show_copy(const struct st_legacy_copy *c, enum st_format fmt)
{
	struct st_table t;

	st_table_init(&t);
	st_table_add_col(&t, "table", ST_COL_TEXT);
	st_table_add_col(&t, "read", ST_COL_NUMBER);
	st_table_add_col(&t, "new", ST_COL_NUMBER);
	st_table_add_col(&t, "changed", ST_COL_NUMBER);
	st_table_add_col(&t, "deleted", ST_COL_NUMBER);
	st_table_add_col(&t, "seconds", ST_COL_NUMBER);
	st_table_add_col(&t, "rows_per_s", ST_COL_NUMBER);
	for (size_t i = 0; i < ST_LEGACY_NTABLES; i++) {
		const struct st_legacy_step *s = &c->steps[i];
		size_t r = st_table_add_row(&t);

		st_table_set(&t, r, 0, s->table);
		st_table_setf(&t, r, 1, "%lld", s->read);
		st_table_setf(&t, r, 2, "%lld", s->inserted);
		st_table_setf(&t, r, 3, "%lld", s->updated);
		st_table_setf(&t, r, 4, "%lld", s->deleted);
		st_table_setf(&t, r, 5, "%.2f", s->seconds);
		st_table_setf(&t, r, 6, "%.0f", s->seconds > 0 ?
			      (double)s->read / s->seconds : 0.0);
	}
	{
		long long changes = 0;

		for (size_t i = 0; i < ST_LEGACY_NTABLES; i++)
			changes += c->steps[i].inserted + c->steps[i].updated +
				   c->steps[i].deleted;
		st_table_set_message(&t, "%s%lld row%s new, changed or deleted; "
				     "%lld phone%s normalised to E.164, %lld kept "
				     "as given; %lld conflict%s",
				     c->tenant_created ? "tenant created; " : "",
				     changes, changes == 1 ? "" : "s",
				     c->phones_valid,
				     c->phones_valid == 1 ? "" : "s",
				     c->phones_other, c->conflicts,
				     c->conflicts == 1 ? "" : "s");
	}
	return print_table(&t, fmt);
}

static int
do_rollback(struct st_db *db, const struct st_legacy_opts *o,
	    struct st_error *err)
{
	struct st_legacy_rollback r;
	long long total = 0;

	if (st_legacy_rollback(db, o, &r, err) < 0)
		return -1;
	for (size_t i = 0; i < ST_LEGACY_NTABLES; i++) {
		printf("%-17s %lld deleted\n", st_legacy_table_name(i),
		       r.deleted[i]);
		total += r.deleted[i];
	}
	printf("rolled back: %lld row%s removed; tenant \"%s\" %s%s\n", total,
	       total == 1 ? "" : "s", o->slug,
	       r.tenant_deleted ? "removed" : "kept",
	       r.kept_reason ? " because " : "");
	if (r.kept_reason)
		printf("  %s\n", r.kept_reason);
	if (r.logins_left)
		st_log_warn("these PostgreSQL logins were made for copied users "
			    "and remain: %s (DROP ROLE them if unused)",
			    r.logins_left);
	st_legacy_rollback_release(&r);
	return 0;
}

/* Bring the schema up to date first, as the legacy issue asks. */
static int
ensure_schema(struct st_db *db, struct st_error *err)
{
	struct st_migrate_opts mo = { -1, false, NULL, NULL };
	int count = 0;

	if (st_migrate_up(db, st_migrate_default_dir(), &mo, &count, err) < 0)
		return -1;
	if (count > 0)
		st_log_info("applied %d pending migration%s first", count,
			    count == 1 ? "" : "s");
	return 0;
}

int
etl_legacy(struct etl_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tenant-slug", required_argument, NULL, 's' },
		{ "tenant-name", required_argument, NULL, 'n' },
		{ "legacy-schema", required_argument, NULL, 'S' },
		{ "region", required_argument, NULL, 'r' },
		{ "chunk-rows", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct st_legacy_opts o;
	struct progress prog = { false, NULL, 0 };
	enum st_format fmt = ST_FORMAT_TABLE;
	struct st_error err;
	struct st_db *db = NULL;
	const char *action;
	int rc = ETL_EXIT_ERROR;
	int c;

	memset(&o, 0, sizeof(o));
	st_error_init(&err);
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? ETL_EXIT_USAGE : ETL_EXIT_OK;
	}
	action = argv[1];
	argc--;
	argv++;
	argv[0] = (char *)"strato-etl legacy";
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': o.slug = optarg; break;
		case 'n': o.name = optarg; break;
		case 'S': o.schema = optarg; break;
		case 'r': o.region = optarg; break;
		case 'c': o.chunk_rows = atol(optarg); break;
		case 'j': fmt = ST_FORMAT_JSON; break;
		case 'h': usage(stdout); return ETL_EXIT_OK;
		default: usage(stderr); return ETL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		st_log_error("unexpected argument \"%s\"", argv[optind]);
		return ETL_EXIT_USAGE;
	}
	if (!o.slug) {
		st_log_error("legacy %s needs --tenant-slug", action);
		return ETL_EXIT_USAGE;
	}
	if (strcmp(action, "status") && strcmp(action, "copy") &&
	    strcmp(action, "verify") && strcmp(action, "cutover") &&
	    strcmp(action, "rollback")) {
		st_log_error("unknown legacy action \"%s\"", action);
		usage(stderr);
		return ETL_EXIT_USAGE;
	}
	prog.tty = isatty(STDERR_FILENO);
	o.progress = on_progress;
	o.progress_arg = &prog;
	o.conflict = on_conflict;
	db = etl_connect(ctx);
	if (!db)
		return ETL_EXIT_ERROR;
	if (strcmp(action, "status") != 0) {
		if (ensure_schema(db, &err) < 0)
			goto done;
	} else if (!st_db_schema_ready(db)) {
		st_error_set(&err, ST_ESTATE, "the STRATO schema is not installed "
			     "in this database");
		st_error_hint(&err, "\"strato-etl legacy copy\" installs it, or "
			      "run \"strato-etl migrate up\".");
		goto done;
	}
	if (strcmp(action, "status") == 0) {
		rc = do_status(db, &o, fmt, &err) < 0 ? ETL_EXIT_ERROR
						       : ETL_EXIT_OK;
	} else if (strcmp(action, "copy") == 0) {
		struct st_legacy_copy cp;
		struct st_legacy_verify v;

		if (st_legacy_copy(db, &o, &cp, &err) < 0)
			goto done;
		/* As JSON, one document: {"copy": [...], "verify": [...]}. */
		if (fmt == ST_FORMAT_JSON)
			fputs("{\"copy\": ", stdout);
		if (show_copy(&cp, fmt) < 0)
			goto done;
		if (fmt == ST_FORMAT_JSON)
			fputs(", \"verify\": ", stdout);
		if (st_legacy_verify(db, &o, &v, &err) < 0 ||
		    show_verify(&v, fmt) < 0)
			goto done;
		if (fmt == ST_FORMAT_JSON)
			fputs("}\n", stdout);
		rc = v.ok ? ETL_EXIT_OK : ETL_EXIT_VERIFY;
	} else if (strcmp(action, "verify") == 0) {
		struct st_legacy_verify v;

		if (st_legacy_verify(db, &o, &v, &err) < 0 ||
		    show_verify(&v, fmt) < 0)
			goto done;
		rc = v.ok ? ETL_EXIT_OK : ETL_EXIT_VERIFY;
	} else if (strcmp(action, "cutover") == 0) {
		struct st_legacy_verify v;
		char *undo = NULL;

		if (st_legacy_cutover(db, &o, &v, &undo, &err) < 0)
			goto done;
		printf("cut over: the legacy tables in schema \"%s\" are now "
		       "read-only for everyone but their owner.\n",
		       o.schema ? o.schema : "public");
		if (undo && *undo)
			printf("To undo, run as their owner:\n%s", undo);
		else
			printf("No write privileges were granted to anyone but "
			       "the owner; nothing to undo.\n");
		free(undo);
		rc = fflush(stdout) == 0 ? ETL_EXIT_OK : ETL_EXIT_ERROR;
	} else {
		rc = do_rollback(db, &o, &err) < 0 ? ETL_EXIT_ERROR
						    : ETL_EXIT_OK;
	}
done:
	if (rc == ETL_EXIT_ERROR && err.message[0])
		st_log_st_error(&err);
	st_db_close(db);
	return rc;
}
