/*
 * import-stream.c - the first import into an empty tenant, streamed.
 *
 * An empty tenant has nothing to match, so the leads need not wait for the
 * whole file: the records go by COPY into a chunk table, and while the
 * client reads and normalises the next chunk, the server inserts the
 * first row of every group (the rows naming one lead) of this one. Every
 * row is kept in import_stage too; at the end, the groups that met more
 * than one row are merged exactly as import.c merges them and written
 * over their lead. Inserting into the lead's indexes (the trigram index
 * above all) is most of an import's time, and this way it runs beside the
 * client's work instead of after it.
 *
 * Only for one transaction (no --batch-size, no --resume), the phone as
 * first match key, and a mode that inserts: anything else takes
 * import.c's batches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "import-internal.h"
#include "strato/log.h"

/* Records per chunk: the lines held while the server works on the last
 * chunk are at most this many (a few megabytes). */
#define CHUNK_RECORDS 20000

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* grp compares bytewise: sorting and the unique index over a million keys
 * need no locale. */
static const char *const stream_tables_sql[] = {
	"CREATE TEMP TABLE import_stage (line bigint, grp text COLLATE \"C\","
	" nombre text,"
	" telefono text, e164 text, email text, origen text, estado text,"
	" tipo text, operacion text, tipo_propiedad text, zona_interes text,"
	" zonas text[], presupuesto_min numeric, presupuesto_max numeric,"
	" moneda text, ambientes smallint, tags text[], notas text,"
	" custom jsonb, assigned_to_id text, es_cliente boolean,"
	" opt_out boolean) ON COMMIT DROP",
	"CREATE TEMP TABLE import_chunk (LIKE import_stage) ON COMMIT DROP",
	/* the first row of every group, and the lead it became */
	"CREATE TEMP TABLE import_seen (grp text COLLATE \"C\" PRIMARY KEY,"
	" line bigint,"
	" lead_id text) ON COMMIT DROP",
	/* the groups that met a second row */
	"CREATE TEMP TABLE import_again (grp text COLLATE \"C\")"
	" ON COMMIT DROP",
	NULL,
};

/*
 * One chunk: keep its rows, insert the first row of each new group as a
 * lead (the same values import.c inserts), note the groups seen again.
 */
static const char *const chunk_sql =
	"WITH a AS (INSERT INTO import_stage SELECT * FROM import_chunk),"
	" f AS (INSERT INTO import_seen SELECT DISTINCT ON (grp) grp, line,"
	"   gen_random_uuid()::text FROM import_chunk ORDER BY grp, line"
	"   ON CONFLICT (grp) DO NOTHING RETURNING line, lead_id),"
	" g AS (INSERT INTO import_again SELECT DISTINCT c.grp"
	"   FROM import_chunk c WHERE c.line NOT IN (SELECT line FROM f)),"
	" i AS (INSERT INTO strato.lead (tenant_id, id, nombre, telefono,"
	"   telefono_e164, telefono_ambiguo, email, origen, estado, tipo,"
	"   operacion, tipo_propiedad, zona_interes, zonas, presupuesto_min,"
	"   presupuesto_max, moneda, ambientes, tags, notas, custom,"
	"   assigned_to_id, es_cliente, opt_out)"
	"   SELECT $1, f.lead_id, coalesce(c.nombre, c.email, c.telefono),"
	"   c.telefono, c.e164, false, c.email, c.origen,"
	"   coalesce(c.estado, 'NUEVO'), c.tipo, c.operacion, c.tipo_propiedad,"
	"   c.zona_interes, coalesce(c.zonas, '{}'), c.presupuesto_min,"
	"   c.presupuesto_max, c.moneda, c.ambientes, coalesce(c.tags, '{}'),"
	"   c.notas, coalesce(c.custom, '{}'), c.assigned_to_id,"
	"   coalesce(c.es_cliente, false), coalesce(c.opt_out, false)"
	"   FROM import_chunk c JOIN f USING (line) RETURNING 1)"
	" SELECT count(*) FROM i";

/* The first value of a column in the group, in line order. */
#define FIRST(col) \
	" (array_agg(" col ") FILTER (WHERE " col " IS NOT NULL))[1] AS " col ","

