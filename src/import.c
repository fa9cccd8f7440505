/*
 * import.c - the lead import pipeline.
 *
 *   CSV reader -> header plan -> one row per record -> COPY into a TEMP
 *   staging table -> merge rows naming the same lead -> match the tenant's
 *   leads -> INSERT new, UPDATE matched (fill empty fields, merge tags)
 *
 * all in the tenant's transaction (one for the whole file, or one per
 * batch with the progress in import_run). Refused records are written to a
 * temporary file as they come and appended to the rejects file only when
 * their transaction commits, so a resumed import never repeats a reject.
 * The first import into an empty tenant inserts as it reads instead
 * (import-stream.c).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "db-internal.h"
#include "import-internal.h"
#include "strato/audit.h"
#include "strato/log.h"
#include "strato/tenant.h"

int
st_import_match_parse(const char *s, enum st_match_key out[2])
{
	char *copy = st_xstrdup(s ? s : "");
	char *save = NULL;
	int n = 0, ret = 0;

	out[0] = out[1] = 0;
	for (char *k = strtok_r(copy, ",", &save); k;
	     k = strtok_r(NULL, ",", &save)) {
		enum st_match_key m;

		if (st_str_ieq(k, "phone") || st_str_ieq(k, "telefono"))
			m = ST_MATCH_PHONE;
		else if (st_str_ieq(k, "email"))
			m = ST_MATCH_EMAIL;
		else
			ret = -1;
		if (ret < 0 || n == 2 || (n == 1 && out[0] == m)) {
			ret = -1;
			break;
		}
		out[n++] = m;
	}
	free(copy);
	return ret < 0 || n == 0 ? -1 : 0;
}

int
st_import_mode_parse(const char *s, enum st_import_mode *out)
{
	if (st_str_ieq(s, "upsert"))
		*out = ST_IMPORT_UPSERT;
	else if (st_str_ieq(s, "create"))
		*out = ST_IMPORT_CREATE;
	else if (st_str_ieq(s, "update"))
		*out = ST_IMPORT_UPDATE;
	else
		return -1;
	return 0;
}

/* ---- rejects ---- */

static void
write_reject(struct importer *im, const struct st_csv_record *rec,
	     const char *reason)
{
	int delim = st_csv_reader_delimiter(im->rd);
	struct st_buf b = ST_BUF_INIT;
	char num[24];

	if (!im->rej_batch)
		im->rej_batch = tmpfile();
	for (size_t i = 0; i < rec->nfields; i++) {
		if (i)
			st_buf_addch(&b, (char)delim);
		st_csv_field(&b, rec->fields[i], delim);
	}
	/* A short record is padded, so line and reason stay in their
	 * columns of the rejects file. */
	for (size_t i = rec->nfields; i < im->plan.nheader; i++)
		st_buf_addch(&b, (char)delim);
	snprintf(num, sizeof(num), "%ld", rec->line);
	st_buf_addch(&b, (char)delim);
	st_csv_field(&b, num, delim);
	st_buf_addch(&b, (char)delim);
	st_csv_field(&b, reason, delim);
	st_buf_addch(&b, '\n');
	if (im->rej_batch)
		fwrite(b.data, 1, b.len, im->rej_batch);
	st_buf_release(&b);
	im->out->rejected++;
}

/* Append this transaction's rejects to the rejects file (after commit). */
static int
flush_rejects(struct importer *im, struct st_error *err)
{
	const char *path = im->o->rejects_path;
	char auto_path[96];
	bool fresh;
	FILE *f;
	char buf[65536];
	size_t n;
	int ret = 0;

	if (!path && !im->o->dry_run && im->run_id) {
		/* standard input: name the file after the run */
		snprintf(auto_path, sizeof(auto_path), "import-%s.rejects.csv",
			 im->run_id);
		path = auto_path;
	}
	if (!im->rej_batch || ftell(im->rej_batch) == 0 || !path)
		goto done;
	snprintf(im->out->rejects_path, sizeof(im->out->rejects_path), "%s",
		 path);
	fresh = !im->out->rejects_written && !im->o->resume_run;
	f = fopen(path, fresh ? "w" : "a");
	if (!f) {
		st_error_set(err, ST_EIO, "cannot write rejects file \"%s\": %s",
			     path, strerror(errno));
		ret = -1;
		goto done;
	}
	if (fresh || ftell(f) == 0) {
		struct st_buf b = ST_BUF_INIT;
		int delim = st_csv_reader_delimiter(im->rd);

		for (size_t i = 0; i < im->plan.nheader; i++) {
			if (i)
				st_buf_addch(&b, (char)delim);
			st_csv_field(&b, im->plan.header[i], delim);
		}
		st_buf_addf(&b, "%cline%creason\n", delim, delim);
		fwrite(b.data, 1, b.len, f);
		st_buf_release(&b);
	}
	rewind(im->rej_batch);
	while ((n = fread(buf, 1, sizeof(buf), im->rej_batch)) > 0)
		fwrite(buf, 1, n, f);
	if (fclose(f) != 0) {
		st_error_set(err, ST_EIO, "cannot write rejects file \"%s\": %s",
			     path, strerror(errno));
		ret = -1;
	}
	im->out->rejects_written = true;
done:
	if (im->rej_batch) {
		fclose(im->rej_batch);
		im->rej_batch = NULL;
	}
	return ret;
}

