/*
 * import.h - lead imports from CSV, and exports back to CSV or JSON lines.
 *
 * The import streams: the CSV reader decodes and parses, each record is
 * mapped by its header (Spanish and English names, ad-platform lead
 * exports), normalised (E.164 phones, e-mails, budgets, tags) and written
 * with COPY into a temporary staging table; the server then merges rows of
 * the file that name the same lead, matches them against the tenant's leads
 * by the match keys, and inserts and updates set-based under the tenant
 * (COPY cannot write a table under RLS). An update fills empty fields and
 * merges tags; it never blanks a field with an empty cell.
 *
 * Refused records go to a rejects file: the original fields (UTF-8, the
 * input's delimiter) plus "line" and "reason" columns, importable again
 * once fixed. By default the whole import is one transaction; with a batch
 * size each batch commits with its progress in import_run, and an import
 * can resume after its last committed line.
 */
#ifndef STRATO_IMPORT_H
#define STRATO_IMPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "strato/csv.h"
#include "strato/db.h"
#include "strato/error.h"

enum st_import_mode {
	ST_IMPORT_UPSERT = 0,
	ST_IMPORT_CREATE,
	ST_IMPORT_UPDATE,
};

enum st_match_key {
	ST_MATCH_PHONE = 1,
	ST_MATCH_EMAIL = 2,
};

struct st_import_opts {
	FILE *in;
	const char *source;       /* the name import_run records */
	struct st_csv_opts csv;
	const char *map;          /* "Header=field,Header2=field2" or NULL */
	const char *const *defaults; /* "field=value" each */
	size_t ndefaults;
	enum st_import_mode mode;
	enum st_match_key match[2]; /* in order; 0 ends the list */
	const char *rejects_path; /* where refused records go; NULL: none in
				     a dry run, else import-<run>.rejects.csv */
	bool dry_run;             /* everything, then roll back */
	bool ignore_unknown;      /* drop unknown columns, not into custom */
	long batch_size;          /* 0: one transaction */
	const char *resume_run;   /* continue this import_run */
	const char *region;       /* default phone region, NULL: "AR" */
	void (*progress)(long long records, void *arg);
	void *progress_arg;
};

struct st_import_summary {
	char run_id[40];
	long long read;       /* records after the header */
	long long inserted;
	long long updated;
	long long unchanged;  /* matched, nothing new to add */
	long long skipped;    /* create: already there; update: no match */
	long long duplicates; /* merged into an earlier record of the file */
	long long rejected;
	long long resumed_after; /* the line a resumed import started after */
	int delimiter;
	enum st_csv_encoding encoding;
	bool rejects_written;
	char rejects_path[4096]; /* where they went */
};

/* Parse "phone,email" into keys; -1 on an unknown key. */
int st_import_match_parse(const char *s, enum st_match_key out[2]);
/* Parse "create" | "update" | "upsert"; -1 otherwise. */
int st_import_mode_parse(const char *s, enum st_import_mode *out);

/*
 * Import into tenant_id. Returns 0 when the import ran (rejected records
 * are counted, not errors) and -1 on a fatal error: then nothing of the
 * current transaction (the whole import, or the current batch) is kept.
 */
int st_import_leads(struct st_db *db, const char *tenant_id,
		    const struct st_import_opts *o,
		    struct st_import_summary *out, struct st_error *err);

enum st_export_format {
	ST_EXPORT_CSV,
	ST_EXPORT_JSONL,
};

struct st_export_opts {
	FILE *out;
	enum st_export_format format;
	const char *estado; /* filters, each NULL for none */
	const char *tag;
	const char *since;  /* created at or after (a date or timestamp) */
	const char *origen;
};

/*
 * Stream every lead of the tenant matching the filters, with COPY ... TO
 * STDOUT: CSV with a header (the column names the import reads back) or one
 * JSON object per line. *rows is set to the count.
 */
int st_export_leads(struct st_db *db, const char *tenant_id,
		    const struct st_export_opts *o, long long *rows,
		    struct st_error *err);

#endif