/*
 * The groups of the file that named one lead more than once: merged as
 * import.c's merge_sql does (the first spelling of each field wins, tags
 * merge once each in first-seen order, notes join), then written over the
 * lead their first row became, with the values an insert would give.
 * The rows reach the aggregates sorted by group and line, once: each
 * aggregate takes its input in that order (the subquery is not flattened
 * and temporary tables are never scanned in parallel), where an ORDER BY
 * inside every aggregate would sort each group twenty times.
 */
static const char *const merge_groups_sql =
	"UPDATE strato.lead l SET (nombre, telefono, telefono_e164, email,"
	" origen, estado, tipo, operacion, tipo_propiedad, zona_interes, zonas,"
	" presupuesto_min, presupuesto_max, moneda, ambientes, tags, notas,"
	" custom, assigned_to_id, es_cliente, opt_out) ="
	" (coalesce(m.nombre, m.email, m.telefono), m.telefono, m.e164, m.email,"
	" m.origen, coalesce(m.estado, 'NUEVO'), m.tipo, m.operacion,"
	" m.tipo_propiedad, m.zona_interes, coalesce(m.zonas, '{}'),"
	" m.presupuesto_min, m.presupuesto_max, m.moneda, m.ambientes,"
	" array(SELECT x FROM unnest(m.tags) WITH ORDINALITY u(x, i)"
	"   WHERE x <> '' GROUP BY x ORDER BY min(i)),"
	" m.notas, coalesce(m.custom, '{}'), m.assigned_to_id,"
	" coalesce(m.es_cliente, false), coalesce(m.opt_out, false))"
	" FROM (SELECT grp," FIRST("nombre") FIRST("telefono") FIRST("e164")
	FIRST("email") FIRST("origen") FIRST("estado") FIRST("tipo")
	FIRST("operacion") FIRST("tipo_propiedad") FIRST("zona_interes")
	" string_to_array((array_agg(array_to_string(zonas, E'\\x1f'))"
	"   FILTER (WHERE cardinality(zonas) > 0))[1], E'\\x1f') AS zonas,"
	FIRST("presupuesto_min") FIRST("presupuesto_max") FIRST("moneda")
	FIRST("ambientes")
	" string_to_array(string_agg(array_to_string(tags, E'\\x1f'),"
	"   E'\\x1f'), E'\\x1f') AS tags,"
	" string_agg(notas, E'\\n') AS notas,"
	FIRST("custom") FIRST("assigned_to_id")
	" bool_or(es_cliente) AS es_cliente, bool_or(opt_out) AS opt_out"
	" FROM (SELECT * FROM import_stage WHERE grp IN"
	"   (SELECT grp FROM import_again) ORDER BY grp, line) s"
	" GROUP BY grp) m JOIN import_seen f USING (grp)"
	" WHERE l.tenant_id = $1 AND l.id = f.lead_id";

/* Open a COPY into the (emptied) chunk table; send the lines held. */
static int
copy_start(struct importer *im, struct st_error *err)
{
	PGconn *c = im->db->conn;
	PGresult *res;

	if (st_db_run(im->db, "TRUNCATE import_chunk", 0, NULL, err) < 0)
		return -1;
	res = PQexec(c, "COPY import_chunk FROM STDIN");
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		st_db_error(err, res, c);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	im->stream_copy = true;
	im->chunk_records = im->pending_records;
	if (im->pending.len > 0 &&
	    PQputCopyData(c, im->pending.data, (int)im->pending.len) != 1) {
		st_db_error(err, NULL, c);
		return -1;
	}
	st_buf_reset(&im->pending);
	im->pending_records = 0;
	return 0;
}

/* End the chunk's COPY and start its statement, without waiting. */
static int
chunk_send(struct importer *im, struct st_error *err)
{
	PGconn *c = im->db->conn;

	im->stream_copy = false;
	if (PQputCopyEnd(c, NULL) != 1) {
		st_db_error(err, NULL, c);
		return -1;
	}
	if (st_db_copy_results(c, err) < 0)
		return -1;
	if (!PQsendQueryParams(c, chunk_sql, 1, NULL, &im->tenant_id, NULL,
			       NULL, 0)) {
		st_db_error(err, NULL, c);
		return -1;
	}
	im->stream_busy = true;
	im->chunk_sent = im->chunk_records;
	im->chunk_records = 0;
	return 0;
}