/* ---- the tenant's users, for the asignado column ---- */

static int
load_users(struct importer *im, struct st_error *err)
{
	PGresult *res = st_db_query(im->db, "SELECT email, id FROM strato.app_user"
				    " WHERE tenant_id = $1 AND is_active", 1,
				    &im->tenant_id, err);

	if (!res)
		return -1;
	im->nusers = (size_t)PQntuples(res);
	im->user_email = st_xcalloc(im->nusers + 1, sizeof(char *));
	im->user_id = st_xcalloc(im->nusers + 1, sizeof(char *));
	for (size_t i = 0; i < im->nusers; i++) {
		im->user_email[i] = st_db_dup(res, (int)i, 0);
		im->user_id[i] = st_db_dup(res, (int)i, 1);
	}
	PQclear(res);
	return 0;
}

static const char *
user_id_of(struct importer *im, const char *email)
{
	for (size_t i = 0; i < im->nusers; i++)
		if (st_str_ieq(im->user_email[i], email))
			return im->user_id[i];
	return NULL;
}

/* ---- import_run ---- */

static char *
counts_json(const struct st_import_summary *s)
{
	json_t *o = json_pack("{sI sI sI sI sI sI sI}",
			      "read", (json_int_t)s->read,
			      "inserted", (json_int_t)s->inserted,
			      "updated", (json_int_t)s->updated,
			      "unchanged", (json_int_t)s->unchanged,
			      "skipped", (json_int_t)s->skipped,
			      "duplicates", (json_int_t)s->duplicates,
			      "rejected", (json_int_t)s->rejected);
	char *t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(o);
	return t;
}

static char *
options_json(const struct importer *im)
{
	const struct st_import_opts *o = im->o;
	static const char *const modes[] = { "upsert", "create", "update" };
	json_t *m = json_array();
	json_t *d = json_array();
	json_t *j;
	char *t;

	for (int i = 0; i < 2 && o->match[i]; i++)
		json_array_append_new(m, json_string(o->match[i] == ST_MATCH_PHONE
						     ? "phone" : "email"));
	for (size_t i = 0; i < o->ndefaults; i++)
		json_array_append_new(d, json_string(o->defaults[i]));
	j = json_pack("{ss so so ss* sI}", "mode", modes[o->mode], "match", m,
		      "defaults", d, "map", o->map, "batch_size",
		      (json_int_t)o->batch_size);
	t = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return t;
}

static int
run_insert(struct importer *im, struct st_error *err)
{
	char *opts = options_json(im);
	PGresult *res = st_db_query(im->db,
		"INSERT INTO strato.import_run (tenant_id, kind, source, options)"
		" VALUES ($1, 'LEADS_CSV', $2, $3::jsonb) RETURNING id", 3,
		(const char *const[]){ im->tenant_id, im->o->source, opts }, err);

	free(opts);
	if (!res)
		return -1;
	im->run_id = st_db_dup(res, 0, 0);
	snprintf(im->out->run_id, sizeof(im->out->run_id), "%s", im->run_id);
	PQclear(res);
	return 0;
}

static int
run_update(struct importer *im, const char *estado, const char *error,
	   struct st_error *err)
{
	char *counts = counts_json(im->out);
	char line[24];
	bool final = strcmp(estado, "RUNNING") != 0;
	int r;

	snprintf(line, sizeof(line), "%ld", im->last_line);
	r = st_db_run(im->db, "UPDATE strato.import_run SET counts = $3::jsonb,"
		      " last_line = greatest(last_line, $4::bigint), estado = $5,"
		      " error = $6, finished_at = CASE WHEN $7 THEN now() END"
		      " WHERE tenant_id = $1 AND id = $2", 7,
		      (const char *const[]){ im->tenant_id, im->run_id, counts,
					     line, estado, error,
					     final ? "t" : "f" }, err);
	free(counts);
	return r;
}

