/*
 * migrate.c - strato-etl migrate (status | up | down).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etl.h"
#include "strato/log.h"
#include "strato/migrate.h"
#include "strato/table.h"

static void
usage(FILE *f)
{
	fputs("usage: strato-etl migrate status [--sql-dir DIR] [--json | --csv]\n"
	      "       strato-etl migrate up [--to N] [--dry-run] [--sql-dir DIR]\n"
	      "       strato-etl migrate down [--to N] [--dry-run] "
	      "[--sql-dir DIR]\n"
	      "\n"
	      "up applies every pending migration (or up to version N); down\n"
	      "reverts the newest one (or every one above N; --to 0 reverts "
	      "all).\n", f);
}

static const char *
state_of(const struct st_migration *m)
{
	if (!m->applied)
		return "pending";
	if (!m->on_disk)
		return "applied, file missing";
	if (m->applied_checksum && strcmp(m->applied_checksum, m->checksum))
		return "applied, file edited";
	return "applied";
}

static int
show_status(struct st_db *db, const char *dir, enum st_format fmt)
{
	struct st_migration_set s;
	struct st_table t;
	struct st_error err;
	int ret = ETL_EXIT_ERROR;

	st_table_init(&t);
	if (st_migrate_status(db, dir, &s, &err) < 0) {
		st_log_st_error(&err);
		return ETL_EXIT_ERROR;
	}
	st_table_add_col(&t, "version", ST_COL_NUMBER);
	st_table_add_col(&t, "name", ST_COL_TEXT);
	st_table_add_col(&t, "state", ST_COL_TEXT);
	st_table_add_col(&t, "applied_at", ST_COL_TEXT);
	st_table_add_col(&t, "checksum", ST_COL_TEXT);
	for (size_t i = 0; i < s.n; i++) {
		size_t r = st_table_add_row(&t);

		st_table_setf(&t, r, 0, "%d", s.items[i].version);
		st_table_set(&t, r, 1, s.items[i].name);
		st_table_set(&t, r, 2, state_of(&s.items[i]));
		st_table_set(&t, r, 3, s.items[i].applied_at);
		st_table_set(&t, r, 4, s.items[i].on_disk ? s.items[i].checksum
							  : s.items[i].applied_checksum);
	}
	if (st_table_print(&t, fmt, stdout) == 0 && fflush(stdout) == 0)
		ret = ETL_EXIT_OK;
	else
		st_log_error("cannot write the output");
	st_table_release(&t);
	st_migration_set_release(&s);
	return ret;
}

struct step_arg {
	bool dry_run;
};

static void
on_step(const struct st_migration *m, bool up, void *arg)
{
	struct step_arg *a = arg;

	printf("%s %04d_%s\n", a->dry_run ? (up ? "would apply" : "would revert")
					  : (up ? "applying" : "reverting"),
	       m->version, m->name);
	fflush(stdout);
}

static int
parse_version(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 9999)
		return -1;
	*out = (int)v;
	return 0;
}

int
etl_migrate(struct etl_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "sql-dir", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct st_migrate_opts mo = { -1, false, on_step, NULL };
	struct step_arg sa = { false };
	const char *dir = st_migrate_default_dir();
	enum st_format fmt = ST_FORMAT_TABLE;
	struct st_error err;
	struct st_db *db = NULL;
	const char *action;
	bool to_given = false;
	int count = 0;
	int rc;
	int c;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? ETL_EXIT_USAGE : ETL_EXIT_OK;
	}
	action = argv[1];
	argc--;
	argv++;
	argv[0] = (char *)"strato-etl migrate"; /* for getopt's messages */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_version(optarg, &mo.target) < 0) {
				st_log_error("invalid version \"%s\" for --to",
					     optarg);
				return ETL_EXIT_USAGE;
			}
			to_given = true;
			break;
		case 'n': mo.dry_run = sa.dry_run = true; break;
		case 's': dir = optarg; break;
		case 'j': fmt = ST_FORMAT_JSON; break;
		case 'c': fmt = ST_FORMAT_CSV; break;
		case 'h': usage(stdout); return ETL_EXIT_OK;
		default: usage(stderr); return ETL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		st_log_error("unexpected argument \"%s\"", argv[optind]);
		return ETL_EXIT_USAGE;
	}
	if (strcmp(action, "status") && strcmp(action, "up") &&
	    strcmp(action, "down")) {
		st_log_error("unknown migrate action \"%s\"", action);
		usage(stderr);
		return ETL_EXIT_USAGE;
	}
	db = etl_connect(ctx);
	if (!db)
		return ETL_EXIT_ERROR;
	mo.cb_arg = &sa;
	if (strcmp(action, "status") == 0) {
		rc = show_status(db, dir, fmt);
		st_db_close(db);
		return rc;
	}
	if (strcmp(action, "up") == 0) {
		rc = st_migrate_up(db, dir, &mo, &count, &err);
	} else {
		if (!to_given) {
			/* Without --to, revert the newest applied one. */
			struct st_migration_set s;

			if (st_migrate_status(db, dir, &s, &err) < 0) {
				rc = -1;
				goto done;
			}
			mo.target = 0;
			for (size_t i = s.n; i-- > 0;)
				if (s.items[i].applied) {
					mo.target = i > 0 ? s.items[i - 1].version : 0;
					break;
				}
			st_migration_set_release(&s);
		}
		rc = st_migrate_down(db, dir, &mo, &count, &err);
	}
done:
	if (rc < 0) {
		st_log_st_error(&err);
		st_db_close(db);
		return ETL_EXIT_ERROR;
	}
	printf("%s%d migration%s %s\n", mo.dry_run ? "dry run: " : "", count,
	       count == 1 ? "" : "s",
	       strcmp(action, "up") == 0 ? (mo.dry_run ? "to apply" : "applied")
					 : (mo.dry_run ? "to revert" : "reverted"));
	st_db_close(db);
	return fflush(stdout) == 0 ? ETL_EXIT_OK : ETL_EXIT_ERROR;
}