/* Wait for the chunk's statement: leads inserted, the rest duplicates. */
static int
chunk_result(struct importer *im, struct st_error *err)
{
	PGconn *c = im->db->conn;
	PGresult *res;
	int ret = 0;

	im->stream_busy = false;
	while ((res = PQgetResult(c)) != NULL) {
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			if (ret == 0)
				st_db_error(err, res, c);
			ret = -1;
		} else if (ret == 0 && PQntuples(res) == 1) {
			long long n = atoll(PQgetvalue(res, 0, 0));

			im->out->inserted += n;
			im->out->duplicates += im->chunk_sent - n;
		}
		PQclear(res);
	}
	im->chunk_sent = 0;
	return ret;
}

/*
 * Stream this import when it can: one transaction, the phone first, a
 * mode that inserts, and a tenant without leads (not even deleted ones).
 * 1 when streaming (the first COPY is open), 0 when not, -1 on error.
 */
int
import_stream_begin(struct importer *im, struct st_error *err)
{
	const struct st_import_opts *o = im->o;
	PGresult *res;
	bool empty;

	if (o->batch_size > 0 || o->resume_run || o->mode == ST_IMPORT_UPDATE ||
	    o->match[0] != ST_MATCH_PHONE)
		return 0;
	res = st_db_query(im->db, "SELECT NOT EXISTS (SELECT 1 FROM strato.lead"
			  " WHERE tenant_id = $1)", 1, &im->tenant_id, err);
	if (!res)
		return -1;
	empty = st_db_bool(res, 0, 0);
	PQclear(res);
	if (!empty)
		return 0;
	for (int i = 0; stream_tables_sql[i]; i++)
		if (st_db_run(im->db, stream_tables_sql[i], 0, NULL, err) < 0)
			return -1;
	/* A superuser inserts without the per-row foreign-key triggers and
	 * checks the keys set-based at the end. */
	if (st_db_bulk_fast(im->db) &&
	    st_db_run(im->db, "SET LOCAL session_replication_role = replica", 0,
		      NULL, err) < 0)
		return -1;
	im->stream = true;
	return copy_start(im, err) < 0 ? -1 : 1;
}

/* One COPY line: to the server, or held while it works on a chunk. */
int
import_emit(struct importer *im, const char *data, size_t len,
	    struct st_error *err)
{
	if (im->stream && !im->stream_copy) {
		st_buf_add(&im->pending, data, len);
		im->pending_records++;
		return 0;
	}
	if (PQputCopyData(im->db->conn, data, (int)len) != 1) {
		st_db_error(err, NULL, im->db->conn);
		return -1;
	}
	im->chunk_records++;
	return 0;
}

/*
 * Between groups of records: collect a finished chunk, reopen the COPY,
 * send a full chunk off. Waits for the server only when a whole chunk of
 * lines is already held.
 */
int
import_stream_poll(struct importer *im, struct st_error *err)
{
	PGconn *c = im->db->conn;

	if (!im->stream)
		return 0;
	if (im->stream_busy) {
		if (im->pending_records < CHUNK_RECORDS) {
			if (!PQconsumeInput(c)) {
				st_db_error(err, NULL, c);
				return -1;
			}
			if (PQisBusy(c))
				return 0;
		}
		if (chunk_result(im, err) < 0)
			return -1;
	}
	if (!im->stream_copy && copy_start(im, err) < 0)
		return -1;
	if (im->chunk_records >= CHUNK_RECORDS && chunk_send(im, err) < 0)
		return -1;
	return 0;
}

/* The last chunk, then the groups met more than once. */
int
import_stream_finish(struct importer *im, struct st_error *err)
{
	double t0 = mono_now();

	if (im->stream_busy && chunk_result(im, err) < 0)
		return -1;
	if (!im->stream_copy && copy_start(im, err) < 0)
		return -1;
	if (chunk_send(im, err) < 0 || chunk_result(im, err) < 0)
		return -1;
	st_log_debug("import: last chunk in %.2f s", mono_now() - t0);
	/* Still without the per-row triggers for a superuser: the keys are
	 * checked below, and updated_at is this transaction's now() either
	 * way. */
	if (st_db_run(im->db, merge_groups_sql, 1, &im->tenant_id, err) < 0)
		return -1;
	st_log_debug("import: merged after %.2f s", mono_now() - t0);
	if (st_db_bulk_fast(im->db) &&
	    (st_db_run(im->db, "SET LOCAL session_replication_role = origin", 0,
		       NULL, err) < 0 ||
	     st_db_check_foreign_keys(im->db, "strato.lead", im->tenant_id,
				      err) < 0))
		return -1;
	return 0;
}