/* Continue an import_run: its counts and the line it got to. */
static int
run_resume(struct importer *im, struct st_error *err)
{
	PGresult *res;
	json_t *c;
	int ret = -1;

	res = st_db_query(im->db, "SELECT estado, source, last_line, counts::text"
			  " FROM strato.import_run WHERE tenant_id = $1 AND id = $2"
			  " AND kind = 'LEADS_CSV'", 2,
			  (const char *const[]){ im->tenant_id, im->o->resume_run },
			  err);
	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "import run \"%s\" does not exist "
			     "in this tenant", im->o->resume_run);
		goto cleanup;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "COMPLETED") == 0 ||
	    strcmp(PQgetvalue(res, 0, 0), "PARTIAL") == 0) {
		st_error_set(err, ST_ESTATE, "import run \"%s\" already finished",
			     im->o->resume_run);
		goto cleanup;
	}
	if (strcmp(PQgetvalue(res, 0, 1), im->o->source) != 0) {
		st_error_set(err, ST_EINVAL, "import run \"%s\" read \"%s\", not "
			     "\"%s\"", im->o->resume_run, PQgetvalue(res, 0, 1),
			     im->o->source);
		goto cleanup;
	}
	im->run_id = st_xstrdup(im->o->resume_run);
	snprintf(im->out->run_id, sizeof(im->out->run_id), "%s", im->run_id);
	im->out->resumed_after = atoll(PQgetvalue(res, 0, 2));
	im->last_line = (long)im->out->resumed_after;
	c = json_loads(PQgetvalue(res, 0, 3), 0, NULL);
	im->out->read = json_integer_value(json_object_get(c, "read"));
	im->out->inserted = json_integer_value(json_object_get(c, "inserted"));
	im->out->updated = json_integer_value(json_object_get(c, "updated"));
	im->out->unchanged = json_integer_value(json_object_get(c, "unchanged"));
	im->out->skipped = json_integer_value(json_object_get(c, "skipped"));
	im->out->duplicates = json_integer_value(json_object_get(c, "duplicates"));
	im->out->rejected = json_integer_value(json_object_get(c, "rejected"));
	json_decref(c);
	im->run_committed = true;
	ret = 0;
cleanup:
	PQclear(res);
	return ret;
}

/* ---- batches ---- */

static const char *stage_sql =
	"CREATE TEMP TABLE import_stage (line bigint, grp text, nombre text,"
	" telefono text, e164 text, email text, origen text, estado text,"
	" tipo text, operacion text, tipo_propiedad text, zona_interes text,"
	" zonas text[], presupuesto_min numeric, presupuesto_max numeric,"
	" moneda text, ambientes smallint, tags text[], notas text,"
	" custom jsonb, assigned_to_id text, es_cliente boolean,"
	" opt_out boolean) ON COMMIT DROP";

static int
batch_begin(struct importer *im, struct st_error *err)
{
	PGresult *res;

	if (st_tenant_begin(im->db, im->tenant_id, err) < 0)
		return -1;
	/* Set-based merging and matching sort and hash a whole batch, and
	 * the trigram and tag (GIN) indexes take many rows at once better
	 * through a larger pending list. */
	if (st_db_run(im->db, "SET LOCAL work_mem = '128MB'", 0, NULL, err) < 0 ||
	    st_db_run(im->db, "SET LOCAL gin_pending_list_limit = '64MB'", 0,
		      NULL, err) < 0)
		return -1;
	if (!im->run_id && !im->o->dry_run && run_insert(im, err) < 0)
		return -1;
	im->batch_records = 0;
	switch (import_stream_begin(im, err)) {
	case -1:
		return -1;
	case 1:
		im->batch_open = true;
		return 0;
	default:
		break;
	}
	if (st_db_run(im->db, stage_sql, 0, NULL, err) < 0)
		return -1;
	res = PQexec(im->db->conn, "COPY import_stage FROM STDIN");
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		st_db_error(err, res, im->db->conn);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	im->batch_open = true;
	im->batch_records = 0;
	return 0;
}

/*
 * The server's part of a batch, after the COPY: merge rows naming the same
 * lead (the first spelling of each field wins, tags merge), match the
 * tenant's leads by the keys in order, insert and update. Every statement
 * is set-based and filters on the tenant.
 */
static const char *const merge_sql[] = {
	"ANALYZE import_stage",
	"CREATE TEMP TABLE import_dup ON COMMIT DROP AS"
	" SELECT grp, count(*) AS n FROM import_stage GROUP BY grp"
	" HAVING count(*) > 1",
	"ALTER TABLE import_stage ADD COLUMN lead_id text,"
	" ADD COLUMN ambiguo boolean NOT NULL DEFAULT false,"
	" ADD COLUMN merged boolean NOT NULL DEFAULT false",
	/* one merged row per group of the file naming the same lead */
	"INSERT INTO import_stage SELECT min(line), grp,"
	" (array_agg(nombre ORDER BY line) FILTER (WHERE nombre IS NOT NULL))[1],"
	" (array_agg(telefono ORDER BY line) FILTER (WHERE telefono IS NOT NULL))[1],"
	" (array_agg(e164 ORDER BY line) FILTER (WHERE e164 IS NOT NULL))[1],"
	" (array_agg(email ORDER BY line) FILTER (WHERE email IS NOT NULL))[1],"
	" (array_agg(origen ORDER BY line) FILTER (WHERE origen IS NOT NULL))[1],"
	" (array_agg(estado ORDER BY line) FILTER (WHERE estado IS NOT NULL))[1],"
	" (array_agg(tipo ORDER BY line) FILTER (WHERE tipo IS NOT NULL))[1],"
	" (array_agg(operacion ORDER BY line) FILTER (WHERE operacion IS NOT NULL))[1],"
	" (array_agg(tipo_propiedad ORDER BY line)"
	"   FILTER (WHERE tipo_propiedad IS NOT NULL))[1],"
	" (array_agg(zona_interes ORDER BY line)"
	"   FILTER (WHERE zona_interes IS NOT NULL))[1],"
	" string_to_array((array_agg(array_to_string(zonas, E'\\x1f')"
	"   ORDER BY line) FILTER (WHERE cardinality(zonas) > 0))[1], E'\\x1f'),"
	" (array_agg(presupuesto_min ORDER BY line)"
	"   FILTER (WHERE presupuesto_min IS NOT NULL))[1],"
	" (array_agg(presupuesto_max ORDER BY line)"
	"   FILTER (WHERE presupuesto_max IS NOT NULL))[1],"
	" (array_agg(moneda ORDER BY line) FILTER (WHERE moneda IS NOT NULL))[1],"
	" (array_agg(ambientes ORDER BY line) FILTER (WHERE ambientes IS NOT NULL))[1],"
	" string_to_array(string_agg(array_to_string(tags, E'\\x1f'), E'\\x1f'"
	"   ORDER BY line), E'\\x1f'),"
	" string_agg(notas, E'\\n' ORDER BY line),"
	" (array_agg(custom ORDER BY line) FILTER (WHERE custom IS NOT NULL))[1],"
	" (array_agg(assigned_to_id ORDER BY line)"
	"   FILTER (WHERE assigned_to_id IS NOT NULL))[1],"
	" bool_or(es_cliente), bool_or(opt_out), NULL, false, true"
	" FROM import_stage s JOIN import_dup d USING (grp) GROUP BY grp",
	"DELETE FROM import_stage s USING import_dup d"
	" WHERE s.grp = d.grp AND NOT s.merged",
	"ALTER TABLE import_stage RENAME TO import_rows",
	NULL,
};

static long long
scalar(PGresult *res)
{
	long long v = res && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)
		      ? atoll(PQgetvalue(res, 0, 0)) : 0;

	PQclear(res);
	return v;
}

/* The columns an update may fill, and how: existing values win. */
static const struct {
	const char *col;
	const char *expr;
} fill[] = {
	{ "telefono", "coalesce(l.telefono, r.telefono)" },
	{ "telefono_e164", "CASE WHEN l.telefono_e164 IS NULL AND r.e164 IS NOT"
	  " NULL AND NOT r.ambiguo THEN r.e164 ELSE l.telefono_e164 END" },
	{ "email", "coalesce(l.email, r.email)" },
	{ "origen", "coalesce(l.origen, r.origen)" },
	{ "tipo", "coalesce(l.tipo, r.tipo)" },
	{ "operacion", "coalesce(l.operacion, r.operacion)" },
	{ "tipo_propiedad", "coalesce(l.tipo_propiedad, r.tipo_propiedad)" },
	{ "zona_interes", "coalesce(l.zona_interes, r.zona_interes)" },
	{ "zonas", "CASE WHEN cardinality(l.zonas) = 0"
	  " THEN coalesce(r.zonas, '{}') ELSE l.zonas END" },
	{ "presupuesto_min", "coalesce(l.presupuesto_min, r.presupuesto_min)" },
	{ "presupuesto_max", "coalesce(l.presupuesto_max, r.presupuesto_max)" },
	{ "moneda", "coalesce(l.moneda, r.moneda)" },
	{ "ambientes", "coalesce(l.ambientes, r.ambientes)" },
	{ "tags", "l.tags || array(SELECT t FROM unnest(coalesce(r.tags, '{}'))"
	  " t WHERE t <> ALL (l.tags))" },
	{ "notas", "coalesce(l.notas, r.notas)" },
	{ "custom", "coalesce(r.custom, '{}') || l.custom" },
	{ "assigned_to_id", "coalesce(l.assigned_to_id, r.assigned_to_id)" },
	{ "es_cliente", "l.es_cliente OR coalesce(r.es_cliente, false)" },
	{ "opt_out", "l.opt_out OR coalesce(r.opt_out, false)" },
};

static char *
update_sql(void)
{
	struct st_buf b = ST_BUF_INIT;

	st_buf_addstr(&b, "WITH u AS (UPDATE strato.lead l SET ");
	for (size_t i = 0; i < ST_ARRAY_SIZE(fill); i++)
		st_buf_addf(&b, "%s%s = %s", i ? ", " : "", fill[i].col,
			    fill[i].expr);
	st_buf_addstr(&b, " FROM import_rows r WHERE r.lead_id = l.id"
		      " AND l.tenant_id = $1 AND (");
	for (size_t i = 0; i < ST_ARRAY_SIZE(fill); i++)
		st_buf_addf(&b, "%sl.%s", i ? ", " : "", fill[i].col);
	st_buf_addstr(&b, ") IS DISTINCT FROM (");
	for (size_t i = 0; i < ST_ARRAY_SIZE(fill); i++)
		st_buf_addf(&b, "%s%s", i ? ", " : "", fill[i].expr);
	st_buf_addstr(&b, ") RETURNING 1) SELECT count(*) FROM u");
	return st_buf_detach(&b);
}

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
process_stage(struct importer *im, struct st_error *err)
{
	double t0 = mono_now();
	const char *t = im->tenant_id;
	char *upd = NULL;
	bool fast = st_db_bulk_fast(im->db);
	long long rows, matched;
	PGresult *res;
	int ret = -1;

	for (int i = 0; merge_sql[i]; i++)
		if (st_db_run(im->db, merge_sql[i], 0, NULL, err) < 0)
			goto cleanup;
	st_log_debug("import: merged in %.2f s", mono_now() - t0);
	/* Merged groups' tags: each once, in first-seen order. */
	if (st_db_run(im->db, "UPDATE import_rows r SET"
		      " tags = array(SELECT x FROM unnest(r.tags) WITH ORDINALITY"
		      "   u(x, i) WHERE x <> '' GROUP BY x ORDER BY min(i))"
		      " WHERE r.merged", 0, NULL,
		      err) < 0)
		goto cleanup;
	im->out->duplicates += scalar(st_db_query(im->db, "SELECT sum(n - 1)"
				       " FROM import_dup", 0, NULL, err));
	if (st_db_run(im->db, "ANALYZE import_rows", 0, NULL, err) < 0)
		goto cleanup;
	/* An empty tenant has nothing to match (the common first import). */
	if (!scalar(st_db_query(im->db, "SELECT count(*) FROM (SELECT 1 FROM"
				" strato.lead WHERE tenant_id = $1 LIMIT 1) x", 1,
				&t, err)))
		goto matched;
	for (int k = 0; k < 2 && im->o->match[k]; k++) {
		const char *sql = im->o->match[k] == ST_MATCH_PHONE
			? "UPDATE import_rows r SET lead_id = l.id FROM strato.lead l"
			  " WHERE r.lead_id IS NULL AND r.e164 IS NOT NULL"
			  " AND l.tenant_id = $1 AND l.telefono_e164 = r.e164"
			  " AND l.deleted_at IS NULL"
			: "UPDATE import_rows r SET lead_id = l.id FROM strato.lead l"
			  " WHERE r.lead_id IS NULL AND r.email IS NOT NULL"
			  " AND l.tenant_id = $1 AND lower(l.email) = r.email"
			  " AND l.email IS NOT NULL"
			  " AND l.deleted_at IS NULL";

		if (st_db_run(im->db, sql, 1, &t, err) < 0)
			goto cleanup;
	}
	/* A phone that another lead already holds is kept on the new lead,
	 * marked ambiguous, never a unique-key failure. */
	if (st_db_run(im->db, "UPDATE import_rows r SET ambiguo = true"
		      " WHERE r.e164 IS NOT NULL AND r.lead_id IS NULL AND EXISTS"
		      " (SELECT 1 FROM strato.lead l WHERE l.tenant_id = $1"
		      " AND l.telefono_e164 = r.e164 AND NOT l.telefono_ambiguo"
		      " AND l.deleted_at IS NULL)", 1, &t, err) < 0)
		goto cleanup;
matched:
	/* Rows merge by their first key; when that is the e-mail, two rows
	 * of the file may still share a phone: both kept, marked. */
	if (im->o->match[0] == ST_MATCH_EMAIL &&
	    st_db_run(im->db, "UPDATE import_rows r SET ambiguo = true"
		      " WHERE r.e164 IN (SELECT e164 FROM import_rows"
		      " WHERE e164 IS NOT NULL GROUP BY e164"
		      " HAVING count(*) > 1)", 0, NULL, err) < 0)
		goto cleanup;
	st_log_debug("import: matched after %.2f s", mono_now() - t0);
	rows = scalar(st_db_query(im->db, "SELECT count(*) FROM import_rows", 0,
				  NULL, err));
	matched = scalar(st_db_query(im->db, "SELECT count(*) FROM import_rows"
				     " WHERE lead_id IS NOT NULL", 0, NULL, err));
	if (im->o->mode != ST_IMPORT_UPDATE) {
		/* A superuser inserts without the per-row foreign-key
		 * triggers and checks the keys set-based right after. */
		if (fast && st_db_run(im->db, "SET LOCAL session_replication_role"
				      " = replica", 0, NULL, err) < 0)
			goto cleanup;
		res = st_db_query(im->db,
			"WITH i AS (INSERT INTO strato.lead (tenant_id, nombre,"
			" telefono, telefono_e164, telefono_ambiguo, email, origen,"
			" estado, tipo, operacion, tipo_propiedad, zona_interes,"
			" zonas, presupuesto_min, presupuesto_max, moneda, ambientes,"
			" tags, notas, custom, assigned_to_id, es_cliente, opt_out)"
			" SELECT $1, coalesce(nombre, email, telefono), telefono,"
			" e164, ambiguo, email, origen, coalesce(estado, 'NUEVO'),"
			" tipo, operacion, tipo_propiedad, zona_interes,"
			" coalesce(zonas, '{}'), presupuesto_min, presupuesto_max,"
			" moneda, ambientes, coalesce(tags, '{}'), notas,"
			" coalesce(custom, '{}'), assigned_to_id,"
			" coalesce(es_cliente, false), coalesce(opt_out, false)"
			" FROM import_rows WHERE lead_id IS NULL"
			" RETURNING 1) SELECT count(*) FROM i", 1, &t, err);
		if (!res)
			goto cleanup;
		im->out->inserted += scalar(res);
		if (fast &&
		    (st_db_run(im->db, "SET LOCAL session_replication_role ="
			       " origin", 0, NULL, err) < 0 ||
		     st_db_check_foreign_keys(im->db, "strato.lead", t, err) < 0))
			goto cleanup;
		st_log_debug("import: inserted after %.2f s", mono_now() - t0);
	} else {
		im->out->skipped += rows - matched;
	}
	if (im->o->mode != ST_IMPORT_CREATE && matched > 0) {
		long long changed;

		upd = update_sql();
		res = st_db_query(im->db, upd, 1, &t, err);
		if (!res)
			goto cleanup;
		changed = scalar(res);
		im->out->updated += changed;
		im->out->unchanged += matched - changed;
	} else if (im->o->mode == ST_IMPORT_CREATE) {
		im->out->skipped += matched;
	}
	ret = 0;
cleanup:
	free(upd);
	return ret;
}

static int
copy_end(struct importer *im, struct st_error *err)
{
	if (PQputCopyEnd(im->db->conn, NULL) != 1) {
		st_db_error(err, NULL, im->db->conn);
		return -1;
	}
	return st_db_copy_results(im->db->conn, err);
}

/* End a batch: process, record progress, commit (or roll back a dry run). */
static int
batch_end(struct importer *im, bool final, struct st_error *err)
{
	im->batch_open = false;
	im->batch_records = 0;
	if (im->stream ? import_stream_finish(im, err) < 0
		       : copy_end(im, err) < 0 || process_stage(im, err) < 0)
		return -1;
	if (im->o->dry_run) {
		st_db_rollback(im->db);
		return flush_rejects(im, err);
	}
	if (run_update(im, final ? (im->out->rejected ? "PARTIAL" : "COMPLETED")
				 : "RUNNING", NULL, err) < 0)
		return -1;
	if (final) {
		char *counts = counts_json(im->out);
		int r = st_audit_add(im->db, im->tenant_id, "import.leads",
				     "import_run", im->run_id, counts, err);

		free(counts);
		if (r < 0)
			return -1;
	}
	if (st_tenant_commit(im->db, err) < 0)
		return -1;
	im->run_committed = true;
	if (!final)
		st_log_info("import run %s: committed up to line %ld", im->run_id,
			    im->last_line);
	return flush_rejects(im, err);
}

/* ---- records ---- */

/*
 * Records are turned into rows in groups, on two threads: normalising
 * (libphonenumber's parser above all) is most of the client's work, and
 * it is pure. The reader and the COPY stay on the main thread, and rows
 * are emitted in input order.
 */
#define GROUP_RECORDS 1024
#define BUILD_THREADS 2

struct held {
	struct st_csv_record rec; /* deep copy of the reader's record */
	struct import_row row;
	const char *assigned;     /* borrowed from the users map */
	bool refused;
	char *reason;             /* borrowed: rec.error or row.reason */
};

struct group {
	struct importer *im;
	struct held items[GROUP_RECORDS];
	size_t n;
};

struct build_job {
	struct group *g;
	size_t from;
	size_t to;
};

static void
hold(struct held *h, const struct st_csv_record *rec)
{
	memset(h, 0, sizeof(*h));
	h->rec.line = rec->line;
	h->rec.nfields = rec->nfields;
	h->rec.fields = st_xcalloc(rec->nfields + 1, sizeof(char *));
	h->rec.lens = st_xcalloc(rec->nfields + 1, sizeof(size_t));
	for (size_t i = 0; i < rec->nfields; i++) {
		h->rec.fields[i] = st_xstrndup(rec->fields[i], rec->lens[i]);
		h->rec.lens[i] = rec->lens[i];
	}
	h->rec.error = rec->error ? st_xstrdup(rec->error) : NULL;
}

static void
unhold(struct held *h)
{
	for (size_t i = 0; i < h->rec.nfields; i++)
		free(h->rec.fields[i]);
	free(h->rec.fields);
	free(h->rec.lens);
	free((char *)h->rec.error);
	import_row_release(&h->row);
}

/* The pure part of one record: checks, normalising, the assignee. */
static void
build(struct importer *im, struct held *h)
{
	const struct st_csv_record *rec = &h->rec;
	size_t n = rec->nfields;

	h->refused = true;
	if (rec->error) {
		h->reason = (char *)rec->error;
		return;
	}
	/* Trailing empty cells beyond the header are harmless (Excel). */
	while (n > im->plan.nheader && rec->lens[n - 1] == 0)
		n--;
	if (n != im->plan.nheader && n != im->plan.ncols) {
		snprintf(h->row.reason, sizeof(h->row.reason),
			 "%zu field%s, the header has %zu", rec->nfields,
			 rec->nfields == 1 ? "" : "s", im->plan.nheader);
		h->reason = h->row.reason;
		return;
	}
	if (import_row_build(&im->plan, rec, im->o, &h->row) < 0) {
		h->reason = h->row.reason;
		return;
	}
	if (h->row.v[F_ASIGNADO]) {
		h->assigned = user_id_of(im, h->row.v[F_ASIGNADO]);
		if (!h->assigned) {
			snprintf(h->row.reason, sizeof(h->row.reason),
				 "no active user \"%s\" in the tenant",
				 h->row.v[F_ASIGNADO]);
			h->reason = h->row.reason;
			return;
		}
	}
	h->refused = false;
}

static void *
build_range(void *arg)
{
	struct build_job *j = arg;

	for (size_t i = j->from; i < j->to; i++)
		build(j->g->im, &j->g->items[i]);
	return NULL;
}

/* Build the group's rows (on two threads), then emit them in order. */
static int
flush_group(struct group *g, struct st_error *err)
{
	struct importer *im = g->im;
	struct build_job jobs[BUILD_THREADS];
	pthread_t tid[BUILD_THREADS];
	bool started[BUILD_THREADS] = { false };
	size_t per = (g->n + BUILD_THREADS - 1) / BUILD_THREADS;
	int ret = 0;

	for (int t = 0; t < BUILD_THREADS; t++) {
		jobs[t].g = g;
		jobs[t].from = per * (size_t)t < g->n ? per * (size_t)t : g->n;
		jobs[t].to = per * (size_t)(t + 1) < g->n ? per * (size_t)(t + 1)
							  : g->n;
	}
	/* The main thread builds the first part itself. */
	for (int t = 1; t < BUILD_THREADS && g->n >= 64; t++)
		started[t] = pthread_create(&tid[t], NULL, build_range,
					    &jobs[t]) == 0;
	build_range(&jobs[0]);
	for (int t = 1; t < BUILD_THREADS; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			build_range(&jobs[t]);
	}
	for (size_t i = 0; i < g->n; i++) {
		struct held *h = &g->items[i];

		im->out->read++;
		im->last_line = h->rec.line;
		if (h->refused) {
			write_reject(im, &h->rec, h->reason);
		} else if (ret == 0) {
			st_buf_reset(&im->line);
			import_row_copy_line(&h->row, im->o->match, h->assigned,
					     &im->line);
			ret = import_emit(im, im->line.data, im->line.len, err);
		}
		unhold(h);
	}
	im->batch_records += (long long)g->n;
	g->n = 0;
	return ret;
}

static void
importer_release(struct importer *im)
{
	import_plan_release(&im->plan);
	for (size_t i = 0; i < im->nusers; i++) {
		free(im->user_email[i]);
		free(im->user_id[i]);
	}
	free(im->user_email);
	free(im->user_id);
	if (im->rej_batch)
		fclose(im->rej_batch);
	st_csv_reader_free(im->rd);
	st_buf_release(&im->line);
	st_buf_release(&im->pending);
	free(im->run_id);
}

/* After a fatal error: roll back, and record the failure where we can. */
static void
fail_run(struct importer *im, const struct st_error *why)
{
	struct st_error e2;

	st_db_rollback(im->db);
	if (im->o->dry_run)
		return;
	if (st_tenant_begin(im->db, im->tenant_id, &e2) < 0)
		return;
	if (!im->run_committed) {
		free(im->run_id);
		im->run_id = NULL;
		if (run_insert(im, &e2) < 0) {
			st_db_rollback(im->db);
			return;
		}
	}
	if (run_update(im, "FAILED", why->message, &e2) < 0 ||
	    st_tenant_commit(im->db, &e2) < 0)
		st_db_rollback(im->db);
}

/*
 * The tenant's country for phones without a country code (tenant config
 * "country", see strato tenant config), into buf; "AR" when unset.
 */
static int
tenant_country(struct st_db *db, const char *tenant_id, char *buf,
	       size_t size, struct st_error *err)
{
	PGresult *res = st_db_query(db, "SELECT coalesce(nullif(config->>"
				    "'country', ''), 'AR') FROM strato.tenant"
				    " WHERE id = $1", 1, &tenant_id, err);

	if (!res)
		return -1;
	snprintf(buf, size, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0)
						 : "AR");
	PQclear(res);
	return 0;
}

int
st_import_leads(struct st_db *db, const char *tenant_id,
		const struct st_import_opts *opts,
		struct st_import_summary *out, struct st_error *err)
{
	struct st_import_opts oc = *opts; /* the region may come from the
					   * tenant's settings */
	const struct st_import_opts *o = &oc;
	struct importer im;
	struct st_csv_record *rec = NULL;
	struct group *group = NULL;
	char country[8];
	int r = 1;
	int ret = -1;

	memset(&im, 0, sizeof(im));
	memset(out, 0, sizeof(*out));
	im.db = db;
	im.tenant_id = tenant_id;
	im.o = o;
	im.out = out;
	if (!o->match[0]) {
		st_error_set(err, ST_EUSAGE, "no match keys");
		return -1;
	}
	im.rd = st_csv_reader_new(o->in, &o->csv, err);
	if (!im.rd)
		return -1;
	if (st_tenant_begin(db, tenant_id, err) < 0 || load_users(&im, err) < 0)
		goto fail;
	if (!oc.region) {
		if (tenant_country(db, tenant_id, country, sizeof(country),
				   err) < 0)
			goto fail;
		oc.region = country;
	}
	if (o->resume_run && run_resume(&im, err) < 0)
		goto fail;
	st_db_rollback(db);
	r = st_csv_reader_next(im.rd, &rec, err);
	if (r < 0)
		goto fail;
	if (r == 0) {
		st_error_set(err, ST_EINVAL, "the input is empty: no header");
		goto fail;
	}
	if (rec->error) {
		st_error_set(err, ST_EINVAL, "the header (line %ld) is unreadable: "
			     "%s", rec->line, rec->error);
		goto fail;
	}
	if (import_plan_init(&im.plan, rec, o, err) < 0)
		goto fail;
	out->delimiter = st_csv_reader_delimiter(im.rd);
	group = st_xcalloc(1, sizeof(*group));
	group->im = &im;
	do {
		/* A group ends at GROUP_RECORDS, at the end of an import batch,
		 * or at the end of the input. */
		long long room = o->batch_size > 0 ? o->batch_size - im.batch_records
						   : GROUP_RECORDS;

		while (group->n < GROUP_RECORDS && (long long)group->n < room &&
		       (r = st_csv_reader_next(im.rd, &rec, err)) > 0) {
			if (rec->line <= out->resumed_after)
				continue;
			hold(&group->items[group->n++], rec);
		}
		if (r < 0)
			goto fail;
		if (group->n == 0)
			continue;
		if (!im.batch_open && batch_begin(&im, err) < 0)
			goto fail;
		if (flush_group(group, err) < 0 ||
		    import_stream_poll(&im, err) < 0)
			goto fail;
		if (o->progress)
			o->progress(out->read, o->progress_arg);
		if (o->batch_size > 0 && im.batch_records >= o->batch_size &&
		    batch_end(&im, false, err) < 0)
			goto fail;
	} while (r > 0);
	if (r < 0)
		goto fail;
	out->encoding = st_csv_reader_encoding(im.rd);
	if (!im.batch_open && batch_begin(&im, err) < 0)
		goto fail;
	if (batch_end(&im, true, err) < 0)
		goto fail;
	ret = 0;
	goto done;
fail:
	fail_run(&im, err);
done:
	if (group) {
		for (size_t i = 0; i < group->n; i++)
			unhold(&group->items[i]);
		free(group);
	}
	importer_release(&im);
	return ret;
}
